#pragma once
// An SSE stream over HTTP/1.1: the chunked-response carrier of an SseServerCodec. A chunked
// text/event-stream response, one chunk per event, optionally gzip/deflate content-coded.
#include <optional>

#include "servers/codec/sse_server_codec.hpp"
#include "servers/carrier/stream_connection.hpp"

namespace pushbench::server {

class SseConnection final : public StreamConnection, private SseCarrier {
 public:
  /// `coding`: the negotiated content coding, nullopt for identity.
  SseConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec,
                std::optional<compress::Format> coding);
  /// Writes the response header and starts the event stream.
  void start();
  /// Identity: events arrive chunk-framed. Compressed: as SSE text, compressed per connection.
  FrameFn framer() const override { return codec_.framer(); }
  /// Compresses and chunk-frames when coded.
  SendResult send(SharedBuffer framed) override { return codec_.send(std::move(framed)); }
  /// An SSE comment line (compressed like events when the response is coded).
  void keepalive() override { codec_.keepalive(); }

  /// `<hex length>\r\nid: <seq>\ndata: <data>\n\n\r\n`, in one allocation.
  static SharedBuffer frame_event(std::uint64_t seq, std::string_view data);

 private:
  /// The end of a compressed body, then the last chunk.
  std::string trailer() override;
  SendResult enqueue_bytes(SharedBuffer bytes) override { return enqueue(std::move(bytes)); }
  /// One HTTP/1.1 chunk.
  SharedBuffer frame_body(std::string_view body) override;
  void abort_stream(bool) override { close(boost::asio::error::invalid_argument); }

  SseServerCodec codec_;
};

}  // namespace pushbench::server
