#include "servers/ws_frame_connection.hpp"

namespace pushbench::server {

namespace {

/// The status code that fails a connection after the decoder reported `ec` (RFC 6455 section
/// 7.4.1): 1007 for a text message that is not UTF-8, 1009 for a message above the bound, 1002
/// for every other protocol error.
std::uint16_t failure_close_code(std::error_code ec) {
  if (ec == ws::FrameError::invalid_utf8) return 1007;
  if (ec == ws::FrameError::message_too_big) return 1009;
  return 1002;
}

}  // namespace

WsFrameConnection::WsFrameConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec,
                                     std::string_view pmd_offer)
    : StreamConnection(ctx, std::move(stream), std::move(spec)),
      compressor_(*ctx.config, pmd_offer, spec_.topic.has_value()),
      decoder_(static_cast<ws::Handler&>(*this), ws::Role::server, ctx.config->max_message_bytes,
               compressor_.active()) {}

void WsFrameConnection::start(std::string response) {
  if (compressor_.active()) {
    // Insert the extension before the blank line that ends the header.
    response.insert(response.size() - 2,
                    "Sec-WebSocket-Extensions: " + compressor_.response() + "\r\n");
  }
  begin_stream(std::move(response));
}

SendResult WsFrameConnection::send(SharedBuffer framed) {
  if (close_sent_) return SendResult::dropped;
  auto frame = compressor_.encode(std::move(framed));
  if (!frame) {
    close(boost::asio::error::invalid_argument);
    return SendResult::dropped;
  }
  return enqueue(std::move(frame));
}

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

std::string WsFrameConnection::normal_close() {
  std::string out;
  ws::append_frame(out, ws::Opcode::close, ws::close_payload(1000));
  return out;
}

std::string WsFrameConnection::control_reply(ws::Opcode op, std::string_view payload,
                                             bool& close_sent) {
  std::string reply;
  if (op == ws::Opcode::ping) {
    ws::append_frame(reply, ws::Opcode::pong, payload);
  } else if (op == ws::Opcode::close && !close_sent) {
    // Echo the close; the client then closes the connection (RFC 6455 section 5.5.1).
    close_sent = true;
    reply = normal_close();
  }
  return reply;
}

std::string WsFrameConnection::trailer() {
  if (close_sent_) return {};
  close_sent_ = true;
  return normal_close();
}

bool WsFrameConnection::on_client_bytes(std::string_view bytes) {
  if (failed_) return true;  // our failing close frame is on its way; the rest is discarded
  const auto ec = decoder_.feed(bytes);
  if (!ec) return true;
  // A protocol violation fails the connection (RFC 6455 section 7.1.7): a close frame with its
  // status code (1002, 1007, 1009), then the end of the stream; without one to send, at once.
  failed_ = true;
  if (close_sent_) return false;
  close_sent_ = true;
  auto frame = std::make_shared<std::string>();
  ws::append_frame(*frame, ws::Opcode::close, ws::close_payload(failure_close_code(ec)));
  enqueue(std::move(frame));
  finish();
  return true;
}

void WsFrameConnection::on_message(ws::Opcode, std::string_view payload, bool compressed) {
  if (!spec_.echo) return;
  const auto text = compressor_.message(payload, compressed);
  if (!text) return close(boost::asio::error::invalid_argument);
  if (send(framer()(0, *text)) != SendResult::dropped) ctx_.stats.add(ctx_.stats.events_sent);
}

void WsFrameConnection::on_control(ws::Opcode op, std::string_view payload) {
  const bool was_closed = close_sent_;
  auto reply = control_reply(op, payload, close_sent_);
  if (!reply.empty()) enqueue(std::make_shared<const std::string>(std::move(reply)));
  // The client's close: once our echo is written, end the TCP connection (RFC 6455 §7.1.1).
  if (op == ws::Opcode::close && !was_closed) finish();
}

}  // namespace pushbench::server
