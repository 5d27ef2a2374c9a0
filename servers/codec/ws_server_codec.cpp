#include "servers/codec/ws_server_codec.hpp"

#include "servers/stream/context.hpp"

namespace pushbench::server {

namespace {

std::string normal_close(std::uint16_t code = 1000) {
  std::string out;
  ws::append_frame(out, ws::Opcode::close, ws::close_payload(code));
  return out;
}

}  // namespace

WsServerCodec::WsServerCodec(ThreadContext& ctx, const StreamSpec& spec, std::string_view pmd_offer,
                             WsCarrier& carrier)
    : ctx_(ctx),
      carrier_(carrier),
      compressor_(*ctx.config, pmd_offer, spec.topic.has_value()),
      decoder_(static_cast<ws::Handler&>(*this), ws::Role::server, ctx.config->max_message_bytes,
               compressor_.active()),
      echo_(spec.echo) {}

SendResult WsServerCodec::send(SharedBuffer framed) {
  if (close_sent_) return SendResult::dropped;
  auto frame = compressor_.encode(std::move(framed));
  if (!frame) {
    carrier_.abort_stream(false);
    return SendResult::dropped;
  }
  return carrier_.enqueue_bytes(std::move(frame));
}

SharedBuffer WsServerCodec::frame_event(std::uint64_t, std::string_view data) {
  auto out = std::make_shared<std::string>();
  out->reserve(data.size() + ws::max_header_bytes);
  ws::append_frame(*out, ws::Opcode::text, data);
  return out;
}

void WsServerCodec::keepalive() {
  if (close_sent_) return;
  auto ping = std::make_shared<std::string>();
  ws::append_frame(*ping, ws::Opcode::ping, {});
  carrier_.enqueue_bytes(std::move(ping));
}

std::error_code WsServerCodec::feed(std::string_view bytes) {
  if (failed_) return {};  // our failing close frame is on its way; the rest is discarded
  const auto ec = decoder_.feed(bytes);
  failed_ = static_cast<bool>(ec);
  return ec;
}

std::string WsServerCodec::failure_close(std::error_code ec) {
  if (close_sent_) return {};
  close_sent_ = true;
  const std::uint16_t code = ec == ws::FrameError::invalid_utf8      ? 1007
                             : ec == ws::FrameError::message_too_big ? 1009
                                                                     : 1002;
  std::string out;
  ws::append_frame(out, ws::Opcode::close, ws::close_payload(code));
  return out;
}

std::string WsServerCodec::trailer() {
  if (close_sent_) return {};
  close_sent_ = true;
  return normal_close(end_code_);
}

void WsServerCodec::on_message(ws::Opcode, std::string_view payload, bool compressed) {
  if (!echo_) return;
  const auto text = compressor_.message(payload, compressed);
  if (!text) return carrier_.abort_stream(true);
  if (send(framer()(0, *text)) != SendResult::dropped) ctx_.stats.add(ctx_.stats.events_sent);
}

void WsServerCodec::on_control(ws::Opcode op, std::string_view payload) {
  if (op == ws::Opcode::ping) {
    auto pong = std::make_shared<std::string>();
    ws::append_frame(*pong, ws::Opcode::pong, payload);
    carrier_.enqueue_bytes(std::move(pong));
  } else if (op == ws::Opcode::close && !close_sent_) {
    // Echo the close; once it is written the stream ends (RFC 6455 sections 5.5.1, 7.1.1).
    close_sent_ = true;
    carrier_.enqueue_bytes(std::make_shared<const std::string>(normal_close()));
    carrier_.end_stream();
  }
}

}  // namespace pushbench::server
