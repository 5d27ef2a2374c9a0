#pragma once
// A Session translates bytes for one protocol (as in h2load): it produces the bytes to send and
// turns received bytes into events. It never touches a socket; the Client does.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/contract/event.hpp"
#include "loadgen/protocol/compression.hpp"
#include "loadgen/protocol/target.hpp"

namespace pushbench::loadgen {

/// Receives what a Session decodes. Implemented by the Client (and by `tap`).
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  /// One application event on stream `stream` (0 .. Session::streams()-1; always 0 on HTTP/1.1
  /// and raw): SSE event data, a WebSocket text message, a raw line. `type` is the SSE event
  /// type ("message" elsewhere); `id` the SSE last-event-id (else empty).
  virtual void on_event(std::size_t stream, std::string_view data, std::string_view type,
                        std::string_view id) = 0;
  /// The connection's handshake completed and its first stream was accepted (HTTP 200 / 101,
  /// raw handshake sent). Called once per connection.
  virtual void on_established() {}
  /// One stream of a multiplexed connection ended with error `ec` (an HTTP status, RST_STREAM,
  /// a protocol error inside that stream); the connection and its other streams go on.
  virtual void on_stream_failed(std::size_t stream, std::error_code ec) {}
};

/// Response headers that name intermediaries or the answering software, from the first
/// accepted response of a connection (empty when absent).
struct PeerHeaders {
  std::string via;     ///< Via (RFC 9110 7.6.3): set by proxies such as nghttpx
  std::string server;  ///< Server: the software that answered (a proxy may replace it)
};

class Session {
 public:
  virtual ~Session() = default;
  /// Bytes to send once connected (an HTTP request, a handshake line).
  virtual std::string initial_request() = 0;
  /// Consumes received bytes, calling the handler synchronously; an error (LoadErrc) ends the
  /// connection. Bytes to send back (e.g. a WebSocket pong) are appended to `out`.
  virtual std::error_code on_read(std::string_view bytes, std::string& out) = 0;
  /// The peer closed the connection: returns success when the stream had ended cleanly, else
  /// the error kind (unexpected_eof, ...).
  virtual std::error_code on_eof() = 0;
  /// Why the peer ended the connection, in words, when the protocol said so (an HTTP/2 GOAWAY
  /// with its error code and last stream id); empty otherwise.
  virtual std::string close_cause() const { return {}; }
  /// Why stream `stream` failed, in words, once SessionHandler::on_stream_failed() reported it
  /// (an HTTP/2 status and the first line of its body, an RST_STREAM code); empty when unknown.
  virtual std::string stream_cause(std::size_t stream) const { return {}; }
  /// True once the server ended the stream cleanly (last chunk, close frame, ...).
  virtual bool finished() const = 0;
  /// Bytes that close the stream politely from our side (e.g. a WebSocket close frame).
  virtual std::string goodbye() { return {}; }
  /// True once the server agreed to compress this stream.
  virtual bool compressed() const { return false; }
  /// Streams carried by this connection (HTTP/2 multiplexing; 1 otherwise).
  virtual std::size_t streams() const { return 1; }
  /// "1.1" or "2" (HTTP sessions), "" for raw.
  virtual std::string_view http_version() const { return "1.1"; }
  /// True when the server keeps the connection open after every stream ended (HTTP/2): the
  /// client then closes it itself once finished().
  virtual bool connection_persists() const { return false; }
  /// True when the protocol marks a stream's end (last chunk, close frame, END_STREAM), so a
  /// clean end is final; false for raw lines, where a dropped connection looks like an end.
  virtual bool end_is_framed() const { return true; }
  /// Chat: appends the bytes that carry `message` from the client to the server on stream
  /// `stream` of this connection (a masked WebSocket frame, an HTTP/2 POST /send stream) to
  /// `out`; false when this protocol cannot carry it on this connection (SSE over HTTP/1.1: the
  /// client POSTs on a connection of its own).
  virtual bool send_message(std::size_t stream, std::string_view message, std::string& out) {
    return false;
  }
  /// True for a stream that reads slowly (HTTP/2 head-of-line workload).
  virtual bool stream_is_slow(std::size_t stream) const { return false; }
  /// The reconnection time the server asked for (SSE `retry:`), if any.
  virtual std::optional<std::uint64_t> retry_ms() const { return std::nullopt; }
  /// Via and Server of the accepted response (raw: none).
  virtual PeerHeaders peer_headers() const { return {}; }
};

/// The HTTP version a session speaks.
enum class HttpVersion { h1, h2 };

/// Session options that are not part of the URL.
struct SessionOptions {
  std::size_t max_event_bytes = 16 << 20;  ///< larger events or lines are a protocol error
  bool add_workload_query = true;          ///< append the StreamSpec parameters to the URL's query
  std::uint64_t seed = 0;                  ///< per-connection seed (WebSocket key and masks)
  CompressionOptions compression;          ///< what to offer; the server may decline
  HttpVersion http = HttpVersion::h1;      ///< h2: prior knowledge on http/ws, ALPN h2 on TLS
  std::size_t streams = 1;                 ///< HTTP/2: streams opened on each connection
  double slow_fraction = 0;  ///< HTTP/2 head-of-line workload: share of slow streams on the
                             ///< connection (stream i is slow iff floor((i+1)F) > floor(iF))
  double slow_read_bps = 0;  ///< a slow stream's read rate (its flow-control window reopens
                             ///< at this pace), bytes per second
  std::optional<std::uint64_t> resume_after;  ///< a reconnect: the last event received (SSE over
                                              ///< HTTP/1.1 sends Last-Event-ID, others last_seq)
  /// Per-stream schedule epochs for a multiplexed connection: stream i asks for
  /// `epoch=stream_epochs_ns[i]` (HTTP/1.1 and raw carry one stream: its epoch is in the spec).
  std::vector<std::int64_t> stream_epochs_ns;
};

/// Creates the session for `target.transport` and `options.http`: the one place a session type
/// is chosen.
std::unique_ptr<Session> make_session(const Target& target, const StreamSpec& spec,
                                      const SessionOptions& options, SessionHandler& handler);

}  // namespace pushbench::loadgen
