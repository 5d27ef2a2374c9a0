#pragma once
// The transports pushbench compares and what each can do: the one table every transport, scheme,
// default-path, HTTP/2 and TLS decision reads (servers, load generator, suites).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pushbench {

/// The protocol of a stream: chosen by `--transport` (servers), the URL scheme (load generator)
/// or a suite's `transports` list.
enum class Transport {
  sse,  ///< Server-Sent Events over HTTP/1.1 or HTTP/2
  ws,   ///< WebSocket (RFC 6455) over HTTP/1.1, or HTTP/2 (RFC 8441)
  raw,  ///< the raw-TCP line baseline
};

/// What one transport is and can do.
struct TransportInfo {
  Transport transport;                   ///< the row's key
  std::string_view name;                 ///< CLI, suite and report spelling: "sse", "ws", "raw"
  std::string_view scheme;               ///< cleartext URL scheme: "http", "ws", "tcp"
  std::string_view tls_scheme;           ///< URL scheme with TLS; empty when TLS is impossible
  std::string_view default_path;         ///< the endpoint's path: "/sse", "/ws" ("/" for raw)
  std::uint16_t default_port;            ///< port of a URL that names none; 0: it must name one
  bool http;                             ///< speaks HTTP (request, status, headers) at all
  bool http2;                            ///< can be carried by HTTP/2
  bool tls;                              ///< can be carried over TLS
  std::string_view natural_compression;  ///< its compression when a suite says "on"
  std::string_view compressions[2];      ///< the compressions it accepts besides "none"
  bool upgrade;                          ///< begins with an HTTP/1.1 Upgrade or an HTTP/2 extended
                                         ///< CONNECT (RFC 8441): no plain request, no HTTP body
  bool event_ids;                        ///< every event carries an id (SSE's last-event-id)
  bool close_handshake;                  ///< its end is a close handshake after which the client
                                         ///< may drop the connection (WebSocket close frames)
};

/// Every transport, in enum order (the suites' default `transports` list).
std::span<const TransportInfo> transports();
/// The row of `t`.
const TransportInfo& transport_info(Transport t);
/// "sse", "ws" or "raw".
std::string_view to_string(Transport t);
/// The transport named `name` ("sse", "ws", "raw"), if any.
std::optional<Transport> parse_transport(std::string_view name);

/// A URL scheme's meaning: the transport and whether it adds TLS.
struct SchemeInfo {
  Transport transport;  ///< what the scheme selects
  bool tls;             ///< https://, wss://
};
/// The transport of URL scheme `scheme` (without "://"), if any.
std::optional<SchemeInfo> transport_for_scheme(std::string_view scheme);
/// Every known scheme for messages, e.g. "http://, https://, ws://, wss://, tcp://", with
/// `last_separator` before the last one (", " or " or ").
std::string scheme_list(std::string_view last_separator = ", ");
/// The HTTP transport whose endpoint is `path` ("/sse" → sse, "/ws" → ws), if any.
std::optional<Transport> transport_for_path(std::string_view path);
/// The URL of `t`'s endpoint at `host_port` (e.g. "127.0.0.1:8080"): scheme, TLS scheme when
/// `tls`, and the default path for HTTP transports.
std::string endpoint_url(Transport t, std::string_view host_port, bool tls);

}  // namespace pushbench
