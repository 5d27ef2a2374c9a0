#include "servers/ws_frame_connection.hpp"

namespace pushbench::server {

WsFrameConnection::WsFrameConnection(ThreadContext& ctx, boost::asio::ip::tcp::socket socket,
                                     StreamSpec spec)
    : StreamConnection(ctx, std::move(socket), std::move(spec)),
      decoder_(static_cast<ws::Handler&>(*this), ws::Role::server,
               ctx.config->max_message_bytes) {}

SharedBuffer WsFrameConnection::frame_event(std::uint64_t, std::string_view data) {
  auto out = std::make_shared<std::string>();
  out->reserve(data.size() + ws::max_header_bytes);
  ws::append_frame(*out, ws::Opcode::text, data);
  return out;
}

void WsFrameConnection::keepalive() {
  if (close_sent_) return;
  auto ping = std::make_shared<std::string>();
  ws::append_frame(*ping, ws::Opcode::ping, {});
  enqueue(std::move(ping));
}

std::string WsFrameConnection::trailer() {
  if (close_sent_) return {};
  close_sent_ = true;
  std::string out;
  ws::append_frame(out, ws::Opcode::close, ws::close_payload(1000));
  return out;
}

bool WsFrameConnection::on_client_bytes(std::string_view bytes) {
  // A protocol violation by the client ends the connection.
  return !decoder_.feed(bytes);
}

void WsFrameConnection::on_control(ws::Opcode op, std::string_view payload) {
  auto reply = std::make_shared<std::string>();
  if (op == ws::Opcode::ping) {
    ws::append_frame(*reply, ws::Opcode::pong, payload);
    enqueue(std::move(reply));
  } else if (op == ws::Opcode::close && !close_sent_) {
    // Echo the close; the client then closes the TCP connection (RFC 6455 section 5.5.1).
    close_sent_ = true;
    ws::append_frame(*reply, ws::Opcode::close, ws::close_payload(1000));
    enqueue(std::move(reply));
  }
}

}  // namespace pushbench::server
