#pragma once
// An HTTP/2 connection (nghttp2's server session driven from Asio): SSE streams as GET responses,
// WebSockets as RFC 8441 extended CONNECT streams, /health and /stats; many streams, one socket.
// Reads feed nghttp2_session_mem_recv; one write is in flight, filled by nghttp2_session_mem_send.
#include <nghttp2/nghttp2.h>

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/net/conn_stream.hpp"
#include "servers/carrier/h2_stream.hpp"
#include "servers/stream/context.hpp"

namespace pushbench::server {

class H2Connection : public Drainable, public std::enable_shared_from_this<H2Connection> {
 public:
  /// `initial`: bytes already read from the client (the cleartext connection preface).
  H2Connection(ThreadContext& ctx, ConnStream stream, std::string initial);
  ~H2Connection() override;
  /// Sends our SETTINGS, processes `initial` and starts reading.
  void start();
  /// Stream `id` queued more bytes for its DATA item: resumes the item where nghttp2 deferred it
  /// and flushes soon.
  void resume(std::int32_t id);
  /// Submits a DATA item for stream `id` that reads from `stream` (END_STREAM once the stream
  /// says EOF without NO_END_STREAM) and flushes soon; false when nghttp2 refused it (the
  /// stream is closing).
  bool submit_data(std::int32_t id, H2Stream* stream);
  /// Resets stream `id` with `error_code` (an nghttp2_error_code).
  void reset(std::int32_t id, std::uint32_t error_code);
  /// Closes the connection at once, without GOAWAY (fault injection).
  void drop() { close({}); }
  /// Shutdown: GOAWAY with NO_ERROR and the last stream id we processed
  /// (nghttp2_session_terminate_session), flushed; then our side of TCP is shut and what the
  /// client still sends is discarded until it closes.
  void go_away() override;
  ThreadContext& ctx() { return ctx_; }

 private:
  /// The request header fields we act on, collected per stream.
  struct Request {
    std::string method, path, scheme, authority, protocol;  ///< pseudo-header fields
    std::string accept_encoding;                              ///< accept-encoding
    std::string last_event_id;                                ///< last-event-id
    std::string ws_version;                                   ///< sec-websocket-version
    std::string ws_extensions;                                ///< sec-websocket-extensions
    std::size_t header_bytes = 0;  ///< name and value bytes seen, bounded by max_header_bytes
    std::string body;              ///< request body (POST /send), bounded by max_message_bytes
    bool body_too_large = false;
  };

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t flags, void* self);
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_data_chunk(nghttp2_session*, std::uint8_t flags, std::int32_t stream_id,
                           const std::uint8_t* data, std::size_t len, void* self);
  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code,
                             void* self);
  static long read_data(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf,
                        std::size_t length, std::uint32_t* flags, nghttp2_data_source* source,
                        void* self);

  class StreamCarrier;
  /// Dispatches a complete request of stream `id` (servers/carrier/dispatch.hpp); a POST /send once its
  /// body is complete.
  void on_request(std::int32_t id, Request& req);
  /// Answers with `status` and a one-line plain-text reason.
  void respond_error(std::int32_t id, int status, const std::string& reason);
  /// Submits the response header `fields` (name, value pairs after :status) and attaches
  /// `stream` as the body (its DATA items follow once the HEADERS are sent).
  void respond(std::int32_t id, int status,
               std::initializer_list<std::pair<std::string_view, std::string_view>> fields,
               std::shared_ptr<H2Stream> stream);
  void do_read();
  void on_read(boost::system::error_code ec, std::size_t n);
  /// Feeds received bytes to nghttp2; false when the connection must end.
  bool receive(const char* data, std::size_t n);
  void schedule_flush();
  /// Moves nghttp2's pending output into one write, unless a write is in flight.
  void flush();
  void close(boost::system::error_code ec);
  /// Every few seconds: closes a connection whose write has not progressed (a client that stopped
  /// reading) or that carries no stream and sent nothing for a while.
  void arm_watchdog();

  ThreadContext& ctx_;
  ConnStream stream_;
  std::string initial_;
  std::unique_ptr<nghttp2_session, void (*)(nghttp2_session*)> session_;
  std::unordered_map<std::int32_t, Request> requests_;  ///< requests being received
  std::unordered_map<std::int32_t, std::shared_ptr<H2Stream>> streams_;
  std::array<char, 16 << 10> read_buf_{};
  boost::asio::steady_timer watchdog_;
  std::chrono::steady_clock::time_point write_started_;  ///< of the write in flight
  std::chrono::steady_clock::time_point last_read_;      ///< of the last bytes received
  std::string write_buf_;
  bool writing_ = false;
  bool flush_posted_ = false;
  bool flushing_ = false;  ///< flush() is pulling frames: what is submitted now goes out with them
  bool closed_ = false;
  bool going_away_ = false;  ///< go_away() was called: the session is terminated
  DrainEntry drain_;         ///< membership of the thread's DrainSet
};

}  // namespace pushbench::server
