#pragma once
// What a URL names: the transport (chosen by scheme), the endpoint and the request target.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/contract/transport.hpp"
#include "core/contract/workload.hpp"

namespace pushbench::loadgen {

struct Target {
  Transport transport = Transport::sse;  ///< picked by the scheme (core/contract/transport.hpp's table)
  std::string host;           ///< host name or address as written (no brackets)
  std::uint16_t port = 0;
  std::string path = "/";     ///< path, without the query
  std::string query;          ///< query without '?', possibly empty
  std::string url;            ///< the URL as given
  bool tls = false;           ///< https:// or wss://: TLS with ALPN

  /// Parses http://, https://, ws://, wss:// or tcp:// URLs; an error message otherwise.
  static std::variant<Target, std::string> parse(std::string_view url);
  /// The request target (path?query) after adding `spec`'s parameters that the URL's own query
  /// does not already set; the transport's default path (/sse, /ws) when the URL has none.
  std::string request_target(const StreamSpec& spec, bool add_workload) const;
  /// The Host header value.
  std::string host_header() const;
};

}  // namespace pushbench::loadgen
