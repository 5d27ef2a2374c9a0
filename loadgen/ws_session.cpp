#include "loadgen/ws_session.hpp"

#include <boost/beast/http/error.hpp>

#include "core/text.hpp"
#include "core/ws_handshake.hpp"
#include "loadgen/errors.hpp"

namespace pushbench::loadgen {

namespace {
constexpr std::size_t kHeaderLimit = 16 << 10;
}  // namespace

WsSession::WsSession(const Target& target, const StreamSpec& spec, const SessionOptions& options,
                     SessionHandler& handler)
    : key_(ws::make_client_key(options.seed)),
      handler_(handler),
      reader_(kHeaderLimit, [](std::string_view) { return std::error_code{}; }),
      max_message_bytes_(options.max_event_bytes),
      mask_state_(options.seed * 0x9E3779B97F4A7C15ull + 1) {
  std::string extensions;
  if (options.compression.algorithm == Compression::permessage_deflate) {
    compress::PmdParams offer;
    offer.server_max_window_bits = options.compression.window_bits;
    offer.server_no_context_takeover = options.compression.no_context_takeover;
    offer.client_no_context_takeover = options.compression.no_context_takeover;
    offered_ = offer;
    extensions = "Sec-WebSocket-Extensions: " + compress::make_pmd_offer(offer) + "\r\n";
  }
  request_ = "GET " + target.request_target(spec, options.add_workload_query) +
             " HTTP/1.1\r\nHost: " + target.host_header() +
             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key_ +
             "\r\nSec-WebSocket-Version: 13\r\nUser-Agent: pushbench\r\n" + extensions + "\r\n";
}

std::string WsSession::initial_request() { return request_; }

bool WsSession::send_message(std::size_t, std::string_view message, std::string& out) {
  if (close_sent_) return true;
  ws::append_frame(out, ws::Opcode::text, message, true, next_mask());
  return true;
}

std::uint32_t WsSession::next_mask() {
  // xorshift64*: masks only need to be unpredictable to intermediaries, not cryptographic here.
  mask_state_ ^= mask_state_ >> 12;
  mask_state_ ^= mask_state_ << 25;
  mask_state_ ^= mask_state_ >> 27;
  return static_cast<std::uint32_t>((mask_state_ * 0x2545F4914F6CDD1Dull) >> 32);
}

std::error_code WsSession::on_read(std::string_view bytes, std::string& out) {
  out_ = &out;
  if (!established_) {
    std::error_code ec;
    const auto used = reader_.feed(bytes, ec);
    if (ec) return LoadErrc::bad_handshake;
    if (!reader_.header_done()) return {};
    if (reader_.status() != 101) return LoadErrc::http_status;
    if (!iequals(reader_.upgrade(), "websocket") ||
        reader_.websocket_accept() != ws::accept_key(key_))
      return LoadErrc::bad_handshake;
    if (const auto& ext = reader_.websocket_extensions(); !ext.empty()) {
      if (!offered_) return LoadErrc::unsupported_encoding;
      auto negotiated = compress::parse_pmd_response(ext, *offered_);
      if (std::holds_alternative<std::error_code>(negotiated)) return LoadErrc::bad_handshake;
      if (const auto& params = std::get<std::optional<compress::PmdParams>>(negotiated)) {
        inflater_.emplace(*params, true, max_message_bytes_);
      } else {
        return LoadErrc::unsupported_encoding;
      }
    }
    decoder_.emplace(static_cast<ws::Handler&>(*this), ws::Role::client, max_message_bytes_,
                     inflater_.has_value());
    established_ = true;
    handler_.on_established();
    bytes.remove_prefix(used);
  }
  if (bytes.empty()) return {};
  if (decoder_->feed(bytes)) return LoadErrc::protocol_error;
  return std::exchange(message_error_, {});
}

void WsSession::on_message(ws::Opcode op, std::string_view payload, bool compressed) {
  if (message_error_) return;
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
  handler_.on_event(0, payload, "message", {});
}

void WsSession::on_control(ws::Opcode op, std::string_view payload) {
  if (op == ws::Opcode::ping) {
    ws::append_frame(*out_, ws::Opcode::pong, payload, true, next_mask());
  } else if (op == ws::Opcode::close) {
    finished_ = true;
    if (!close_sent_) {
      close_sent_ = true;
      ws::append_frame(*out_, ws::Opcode::close, ws::close_payload(1000), true, next_mask());
    }
  }
}

std::string WsSession::goodbye() {
  if (close_sent_ || !established_) return {};
  close_sent_ = true;
  std::string out;
  ws::append_frame(out, ws::Opcode::close, ws::close_payload(1000), true, next_mask());
  return out;
}

std::error_code WsSession::on_eof() {
  if (finished_) return {};
  return LoadErrc::unexpected_eof;
}

}  // namespace pushbench::loadgen
