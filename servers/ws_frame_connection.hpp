#pragma once
// A WebSocket event stream framed by us after Beast's handshake: events become RFC 6455 text
// frames that are queued and gathered into one write like SSE chunks and raw lines, so the
// transports differ only by their bytes. Used when permessage-deflate is not negotiated (Beast,
// which writes one message per call, keeps the compressed case).
#include "core/ws_frame.hpp"
#include "servers/stream_connection.hpp"

namespace pushbench::server {

class WsFrameConnection final : public StreamConnection, private ws::Handler {
 public:
  WsFrameConnection(ThreadContext& ctx, boost::asio::ip::tcp::socket socket, StreamSpec spec);
  /// Writes `response` (the 101) and starts the event stream.
  void start(std::string response) { begin_stream(std::move(response)); }
  /// Refuses events once a close frame was sent (RFC 6455: no data after close).
  SendResult send(SharedBuffer framed) override {
    if (close_sent_) return SendResult::dropped;
    return enqueue(std::move(framed));
  }
  FrameFn framer() const override { return &frame_event; }
  /// One unmasked FIN text frame holding `data`.
  static SharedBuffer frame_event(std::uint64_t seq, std::string_view data);
  /// A ping frame (none after a close frame).
  void keepalive() override;

 private:
  /// A close frame (1000) after the last event.
  std::string trailer() override;
  /// Decodes the client's frames: pings are answered, a close is echoed, data is discarded.
  bool on_client_bytes(std::string_view bytes) override;
  void on_message(ws::Opcode op, std::string_view payload, bool compressed) override {}
  void on_control(ws::Opcode op, std::string_view payload) override;

  ws::Decoder decoder_;
  bool close_sent_ = false;
};

}  // namespace pushbench::server
