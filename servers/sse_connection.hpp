#pragma once
// An SSE stream over HTTP/1.1: a chunked text/event-stream response, one chunk per event,
// optionally gzip/deflate content-coded with one compressor per response.
#include <optional>

#include "core/deflate.hpp"
#include "servers/stream_connection.hpp"

namespace pushbench::server {

class SseConnection final : public StreamConnection {
 public:
  /// `coding`: the negotiated content coding, nullopt for identity.
  SseConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec,
                std::optional<compress::Format> coding);
  /// Writes the response header and starts the event stream.
  void start();
  /// Identity: events arrive chunk-framed. Compressed: as SSE text, compressed per connection.
  FrameFn framer() const override { return deflater_ ? &frame_text : &frame_event; }
  /// Compresses (context takeover, sync flush per event) and chunk-frames when coded.
  SendResult send(SharedBuffer framed) override;
  /// An SSE comment line (compressed like events when the response is coded).
  void keepalive() override;
  /// Queues SSE text that is not an event (a comment, a retry field), compressed when coded.
  void send_text(std::string text);

  /// `<hex length>\r\nid: <seq>\ndata: <data>\n\n\r\n`.
  static SharedBuffer frame_event(std::uint64_t seq, std::string_view data);
  /// `id: <seq>\ndata: <data>\n\n`.
  static SharedBuffer frame_text(std::uint64_t seq, std::string_view data);

 private:
  std::string trailer() override;
  std::optional<compress::Format> coding_;
  std::optional<compress::Deflater> deflater_;
  std::string compressed_;  ///< reused output buffer
};

}  // namespace pushbench::server
