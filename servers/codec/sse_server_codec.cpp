#include "servers/codec/sse_server_codec.hpp"

#include <charconv>

#include "core/codec/sse_encoder.hpp"
#include "servers/codec/content_coding.hpp"

namespace pushbench::server {

SseServerCodec::SseServerCodec(const ServerConfig& config, std::optional<compress::Format> coding,
                               FrameFn identity_framer, SseCarrier& carrier)
    : config_(config), coding_(coding), identity_framer_(identity_framer), carrier_(carrier) {
  if (coding_) deflater_ = make_sse_deflater(config, *coding_);
}

SharedBuffer SseServerCodec::frame_text(std::uint64_t seq, std::string_view data) {
  char id[24];
  const auto id_end = std::to_chars(id, id + sizeof id, seq).ptr;
  const std::string_view id_text(id, id_end - id);
  auto out = std::make_shared<std::string>();
  out->reserve(sse::encoded_size(data, id_text));
  sse::append_event(*out, data, id_text);
  return out;
}

SendResult SseServerCodec::send(SharedBuffer framed) {
  if (!deflater_) return carrier_.enqueue_bytes(std::move(framed));
  compressed_.clear();
  if (compress_sse_event(config_, *deflater_, *framed, compressed_)) {
    carrier_.abort_stream(false);
    return SendResult::dropped;
  }
  return carrier_.enqueue_bytes(carrier_.frame_body(compressed_));
}

void SseServerCodec::send_text(std::string_view text) {
  if (deflater_) {
    send(std::make_shared<const std::string>(text));
  } else {
    carrier_.enqueue_bytes(carrier_.frame_body(text));
  }
}

void SseServerCodec::keepalive() {
  std::string comment;
  sse::append_comment(comment, "keep-alive");
  comment += '\n';
  send_text(comment);
}

std::string SseServerCodec::finish_body() {
  std::string out;
  if (deflater_ && deflater_->finish(out)) out.clear();
  return out;
}

}  // namespace pushbench::server
