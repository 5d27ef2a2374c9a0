#pragma once
// The server side of a WebSocket event stream (RFC 6455, permessage-deflate), whatever carries
// it: our HTTP/1.1 framing (WsFrameConnection) or an HTTP/2 extended CONNECT stream (H2WsStream).
// It frames and compresses events, answers pings, echoes the client's close, turns echo=1
// messages into events and refuses data after our close frame; the carrier only queues bytes.
#include <string>
#include <string_view>
#include <system_error>

#include "core/codec/ws_frame.hpp"
#include "servers/codec/codec_carrier.hpp"
#include "servers/codec/ws_compressor.hpp"

namespace pushbench::server {

/// What a WsServerCodec asks of the carrier of its stream.
class WsCarrier : public CodecCarrier {
 public:
  /// Ends the stream once the queue is drained (the client's close was echoed).
  virtual void end_stream() = 0;
};

class WsServerCodec final : private ws::Handler {
 public:
  /// `pmd_offer`: the client's Sec-WebSocket-Extensions (permessage-deflate is negotiated from
  /// it); `spec`: the stream's parameters (topic, echo), read here; the carrier outlives the codec.
  WsServerCodec(ThreadContext& ctx, const StreamSpec& spec, std::string_view pmd_offer,
                WsCarrier& carrier);
  /// The event framer (shared per broadcast when the compressed frame can be shared).
  FrameFn framer() const { return compressor_.framer(&frame_event); }
  /// The Sec-WebSocket-Extensions answer; empty when uncompressed.
  std::string extensions() const { return compressor_.response(); }
  /// Compresses when agreed and queues; refuses events once a close frame was sent (RFC 6455:
  /// no data after close).
  SendResult send(SharedBuffer framed);
  /// A ping frame (none after a close frame).
  void keepalive();
  /// A close frame (1000, or 1001 after going_away()) after the last event, unless one was sent.
  std::string trailer();
  /// The server is shutting down: the trailer's close frame carries 1001 (going away).
  void going_away() { end_code_ = 1001; }
  /// Decodes the client's frames. A protocol violation (RFC 6455) comes back as its error and
  /// every later byte is ignored; the carrier fails the stream: over HTTP/1.1 with
  /// failure_close(ec) and the end of the stream, over HTTP/2 with RST_STREAM.
  std::error_code feed(std::string_view bytes);
  /// The close frame that fails the connection after violation `ec` (RFC 6455 section 7.4.1:
  /// 1007 for text that is not UTF-8, 1009 for a message above the bound, 1002 otherwise); empty
  /// when our close frame was already sent.
  std::string failure_close(std::error_code ec);

  /// One unmasked FIN text frame holding `data`.
  static SharedBuffer frame_event(std::uint64_t seq, std::string_view data);

 private:
  /// Request-reply (echo=1): the client's message comes back as an event.
  void on_message(ws::Opcode op, std::string_view payload, bool compressed) override;
  /// Ping: pong. The first close: our echo, then the stream ends.
  void on_control(ws::Opcode op, std::string_view payload) override;

  ThreadContext& ctx_;
  WsCarrier& carrier_;
  WsCompressor compressor_;
  ws::Decoder decoder_;
  bool echo_;  ///< request-reply (spec.echo): the client's messages come back as events
  bool close_sent_ = false;        ///< our close frame is queued
  std::uint16_t end_code_ = 1000;  ///< the status code of trailer()'s close frame
  bool failed_ = false;  ///< the client violated the protocol: its further bytes are ignored
};

}  // namespace pushbench::server
