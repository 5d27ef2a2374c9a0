#pragma once
// A client codec speaks one protocol on one stream, whatever carries it: the HTTP/1.1 sessions
// (a byte stream) and the HTTP/2 session (one codec per stream) hand it the response header and
// the body bytes; it decides what they mean (events, decompression, control replies). A fix to
// how a protocol is decoded lands here once.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "loadgen/protocol/session.hpp"

namespace pushbench::loadgen {

/// The final response header as a carrier read it (field values, repeated fields comma-joined).
struct ResponseHead {
  int status = 0;                         ///< :status or the status line's code
  bool http2 = false;                     ///< carried by HTTP/2 (else HTTP/1.1)
  std::string_view content_type;          ///< Content-Type
  std::string_view content_encoding;      ///< Content-Encoding
  std::string_view websocket_extensions;  ///< Sec-WebSocket-Extensions
};

/// Request header fields a codec adds, in canonical case ("Accept"); HTTP/2 lower-cases names.
using HeaderFields = std::vector<std::pair<std::string, std::string>>;

class ClientCodec {
 public:
  virtual ~ClientCodec() = default;
  /// Fields of this protocol's request beyond the carrier's own (method, target, Host, upgrade).
  virtual const HeaderFields& request_fields() const = 0;
  /// Empty for a plain GET whose response body is the stream; else the protocol the stream
  /// tunnels ("websocket": HTTP/1.1 Upgrade or HTTP/2 extended CONNECT, RFC 8441), whose client
  /// also writes frames on the stream.
  virtual std::string_view tunnel_protocol() const { return {}; }
  /// Judges the final response header (the carrier has checked what is its own, e.g. the
  /// HTTP/1.1 WebSocket accept key); an error (LoadErrc) fails the stream.
  virtual std::error_code on_response(const ResponseHead& head) = 0;
  /// Body bytes (de-chunked, or DATA frames), any split; bytes to send back (pong, close) are
  /// appended to `out`. An error (LoadErrc) fails the stream.
  virtual std::error_code on_body(std::string_view bytes, std::string& out) = 0;
  /// The carrier's stream ended (END_STREAM, last chunk, close-delimited EOF): success when that
  /// is a clean end for this protocol.
  virtual std::error_code on_end() { return {}; }
  /// True once the protocol itself ended the stream (a close frame, 204 No Content).
  virtual bool finished() const = 0;
  /// True once the server agreed to compress the stream.
  virtual bool compressed() const = 0;
  /// Chat: appends the frame that carries `message` upstream to `out` and returns true; false
  /// when the protocol has no upstream on this stream (SSE: the carrier POSTs it).
  virtual bool send_message(std::string_view message, std::string& out) { return false; }
  /// Appends the bytes that close the stream politely from our side (once; a close frame) to
  /// `out`; false when there are none.
  virtual bool goodbye(std::string& out) { return false; }
  /// True once our side will write nothing more on the stream (our close frame is queued).
  virtual bool upstream_done() const { return true; }
  /// The reconnection time the server asked for (SSE `retry:`), if any.
  virtual std::optional<std::uint64_t> retry_ms() const { return std::nullopt; }
};

/// The codec of `transport` (sse or ws; nullptr for raw, which has no HTTP carrier) for stream
/// `stream` of a connection, reporting to `handler`. `max_reply_backlog`: control replies
/// (pongs) are refused once `out` holds more than this (the server stopped reading).
std::unique_ptr<ClientCodec> make_client_codec(Transport transport, SessionHandler& handler,
                                               std::size_t stream, const SessionOptions& options,
                                               std::size_t max_reply_backlog);

}  // namespace pushbench::loadgen
