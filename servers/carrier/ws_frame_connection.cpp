#include "servers/carrier/ws_frame_connection.hpp"

namespace pushbench::server {

WsFrameConnection::WsFrameConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec,
                                     std::string_view pmd_offer)
    : StreamConnection(ctx, std::move(stream), std::move(spec)),
      codec_(ctx, *spec_, pmd_offer, *this) {}

void WsFrameConnection::start(std::string response) {
  if (const auto extensions = codec_.extensions(); !extensions.empty()) {
    // Insert the extension before the blank line that ends the header.
    response.insert(response.size() - 2, "Sec-WebSocket-Extensions: " + extensions + "\r\n");
  }
  begin_stream(std::move(response));
}

bool WsFrameConnection::on_client_bytes(std::string_view bytes) {
  const auto ec = codec_.feed(bytes);
  if (!ec) return true;
  auto close_frame = codec_.failure_close(ec);
  if (close_frame.empty()) return false;
  enqueue(std::make_shared<const std::string>(std::move(close_frame)));
  finish();
  return true;
}

}  // namespace pushbench::server
