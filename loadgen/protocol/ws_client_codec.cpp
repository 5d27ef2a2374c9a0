#include "loadgen/protocol/ws_client_codec.hpp"

#include <variant>

#include "loadgen/protocol/errors.hpp"

namespace pushbench::loadgen {

WsClientCodec::WsClientCodec(SessionHandler& handler, std::size_t stream,
                             const SessionOptions& options, std::size_t max_reply_backlog)
    : handler_(handler),
      stream_(stream),
      fields_{{"Sec-WebSocket-Version", "13"}, {"User-Agent", "pushbench"}},
      max_message_bytes_(options.max_event_bytes),
      max_reply_backlog_(max_reply_backlog),
      mask_state_((options.seed + stream) * 0x9E3779B97F4A7C15ull + 1) {
  if (options.compression.algorithm == Compression::permessage_deflate) {
    compress::PmdParams offer;
    offer.server_max_window_bits = options.compression.window_bits;
    offer.server_no_context_takeover = options.compression.no_context_takeover;
    offer.client_no_context_takeover = options.compression.no_context_takeover;
    offered_ = offer;
    fields_.emplace_back("Sec-WebSocket-Extensions", compress::make_pmd_offer(offer));
  }
}

std::error_code WsClientCodec::on_response(const ResponseHead& head) {
  // RFC 6455 answers an upgrade with 101; RFC 8441 answers an extended CONNECT with 200.
  if (head.status != (head.http2 ? 200 : 101)) return LoadErrc::http_status;
  if (!head.websocket_extensions.empty()) {
    if (!offered_) return LoadErrc::unsupported_encoding;
    auto negotiated = compress::parse_pmd_response(head.websocket_extensions, *offered_);
    if (std::holds_alternative<std::error_code>(negotiated)) return LoadErrc::bad_handshake;
    const auto& params = std::get<std::optional<compress::PmdParams>>(negotiated);
    if (!params) return LoadErrc::unsupported_encoding;
    inflater_.emplace(*params, true, max_message_bytes_);
  }
  decoder_.emplace(static_cast<ws::Handler&>(*this), ws::Role::client, max_message_bytes_,
                   inflater_.has_value());
  return {};
}

std::error_code WsClientCodec::on_body(std::string_view bytes, std::string& out) {
  if (!decoder_ || bytes.empty()) return {};
  out_ = &out;
  if (const auto ec = decoder_->feed(bytes)) {
    return ec == ws::FrameError::message_too_big ? LoadErrc::event_too_large
                                                 : LoadErrc::protocol_error;
  }
  return std::exchange(message_error_, {});
}

std::error_code WsClientCodec::on_end() {
  // A WebSocket ends cleanly with a close frame, not with the end of its carrier alone.
  return finished_ ? std::error_code{} : make_error_code(LoadErrc::unexpected_eof);
}

void WsClientCodec::on_message(ws::Opcode op, std::string_view payload, bool compressed) {
  if (message_error_ || finished_) return;
  if (compressed) {
    // The decoder accepts RSV1 only when permessage-deflate was negotiated.
    if (inflater_->decompress(payload, inflated_)) {
      message_error_ = LoadErrc::decompress_error;
      return;
    }
    if (op == ws::Opcode::text && !ws::is_valid_utf8(inflated_)) {
      message_error_ = LoadErrc::protocol_error;
      return;
    }
    payload = inflated_;
  }
  handler_.on_event(stream_, payload, "message", {});
}

void WsClientCodec::on_control(ws::Opcode op, std::string_view payload) {
  if (message_error_) return;
  if (out_->size() > max_reply_backlog_) {
    message_error_ = LoadErrc::protocol_error;
    return;
  }
  if (op == ws::Opcode::ping && !close_sent_) {
    append(*out_, ws::Opcode::pong, payload);
  } else if (op == ws::Opcode::close) {
    finished_ = true;
    if (!close_sent_) append(*out_, ws::Opcode::close, ws::close_payload(1000));
    close_sent_ = true;
  }
}

bool WsClientCodec::send_message(std::string_view message, std::string& out) {
  if (!close_sent_) append(out, ws::Opcode::text, message);
  return true;
}

bool WsClientCodec::goodbye(std::string& out) {
  if (close_sent_ || !decoder_ || finished_) return false;
  append(out, ws::Opcode::close, ws::close_payload(1000));
  close_sent_ = true;
  return true;
}

void WsClientCodec::append(std::string& out, ws::Opcode op, std::string_view payload) {
  ws::append_frame(out, op, payload, true, next_mask());
}

std::uint32_t WsClientCodec::next_mask() {
  // xorshift64*: masks only need to be unpredictable to intermediaries, not cryptographic here.
  mask_state_ ^= mask_state_ >> 12;
  mask_state_ ^= mask_state_ << 25;
  mask_state_ ^= mask_state_ >> 27;
  return static_cast<std::uint32_t>((mask_state_ * 0x2545F4914F6CDD1Dull) >> 32);
}

}  // namespace pushbench::loadgen
