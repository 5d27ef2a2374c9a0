#pragma once
// One HTTP/2 stream of an H2Connection: a bounded queue of encoded bytes that nghttp2's data
// provider drains into DATA frames as flow control allows. A stalled stream fills only its own
// queue (and is reset when the queue limit is hit); the connection's other streams go on.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "servers/codec/sse_server_codec.hpp"
#include "servers/codec/ws_server_codec.hpp"
#include "servers/stream/event_stream.hpp"

namespace pushbench::server {

class H2Connection;

class H2Stream : public EventSink, public std::enable_shared_from_this<H2Stream> {
 public:
  /// `conn` outlives the stream or calls detach() first.
  H2Stream(H2Connection& conn, std::int32_t id, StreamSpec spec);
  ~H2Stream() override;
  std::int32_t id() const { return id_; }
  /// The stream's parameters; valid until begin().
  const StreamSpec& spec() const { return *spec_; }
  /// Starts the event stream (after the response header was submitted) and frees the spec.
  void begin();
  SendResult send(SharedBuffer framed) override { return enqueue(std::move(framed)); }
  /// Queues the trailer; the stream ends (END_STREAM) once the queue is drained.
  void finish() override;
  /// Closes the whole connection at once (what a crashed server or a proxy timeout does).
  void drop() override;
  /// DATA the client sent on this stream; false resets the stream.
  virtual bool on_client_data(std::string_view bytes) { return true; }
  /// The client ended its side of the stream.
  virtual void on_client_end() {}
  /// The data provider: copies up to `length` queued bytes to `buf` and returns their number.
  /// The call that empties the queue ends nghttp2's DATA item (NGHTTP2_DATA_FLAG_EOF, with
  /// NO_END_STREAM unless the stream is finished), so that an idle stream holds no item; it
  /// returns NGHTTP2_ERR_DEFERRED when nothing is queued.
  long read(std::uint8_t* buf, std::size_t length, std::uint32_t* flags);
  /// Our response HEADERS were sent: DATA may follow.
  void on_headers_sent();
  /// A DATA frame of this stream was sent; after the one that ended an item, queued bytes get
  /// a new item.
  void on_data_sent();
  /// The stream or its connection closed: no more events, no more calls into the connection.
  void detach();
  /// The connection is going away (GOAWAY sent): no more events; what is queued stays.
  void stop_events();

 protected:
  /// Queues bytes as given; on a full queue the client is dropped: the stream is reset (CANCEL).
  SendResult enqueue(SharedBuffer bytes);
  /// Bytes after the last event (a WebSocket close frame, the end of a compressed stream).
  virtual std::string trailer() { return {}; }
  /// Submits a DATA item when the response is open, none is pending and there is something to
  /// send (queued bytes, or the end of the stream).
  void submit_data();

  ThreadContext& ctx_;
  H2Connection* conn_;  ///< null once detached
  std::int32_t id_;
  std::unique_ptr<StreamSpec> spec_;  ///< until begin() (the event source keeps what it needs)

 private:
  /// Where the stream's DATA item (nghttp2's outbound item, ~150 bytes) stands.
  enum class Data : std::uint8_t {
    unopened,  ///< the response HEADERS are not sent yet
    none,      ///< no item: the queue was empty when the last one ended
    active,    ///< an item is submitted and reads the queue
    ending,    ///< read() ended the item; nghttp2 frees it once that frame is sent
    done,      ///< the last DATA frame (END_STREAM) was produced
  };

  SendQueue queue_;
  std::size_t front_offset_ = 0;  ///< bytes of the queue's front message already copied
  Data data_ = Data::unopened;
  bool finishing_ = false;
  std::shared_ptr<EventSource> source_;
};

/// A fixed response body (an error, /health, /stats).
class H2BodyStream final : public H2Stream {
 public:
  H2BodyStream(H2Connection& conn, std::int32_t id, std::string body);
  FrameFn framer() const override { return nullptr; }
  void keepalive() override {}
};

/// SSE over HTTP/2: the HTTP/2 carrier of an SseServerCodec (events as `id:`/`data:` text in
/// DATA frames, optionally content-coded).
class H2SseStream final : public H2Stream, private SseCarrier {
 public:
  /// `coding`: the negotiated content coding, nullopt for identity.
  H2SseStream(H2Connection& conn, std::int32_t id, StreamSpec spec,
              std::optional<compress::Format> coding);
  FrameFn framer() const override { return codec_.framer(); }
  SendResult send(SharedBuffer framed) override { return codec_.send(std::move(framed)); }
  /// An SSE comment line.
  void keepalive() override { codec_.keepalive(); }
  /// The content coding in effect (nullopt when identity).
  std::optional<compress::Format> coding() const { return codec_.coding(); }

 private:
  std::string trailer() override { return codec_.finish_body(); }
  SendResult enqueue_bytes(SharedBuffer bytes) override { return enqueue(std::move(bytes)); }
  /// DATA frames need no framing of ours: a copy of `body`.
  SharedBuffer frame_body(std::string_view body) override {
    return std::make_shared<const std::string>(body);
  }
  /// Resets the stream (INTERNAL_ERROR).
  void abort_stream(bool) override;

  SseServerCodec codec_;
};

/// A WebSocket over HTTP/2 (RFC 8441): the HTTP/2 carrier of a WsServerCodec (RFC 6455 frames
/// in DATA frames, both directions).
class H2WsStream final : public H2Stream, private WsCarrier {
 public:
  /// `pmd_offer`: the client's sec-websocket-extensions (permessage-deflate is negotiated).
  H2WsStream(H2Connection& conn, std::int32_t id, StreamSpec spec, std::string_view pmd_offer);
  FrameFn framer() const override { return codec_.framer(); }
  SendResult send(SharedBuffer framed) override { return codec_.send(std::move(framed)); }
  /// The sec-websocket-extensions response value; empty when uncompressed.
  std::string extensions() const { return codec_.extensions(); }
  void keepalive() override { codec_.keepalive(); }
  /// A protocol violation by the client resets the stream.
  /// A protocol violation resets this stream only (the tunnel's equivalent of dropping TCP).
  bool on_client_data(std::string_view bytes) override { return !codec_.feed(bytes); }
  /// The client ended its side without a close frame: end ours.
  void on_client_end() override { finish(); }

 private:
  std::string trailer() override { return codec_.trailer(); }
  SendResult enqueue_bytes(SharedBuffer bytes) override { return enqueue(std::move(bytes)); }
  void end_stream() override { finish(); }
  /// Resets the stream (PROTOCOL_ERROR for the client's fault, else INTERNAL_ERROR).
  void abort_stream(bool client_error) override;

  WsServerCodec codec_;
};

}  // namespace pushbench::server
