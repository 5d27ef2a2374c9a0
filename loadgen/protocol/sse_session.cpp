#include "loadgen/protocol/sse_session.hpp"

#include "loadgen/protocol/errors.hpp"

namespace pushbench::loadgen {

SseSession::SseSession(const Target& target, const StreamSpec& spec,
                       const SessionOptions& options, SessionHandler& handler)
    : handler_(handler),
      reader_(kResponseHeaderLimit, [this](std::string_view body) { return on_body(body); }),
      codec_(handler, 0, options) {
  request_ = "GET " + target.request_target(spec, options.add_workload_query) +
             " HTTP/1.1\r\nHost: " + target.host_header() + "\r\n";
  for (const auto& [name, value] : codec_.request_fields()) {
    request_.append(name).append(": ").append(value).append("\r\n");
  }
  if (options.resume_after) {
    request_ += "Last-Event-ID: " + std::to_string(*options.resume_after) + "\r\n";
  }
  request_ += "\r\n";
}

std::string SseSession::initial_request() { return request_; }

std::error_code SseSession::establish() {
  if (established_ || finished()) return {};
  ResponseHead head;
  head.status = reader_.status();
  head.content_type = reader_.content_type();
  head.content_encoding = reader_.content_encoding();
  if (auto ec = codec_.on_response(head)) return ec;
  if (codec_.finished()) return {};  // 204: no stream, nothing established
  established_ = true;
  handler_.on_established();
  return {};
}

std::error_code SseSession::on_body(std::string_view body) {
  if (auto ec = establish()) return ec;
  return codec_.on_body(body, unused_);
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
  if (finished()) return {};
  if (!reader_.header_done()) return LoadErrc::unexpected_eof;
  // A close-delimited body ends cleanly at EOF; a chunked or sized one must be complete.
  if (reader_.on_eof()) return LoadErrc::unexpected_eof;
  finished_ = true;
  return {};
}

}  // namespace pushbench::loadgen
