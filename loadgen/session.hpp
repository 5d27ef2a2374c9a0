#pragma once
// A Session translates bytes for one protocol (as in h2load): it produces the bytes to send and turns
// received bytes into events. It never touches a socket; the Client does.
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "core/event.hpp"
#include "loadgen/compression.hpp"
#include "loadgen/target.hpp"

namespace pushbench::loadgen {

/// Receives what a Session decodes. Implemented by the Client (and by `tap`).
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  /// One application event: SSE event data, a WebSocket text message, a raw line.
  /// `type` is the SSE event type ("message" elsewhere); `id` the SSE last-event-id (else empty).
  virtual void on_event(std::string_view data, std::string_view type, std::string_view id) = 0;
  /// The protocol handshake completed (HTTP 200 / 101, raw handshake sent).
  virtual void on_established() {}
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
  /// True once the server ended the stream cleanly (last chunk, close frame, ...).
  virtual bool finished() const = 0;
  /// Bytes that close the stream politely from our side (e.g. a WebSocket close frame).
  virtual std::string goodbye() { return {}; }
  /// True once the server agreed to compress this stream.
  virtual bool compressed() const { return false; }
};

/// Session options that are not part of the URL.
struct SessionOptions {
  std::size_t max_event_bytes = 16 << 20;  ///< larger events or lines are a protocol error
  bool add_workload_query = true;          ///< append the StreamSpec parameters to the URL's query
  std::uint64_t seed = 0;                  ///< per-connection seed (WebSocket key and masks)
  CompressionOptions compression;          ///< what to offer; the server may decline
};

/// Creates the session for `target.protocol`: the one place a protocol is chosen.
std::unique_ptr<Session> make_session(const Target& target, const StreamSpec& spec,
                                      const SessionOptions& options, SessionHandler& handler);

}  // namespace pushbench::loadgen
