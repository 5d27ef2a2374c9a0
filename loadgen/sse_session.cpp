#include "loadgen/sse_session.hpp"

#include "loadgen/errors.hpp"

namespace pushbench::loadgen {

namespace {
constexpr std::size_t kHeaderLimit = 16 << 10;
}

SseSession::SseSession(const Target& target, const StreamSpec& spec,
                       const SessionOptions& options, SessionHandler& handler)
    : handler_(handler),
      reader_(kHeaderLimit, [this](std::string_view body) { return on_body(body); }),
      parser_(*this, options.max_event_bytes),
      max_event_bytes_(options.max_event_bytes) {
  std::string accept_encoding;
  if (options.compression.algorithm == Compression::gzip) accept_encoding = "Accept-Encoding: gzip\r\n";
  if (options.compression.algorithm == Compression::deflate) {
    accept_encoding = "Accept-Encoding: deflate\r\n";
  }
  request_ = "GET " + target.request_target(spec, options.add_workload_query) +
             " HTTP/1.1\r\nHost: " + target.host_header() +
             "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n"
             "User-Agent: pushbench\r\n" + accept_encoding +
             (options.resume_after ? "Last-Event-ID: " + std::to_string(*options.resume_after) + "\r\n"
                                   : std::string()) +
             "\r\n";
}

std::string SseSession::initial_request() { return request_; }

std::error_code SseSession::establish() {
  if (established_ || finished_) return {};
  if (reader_.status() == 204) {
    // No Content: the server has nothing more for this stream; an EventSource stops for good.
    finished_ = true;
    return {};
  }
  if (reader_.status() < 200 || reader_.status() > 299) return LoadErrc::http_status;
  if (reader_.content_type().rfind("text/event-stream", 0) != 0) return LoadErrc::bad_content_type;
  const auto& coding = reader_.content_encoding();
  if (coding == "gzip" || coding == "x-gzip") {
    inflater_.emplace(compress::Format::gzip, 15, max_event_bytes_);
  } else if (coding == "deflate") {
    inflater_.emplace(compress::Format::zlib, 15, max_event_bytes_);
  } else if (!coding.empty() && coding != "identity") {
    return LoadErrc::unsupported_encoding;
  }
  established_ = true;
  handler_.on_established();
  return {};
}

std::error_code SseSession::on_body(std::string_view body) {
  if (auto ec = establish()) return ec;
  if (inflater_) {
    // The bound applies per read: a small compressed input must not expand without limit.
    inflated_.clear();
    if (inflater_->inflate(body, inflated_)) return LoadErrc::decompress_error;
    inflater_->restart_output_count();
    body = inflated_;
  }
  if (parser_.feed(body)) return LoadErrc::event_too_large;
  return {};
}

std::error_code SseSession::on_read(std::string_view bytes, std::string&) {
  std::error_code ec;
  reader_.feed(bytes, ec);
  if (ec) {
    if (ec.category() == load_category()) return ec;
    return LoadErrc::protocol_error;
  }
  // A header with an error status or wrong type may come without body bytes.
  if (reader_.header_done()) {
    if (auto e = establish()) return e;
  }
  if (reader_.body_done()) finished_ = true;
  return {};
}

std::error_code SseSession::on_eof() {
  if (finished_) return {};
  if (!reader_.header_done()) return LoadErrc::unexpected_eof;
  // A close-delimited body ends cleanly at EOF; a chunked or sized one must be complete.
  if (reader_.on_eof()) return LoadErrc::unexpected_eof;
  finished_ = true;
  return {};
}

void SseSession::on_event(const sse::Event& ev) { handler_.on_event(0, ev.data, ev.type, ev.id); }

}  // namespace pushbench::loadgen
