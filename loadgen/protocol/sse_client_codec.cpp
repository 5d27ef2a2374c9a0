#include "loadgen/protocol/sse_client_codec.hpp"

#include "core/base/text.hpp"
#include "loadgen/protocol/errors.hpp"

namespace pushbench::loadgen {

SseClientCodec::SseClientCodec(SessionHandler& handler, std::size_t stream,
                               const SessionOptions& options)
    : handler_(handler),
      stream_(stream),
      fields_{{"Accept", "text/event-stream"},
              {"Cache-Control", "no-cache"},
              {"User-Agent", "pushbench"}},
      parser_(*this, options.max_event_bytes),
      max_event_bytes_(options.max_event_bytes) {
  const auto algorithm = options.compression.algorithm;
  if (algorithm == Compression::gzip || algorithm == Compression::deflate) {
    fields_.emplace_back("Accept-Encoding", std::string(to_string(algorithm)));
  }
}

std::error_code SseClientCodec::on_response(const ResponseHead& head) {
  if (head.status == 204) {
    // No Content: the server has nothing more for this stream; an EventSource stops for good.
    no_content_ = true;
    return {};
  }
  if (head.status < 200 || head.status > 299) return LoadErrc::http_status;
  if (!istarts_with(head.content_type, "text/event-stream")) return LoadErrc::bad_content_type;
  // Content codings are case-insensitive tokens (RFC 9110 8.4.1).
  const auto coding = head.content_encoding;
  if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
    inflater_.emplace(compress::Format::gzip, 15, max_event_bytes_);
  } else if (iequals(coding, "deflate")) {
    inflater_.emplace(compress::Format::zlib, 15, max_event_bytes_);
  } else if (!coding.empty() && !iequals(coding, "identity")) {
    return LoadErrc::unsupported_encoding;
  }
  return {};
}

std::error_code SseClientCodec::on_body(std::string_view bytes, std::string&) {
  if (inflater_) {
    // The bound applies per read: a small compressed input must not expand without limit.
    inflated_.clear();
    if (inflater_->inflate(bytes, inflated_)) return LoadErrc::decompress_error;
    inflater_->restart_output_count();
    bytes = inflated_;
  }
  if (parser_.feed(bytes)) return LoadErrc::event_too_large;
  return {};
}

void SseClientCodec::on_event(const sse::Event& ev) {
  handler_.on_event(stream_, ev.data, ev.type, ev.id);
}

}  // namespace pushbench::loadgen
