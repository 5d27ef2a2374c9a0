#pragma once
// The HTTP/2 carrier: several streams multiplexed on one connection, framed by nghttp2 in memory
// (no socket I/O here), each stream decoded by its own ClientCodec (SSE as a GET, WebSocket as an
// RFC 8441 extended CONNECT tunnel).
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "loadgen/protocol/client_codec.hpp"
#include "loadgen/protocol/h2_slow_reader.hpp"
#include "loadgen/protocol/session.hpp"

struct nghttp2_session;
struct nghttp2_session_callbacks;

namespace pushbench::loadgen {

class H2Session final : public Session {
 public:
  /// Prepares `options.streams` (at least 1) identical streams for `target` (protocol sse or
  /// ws), each requesting `target.request_target(spec, options.add_workload_query)`.
  H2Session(const Target& target, const StreamSpec& spec, const SessionOptions& options,
            SessionHandler& handler);
  ~H2Session() override;
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;

  /// The connection preface, our SETTINGS and connection window; for plain GET streams (SSE)
  /// also every request (a tunnel waits for the server's SETTINGS).
  std::string initial_request() override;
  /// Feeds server bytes to nghttp2 and appends everything it has to send to `out`. Returns
  /// connection errors only (protocol_error, no_extended_connect); stream errors go to
  /// SessionHandler::on_stream_failed().
  std::error_code on_read(std::string_view bytes, std::string& out) override;
  /// Success when every stream has ended, else unexpected_eof.
  std::error_code on_eof() override;
  /// "GOAWAY <code> last_stream_id=<n>" once the server sent GOAWAY; for no_extended_connect,
  /// that the server's SETTINGS lack SETTINGS_ENABLE_CONNECT_PROTOCOL.
  std::string close_cause() const override;
  /// True when every stream ended, cleanly or with an error.
  bool finished() const override;
  /// Each open stream's codec goodbye (WebSocket: a masked close frame); then GOAWAY(NO_ERROR).
  std::string goodbye() override;
  /// True when the first established stream negotiated compression.
  bool compressed() const override { return compressed_; }
  /// The number of streams on this connection.
  std::size_t streams() const override { return streams_.size(); }
  /// Always "2".
  std::string_view http_version() const override { return "2"; }
  /// The server keeps the connection after the streams end: the client closes it.
  bool connection_persists() const override { return true; }
  /// True for the slow streams of the head-of-line workload (options.slow_fraction).
  bool stream_is_slow(std::size_t stream) const override { return slow_ && slow_->is_slow(stream); }
  /// Why `stream` failed: "HTTP/2 <status>: <first body line>" for a refused request,
  /// "RST_STREAM <code>" when the server reset it; empty when not known.
  std::string stream_cause(std::size_t stream) const override;
  /// The first stream's `retry:` value (SSE).
  std::optional<std::uint64_t> retry_ms() const override;
  PeerHeaders peer_headers() const override { return peer_; }
  /// WebSocket: a masked text frame on `stream`. SSE: a POST /send?stream=<id> request stream on
  /// this connection (the reply comes back as an event).
  bool send_message(std::size_t stream, std::string_view message, std::string& out) override;

 private:
  struct Stream;
  struct Callbacks;
  /// Deletes an nghttp2_session.
  struct SessionDeleter {
    void operator()(nghttp2_session* s) const noexcept;
  };

  /// Installs the nghttp2 callbacks (h2_session_callbacks.cpp).
  static void set_callbacks(nghttp2_session_callbacks* callbacks);
  /// Submits the GET or extended CONNECT request of every stream.
  void submit_requests();
  /// Judges a stream's final response header; fails the stream or tells the handler.
  void accept_headers(Stream& st);
  /// Hands response body bytes of one stream to its codec.
  void on_data(Stream& st, std::string_view data);
  /// The server sent END_STREAM.
  void on_remote_end(Stream& st);
  /// Reports `ec` (with `cause`, in words, when known) for a stream once and cancels it if it is
  /// still open.
  void fail_stream(Stream& st, std::error_code ec, std::string cause = {});
  /// Body bytes of a refused request (non-success :status): kept until its first line is
  /// complete, then the stream fails with "HTTP/2 <status>: <line>".
  void on_refused_body(Stream& st, std::string_view data);
  /// Fails a refused stream with its status and what arrived of its body.
  void fail_refused(Stream& st);
  /// Appends everything nghttp2 has to send to `out`.
  void send_pending(std::string& out);
  /// Rethrows an exception caught inside an nghttp2 callback.
  void rethrow_pending();

  SessionHandler& handler_;
  std::unique_ptr<nghttp2_session, SessionDeleter> session_;
  std::vector<std::unique_ptr<Stream>> streams_;  ///< by stream index, in submission order
  std::string scheme_;                            ///< :scheme, http or https
  std::string authority_;                         ///< :authority
  std::vector<std::string> paths_;                ///< :path of each stream (its own epoch)
  std::string send_path_;                         ///< SSE chat: :path of POST /send requests
  /// Head-of-line workload (options.slow_fraction): slow streams' windows reopen at
  /// slow_read_bps only; absent otherwise (nghttp2 then updates the windows itself).
  std::optional<H2SlowReader> slow_;
  /// SSE chat: bodies of POST requests not yet sent, by nghttp2 stream id.
  std::unordered_map<std::int32_t, std::pair<std::string, std::size_t>> posts_;
  std::string_view tunnel_;               ///< the codecs' tunnel protocol, or empty
  std::error_code conn_error_;            ///< sticky connection-level error
  std::exception_ptr pending_exception_;  ///< thrown inside an nghttp2 callback
  bool settings_received_ = false;        ///< the server's first SETTINGS arrived
  bool requests_submitted_ = false;       ///< the stream requests were submitted
  bool established_ = false;              ///< on_established() was called
  bool compressed_ = false;               ///< the first established stream is compressed
  bool goaway_sent_ = false;              ///< goodbye() submitted our GOAWAY
  /// The server's GOAWAY (error code, last stream id), once received.
  std::optional<std::pair<std::uint32_t, std::int32_t>> goaway_received_;
  PeerHeaders peer_;  ///< via / server of the first response
};

}  // namespace pushbench::loadgen
