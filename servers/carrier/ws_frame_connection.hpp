#pragma once
// A WebSocket event stream framed by us after Beast's handshake, over HTTP/1.1: the byte-stream
// carrier of a WsServerCodec. Frames are queued and gathered into one write like SSE chunks and
// raw lines, so the transports differ only by their bytes. Used unless --ws-pmd-engine beast
// asks for Beast's permessage-deflate (one message per write) over cleartext.
#include "servers/carrier/stream_connection.hpp"
#include "servers/codec/ws_server_codec.hpp"

namespace pushbench::server {

class WsFrameConnection final : public StreamConnection, private WsCarrier {
 public:
  /// `pmd_offer`: the client's Sec-WebSocket-Extensions (permessage-deflate is negotiated from it).
  WsFrameConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec,
                    std::string_view pmd_offer);
  /// Writes `response` (the 101, ending with the header's blank line) and starts the stream.
  void start(std::string response);
  SendResult send(SharedBuffer framed) override { return codec_.send(std::move(framed)); }
  FrameFn framer() const override { return codec_.framer(); }
  void keepalive() override { codec_.keepalive(); }
  /// Shutdown: the stream ends with a close frame 1001 (going away).
  void go_away() override {
    codec_.going_away();
    StreamConnection::go_away();
  }

 private:
  std::string trailer() override { return codec_.trailer(); }
  /// A protocol violation by the client fails the connection (RFC 6455 section 7.1.7): a close
  /// frame with its status code, then the end of the stream; without one to send, at once.
  bool on_client_bytes(std::string_view bytes) override;
  SendResult enqueue_bytes(SharedBuffer bytes) override { return enqueue(std::move(bytes)); }
  void end_stream() override { finish(); }
  void abort_stream(bool) override { close(boost::asio::error::invalid_argument); }

  WsServerCodec codec_;
};

}  // namespace pushbench::server
