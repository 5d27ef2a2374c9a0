#include "servers/sse_connection.hpp"

#include <charconv>

#include "core/sse_encoder.hpp"

namespace pushbench::server {

void SseConnection::start() {
  begin_stream(
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/event-stream\r\n"
      "Cache-Control: no-cache\r\n"
      "Access-Control-Allow-Origin: *\r\n"
      "Transfer-Encoding: chunked\r\n"
      "\r\n");
}

SharedBuffer SseConnection::frame_event(std::uint64_t seq, std::string_view data) {
  char id[24];
  const auto id_end = std::to_chars(id, id + sizeof id, seq).ptr;
  const std::string_view id_view(id, id_end - id);
  const std::size_t body = sse::encoded_size(data, id_view);
  auto out = std::make_shared<std::string>();
  out->reserve(body + 16);
  char hex[20];
  const auto hex_end = std::to_chars(hex, hex + sizeof hex, body, 16).ptr;
  out->append(hex, hex_end);
  out->append("\r\n");
  sse::append_event(*out, data, id_view);
  out->append("\r\n");
  return out;
}

}  // namespace pushbench::server
