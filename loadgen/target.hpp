#pragma once
// What a URL names: the transport (chosen by scheme), the endpoint and the request target.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/workload.hpp"

namespace pushbench::loadgen {

/// The protocol a load-generator session speaks; picked from the URL scheme.
enum class Protocol {
  sse,  ///< http://, https:// — SSE over HTTP/1.1 or HTTP/2
  ws,   ///< ws://, wss://     — WebSocket (RFC 6455) over HTTP/1.1, or HTTP/2 (RFC 8441)
  raw,  ///< tcp://  — the raw-TCP line baseline
};
std::string_view to_string(Protocol p);

struct Target {
  Protocol protocol = Protocol::sse;
  std::string host;           ///< host name or address as written (no brackets)
  std::uint16_t port = 0;
  std::string path = "/";     ///< path, without the query
  std::string query;          ///< query without '?', possibly empty
  std::string url;            ///< the URL as given
  bool tls = false;           ///< https:// or wss://: TLS with ALPN

  /// Parses http://, https://, ws://, wss:// or tcp:// URLs; an error message otherwise.
  static std::variant<Target, std::string> parse(std::string_view url);
  /// The request target (path?query) after adding `spec`'s parameters that the URL's own query
  /// does not already set; the default path is /sse or /ws when the URL has none.
  std::string request_target(const StreamSpec& spec, bool add_workload) const;
  /// The Host header value.
  std::string host_header() const;
};

}  // namespace pushbench::loadgen
