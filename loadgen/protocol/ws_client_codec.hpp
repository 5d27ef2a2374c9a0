#pragma once
// The client side of WebSocket (RFC 6455) on one stream, over an HTTP/1.1 upgrade or an HTTP/2
// extended CONNECT: negotiates permessage-deflate, decodes server frames into messages, answers
// pings, ends cleanly on a close frame and masks what it sends.
#include <optional>
#include <string>

#include "core/codec/permessage_deflate.hpp"
#include "core/codec/ws_frame.hpp"
#include "loadgen/protocol/client_codec.hpp"

namespace pushbench::loadgen {

class WsClientCodec final : public ClientCodec, private ws::Handler {
 public:
  /// Messages go to `handler` as stream `stream`; `options` sets the permessage-deflate offer,
  /// the bound on one message and the mask seed; see make_client_codec for `max_reply_backlog`.
  WsClientCodec(SessionHandler& handler, std::size_t stream, const SessionOptions& options,
                std::size_t max_reply_backlog);
  /// Sec-WebSocket-Version, User-Agent and, when offering compression, Sec-WebSocket-Extensions.
  const HeaderFields& request_fields() const override { return fields_; }
  std::string_view tunnel_protocol() const override { return "websocket"; }
  /// 101 (HTTP/1.1) or 200 (HTTP/2), and an extension answer that matches our offer.
  std::error_code on_response(const ResponseHead& head) override;
  /// Frames; pongs and our close reply go to `out`. protocol_error, event_too_large,
  /// decompress_error.
  std::error_code on_body(std::string_view bytes, std::string& out) override;
  /// END_STREAM or EOF without a close frame is unexpected_eof.
  std::error_code on_end() override;
  bool finished() const override { return finished_; }
  bool compressed() const override { return inflater_.has_value(); }
  /// One masked text frame (nothing once our close frame is queued).
  bool send_message(std::string_view message, std::string& out) override;
  /// Our close frame (1000), once, after a successful handshake.
  bool goodbye(std::string& out) override;
  bool upstream_done() const override { return close_sent_; }

 private:
  void on_message(ws::Opcode op, std::string_view payload, bool compressed) override;
  void on_control(ws::Opcode op, std::string_view payload) override;
  /// Appends one masked client frame to `out`.
  void append(std::string& out, ws::Opcode op, std::string_view payload);
  /// The next client frame mask.
  std::uint32_t next_mask();

  SessionHandler& handler_;
  std::size_t stream_;                          ///< the stream index reported with each message
  HeaderFields fields_;                         ///< request_fields()
  std::optional<compress::PmdParams> offered_;  ///< our permessage-deflate offer, if any
  std::optional<ws::Decoder> decoder_;          ///< made once the handshake says if RSV1 may be set
  std::optional<compress::PmdInflater> inflater_;  ///< when permessage-deflate was agreed
  std::string inflated_;                        ///< reused decompression output
  std::size_t max_message_bytes_;               ///< bound on one (decompressed) message
  std::size_t max_reply_backlog_;               ///< see make_client_codec
  std::uint64_t mask_state_;                    ///< xorshift64* state for client frame masks
  std::error_code message_error_;               ///< an error raised inside a decoder callback
  std::string* out_ = nullptr;                  ///< where control replies go during on_body()
  bool finished_ = false;                       ///< the server's close frame arrived
  bool close_sent_ = false;                     ///< our close frame is queued
};

}  // namespace pushbench::loadgen
