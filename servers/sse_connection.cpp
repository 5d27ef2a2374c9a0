#include "servers/sse_connection.hpp"

#include <charconv>

#include "core/sse_encoder.hpp"
#include "servers/content_coding.hpp"

namespace pushbench::server {

namespace {

/// Appends `body` as one HTTP/1.1 chunk.
void append_chunk(std::string& out, std::string_view body) {
  char hex[20];
  const auto hex_end = std::to_chars(hex, hex + sizeof hex, body.size(), 16).ptr;
  out.append(hex, hex_end);
  out.append("\r\n");
  out.append(body);
  out.append("\r\n");
}

/// Appends the SSE encoding of one event (`id: <seq>` and its data lines).
void append_sse(std::string& out, std::uint64_t seq, std::string_view data) {
  char id[24];
  const auto id_end = std::to_chars(id, id + sizeof id, seq).ptr;
  sse::append_event(out, data, std::string_view(id, id_end - id));
}

}  // namespace

SseConnection::SseConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec, std::optional<compress::Format> coding)
    : StreamConnection(ctx, std::move(stream), std::move(spec)), coding_(coding) {
  if (coding_) deflater_ = make_sse_deflater(*ctx.config, *coding_);
}

void SseConnection::start() {
  std::string header =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/event-stream\r\n"
      "Cache-Control: no-cache\r\n"
      "Access-Control-Allow-Origin: *\r\n"
      "Transfer-Encoding: chunked\r\n";
  if (deflater_) {
    header += "Content-Encoding: " + std::string(content_coding_name(*coding_)) +
              "\r\nVary: Accept-Encoding\r\n";
  }
  if (spec_.retry_ms) {
    // The reconnection time comes first, before any event (WHATWG "retry" field).
    enqueue(std::make_shared<const std::string>(header + "\r\n"));
    send_text("retry: " + std::to_string(*spec_.retry_ms) + "\n\n");
    return begin_stream({});
  }
  begin_stream(header + "\r\n");
}

SharedBuffer SseConnection::frame_text(std::uint64_t seq, std::string_view data) {
  auto out = std::make_shared<std::string>();
  out->reserve(data.size() + 32);
  append_sse(*out, seq, data);
  return out;
}

SharedBuffer SseConnection::frame_event(std::uint64_t seq, std::string_view data) {
  std::string body;
  body.reserve(data.size() + 32);
  append_sse(body, seq, data);
  auto out = std::make_shared<std::string>();
  out->reserve(body.size() + 16);
  append_chunk(*out, body);
  return out;
}

SendResult SseConnection::send(SharedBuffer framed) {
  if (!deflater_) return enqueue(std::move(framed));
  compressed_.clear();
  if (compress_sse_event(*ctx_.config, *deflater_, *framed, compressed_)) {
    close(boost::asio::error::invalid_argument);
    return SendResult::dropped;
  }
  auto chunk = std::make_shared<std::string>();
  chunk->reserve(compressed_.size() + 16);
  append_chunk(*chunk, compressed_);
  return enqueue(std::move(chunk));
}

void SseConnection::keepalive() {
  std::string comment;
  sse::append_comment(comment, "keep-alive");
  comment += '\n';
  send_text(std::move(comment));
}

void SseConnection::send_text(std::string text) {
  if (deflater_) {
    send(std::make_shared<const std::string>(std::move(text)));
  } else {
    auto chunk = std::make_shared<std::string>();
    append_chunk(*chunk, text);
    enqueue(std::move(chunk));
  }
}

std::string SseConnection::trailer() {
  std::string out;
  if (deflater_) {
    compressed_.clear();
    if (!deflater_->finish(compressed_) && !compressed_.empty()) append_chunk(out, compressed_);
  }
  out += "0\r\n\r\n";
  return out;
}

}  // namespace pushbench::server
