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
      parser_(*this, options.max_event_bytes) {
  request_ = "GET " + target.request_target(spec, options.add_workload_query) +
             " HTTP/1.1\r\nHost: " + target.host_header() +
             "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n"
             "User-Agent: pushbench\r\n\r\n";
}

std::string SseSession::initial_request() { return request_; }

std::error_code SseSession::establish() {
  if (established_) return {};
  if (reader_.status() < 200 || reader_.status() > 299) return LoadErrc::http_status;
  if (reader_.content_type().rfind("text/event-stream", 0) != 0) return LoadErrc::bad_content_type;
  established_ = true;
  handler_.on_established();
  return {};
}

std::error_code SseSession::on_body(std::string_view body) {
  if (auto ec = establish()) return ec;
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

void SseSession::on_event(const sse::Event& ev) { handler_.on_event(ev.data, ev.type, ev.id); }

}  // namespace pushbench::loadgen
