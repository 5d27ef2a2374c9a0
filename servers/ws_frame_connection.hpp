#pragma once
// A WebSocket event stream framed by us after Beast's handshake: events become RFC 6455 text
// frames that are queued and gathered into one write like SSE chunks and raw lines, so the
// transports differ only by their bytes. Used when permessage-deflate is not negotiated (Beast,
// which writes one message per call, keeps the compressed case).
#include "core/ws_frame.hpp"
#include "servers/stream_connection.hpp"
#include "servers/ws_compressor.hpp"

namespace pushbench::server {

class WsFrameConnection final : public StreamConnection, private ws::Handler {
 public:
  /// `pmd_offer`: the client's Sec-WebSocket-Extensions (permessage-deflate is negotiated from it).
  WsFrameConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec,
                    std::string_view pmd_offer);
  /// Writes `response` (the 101, ending with the header's blank line) and starts the stream.
  void start(std::string response);
  /// Refuses events once a close frame was sent (RFC 6455: no data after close); compresses when
  /// permessage-deflate was agreed.
  SendResult send(SharedBuffer framed) override;
  FrameFn framer() const override { return compressor_.framer(&frame_event); }
  /// One unmasked FIN text frame holding `data`.
  static SharedBuffer frame_event(std::uint64_t seq, std::string_view data);
  /// A ping frame (none after a close frame).
  void keepalive() override;
  /// The server's answer to a client control frame: a pong for a ping, a close echo for the
  /// first close (setting `close_sent`), nothing otherwise.
  static std::string control_reply(ws::Opcode op, std::string_view payload, bool& close_sent);
  /// A close frame with status 1000.
  static std::string normal_close();

 private:
  /// A close frame (1000) after the last event.
  std::string trailer() override;
  /// Decodes the client's frames: pings are answered, a close is echoed, data is discarded (or
  /// echoed); a protocol violation is answered with a close frame carrying its status code.
  bool on_client_bytes(std::string_view bytes) override;
  /// Request-reply (echo=1): the client's message comes back as an event.
  void on_message(ws::Opcode op, std::string_view payload, bool compressed) override;
  void on_control(ws::Opcode op, std::string_view payload) override;

  WsCompressor compressor_;
  ws::Decoder decoder_;
  bool close_sent_ = false;
  bool failed_ = false;  ///< the client violated the protocol: its further bytes are ignored
};

}  // namespace pushbench::server
