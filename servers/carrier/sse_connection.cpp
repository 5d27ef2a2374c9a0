#include "servers/carrier/sse_connection.hpp"

#include <charconv>

#include "core/codec/sse_encoder.hpp"
#include "servers/codec/content_coding.hpp"

namespace pushbench::server {

namespace {

/// Appends the chunk-size line of a chunk of `size` bytes.
void append_chunk_size(std::string& out, std::size_t size) {
  char hex[20];
  const auto hex_end = std::to_chars(hex, hex + sizeof hex, size, 16).ptr;
  out.append(hex, hex_end);
  out.append("\r\n");
}

/// Appends `body` as one HTTP/1.1 chunk.
void append_chunk(std::string& out, std::string_view body) {
  append_chunk_size(out, body.size());
  out.append(body);
  out.append("\r\n");
}

}  // namespace

SseConnection::SseConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec,
                             std::optional<compress::Format> coding)
    : StreamConnection(ctx, std::move(stream), std::move(spec)),
      codec_(*ctx.config, coding, &frame_event, *this) {}

void SseConnection::start() {
  std::string header =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/event-stream\r\n"
      "Cache-Control: no-cache\r\n"
      "Access-Control-Allow-Origin: *\r\n"
      "Transfer-Encoding: chunked\r\n";
  if (const auto coding = codec_.coding()) {
    header += "Content-Encoding: " + std::string(content_coding_name(*coding)) +
              "\r\nVary: Accept-Encoding\r\n";
  }
  if (spec_->retry_ms) {
    // The reconnection time comes first, before any event (WHATWG "retry" field).
    enqueue(std::make_shared<const std::string>(header + "\r\n"));
    codec_.send_text("retry: " + std::to_string(*spec_->retry_ms) + "\n\n");
    return begin_stream({});
  }
  begin_stream(header + "\r\n");
}

SharedBuffer SseConnection::frame_event(std::uint64_t seq, std::string_view data) {
  char id[24];
  const auto id_end = std::to_chars(id, id + sizeof id, seq).ptr;
  const std::string_view id_text(id, id_end - id);
  const std::size_t body = sse::encoded_size(data, id_text);
  auto out = std::make_shared<std::string>();
  out->reserve(body + 24);  // at most 16 hex digits and two CRLFs around the body
  append_chunk_size(*out, body);
  sse::append_event(*out, data, id_text);
  out->append("\r\n");
  return out;
}

SharedBuffer SseConnection::frame_body(std::string_view body) {
  auto chunk = std::make_shared<std::string>();
  chunk->reserve(body.size() + 24);
  append_chunk(*chunk, body);
  return chunk;
}

std::string SseConnection::trailer() {
  std::string out;
  if (const auto tail = codec_.finish_body(); !tail.empty()) append_chunk(out, tail);
  out += "0\r\n\r\n";
  return out;
}

}  // namespace pushbench::server
