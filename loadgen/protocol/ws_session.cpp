#include "loadgen/protocol/ws_session.hpp"

#include <limits>

#include "core/base/text.hpp"
#include "core/codec/ws_handshake.hpp"
#include "loadgen/protocol/errors.hpp"

namespace pushbench::loadgen {

WsSession::WsSession(const Target& target, const StreamSpec& spec, const SessionOptions& options,
                     SessionHandler& handler)
    : key_(ws::make_client_key(options.seed)),
      handler_(handler),
      reader_(kResponseHeaderLimit, [](std::string_view) { return std::error_code{}; }),
      // Replies go straight to the client's write queue, which the socket drains.
      codec_(handler, 0, options, std::numeric_limits<std::size_t>::max()) {
  request_ = "GET " + target.request_target(spec, options.add_workload_query) +
             " HTTP/1.1\r\nHost: " + target.host_header() +
             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key_ + "\r\n";
  for (const auto& [name, value] : codec_.request_fields()) {
    request_.append(name).append(": ").append(value).append("\r\n");
  }
  request_ += "\r\n";
}

std::string WsSession::initial_request() { return request_; }

bool WsSession::send_message(std::size_t, std::string_view message, std::string& out) {
  return codec_.send_message(message, out);
}

std::error_code WsSession::establish() {
  if (reader_.status() != 101) return LoadErrc::http_status;
  if (!iequals(reader_.upgrade(), "websocket") ||
      reader_.websocket_accept() != ws::accept_key(key_))
    return LoadErrc::bad_handshake;
  ResponseHead head;
  head.status = reader_.status();
  head.websocket_extensions = reader_.websocket_extensions();
  if (auto ec = codec_.on_response(head)) return ec;
  established_ = true;
  handler_.on_established();
  return {};
}

std::error_code WsSession::on_read(std::string_view bytes, std::string& out) {
  if (!established_) {
    std::error_code ec;
    const auto used = reader_.feed(bytes, ec);
    if (ec) return LoadErrc::bad_handshake;
    if (!reader_.header_done()) return {};
    if (auto e = establish()) return e;
    bytes.remove_prefix(used);
  }
  return codec_.on_body(bytes, out);
}

std::string WsSession::goodbye() {
  std::string out;
  codec_.goodbye(out);
  return out;
}

std::error_code WsSession::on_eof() { return codec_.on_end(); }

}  // namespace pushbench::loadgen
