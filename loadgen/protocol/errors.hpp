#pragma once
// Errors the load generator counts by kind and reports.
#include <string_view>
#include <system_error>

namespace pushbench::loadgen {

enum class LoadErrc {
  connect_failed = 1,   ///< TCP connect refused or unreachable
  connect_timeout,      ///< no connection (or no handshake) within the connect timeout
  http_status,          ///< the server answered with a non-success HTTP status
  bad_content_type,     ///< an SSE response that is not text/event-stream
  bad_handshake,        ///< WebSocket upgrade or raw handshake rejected or malformed
  protocol_error,       ///< bytes that violate HTTP, SSE, RFC 6455 or the raw line protocol
  event_too_large,      ///< an event or line beyond the configured limit
  unexpected_eof,       ///< the server closed the connection before the stream ended cleanly
  read_error,           ///< a socket read failed (reset, ...)
  write_error,          ///< a socket write failed
  payload_mismatch,     ///< an event's bytes differ from what the contract says it must be
  server_closed,        ///< the server ended the stream cleanly before the run was over
  decompress_error,     ///< compressed bytes that do not inflate (corrupt, or too large)
  unsupported_encoding, ///< a Content-Encoding or extension we did not ask for
  tls_handshake,        ///< the TLS handshake failed
  alpn_mismatch,        ///< TLS ALPN did not select the HTTP version we asked for
  stream_reset,         ///< the server reset one HTTP/2 stream (RST_STREAM)
  no_extended_connect,  ///< WebSocket over HTTP/2 without SETTINGS_ENABLE_CONNECT_PROTOCOL
  goaway,               ///< the server sent HTTP/2 GOAWAY (NO_ERROR: it is shutting down) and
                        ///< closed the connection before the streams ended
};

const std::error_category& load_category() noexcept;
inline std::error_code make_error_code(LoadErrc e) noexcept {
  return {static_cast<int>(e), load_category()};
}
/// The report key of an error kind, e.g. "connect_failed".
std::string_view error_kind(LoadErrc e) noexcept;

/// The cause of a rejected handshake in words, from the first bytes the server sent: an HTTP
/// status line and the first line of its body ("HTTP/1.1 400 Bad Request: rate must be ..."),
/// or a raw handshake's "ERROR ..." line; non-printable bytes become '?', at most ~200 chars.
/// Empty when `head` holds nothing readable.
std::string describe_rejection(std::string_view head);

}  // namespace pushbench::loadgen

template <>
struct std::is_error_code_enum<pushbench::loadgen::LoadErrc> : std::true_type {};
