#include "core/contract/transport.hpp"

#include <vector>

namespace pushbench {

namespace {

constexpr TransportInfo kTransports[] = {
    {Transport::sse, "sse", "http", "https", "/sse", 80, true, true, true, "gzip",
     {"gzip", "deflate"}, false, true, false},
    {Transport::ws, "ws", "ws", "wss", "/ws", 80, true, true, true, "permessage-deflate",
     {"permessage-deflate", {}}, true, false, true},
    {Transport::raw, "raw", "tcp", {}, "/", 0, false, false, false, "none", {}, false, false, false},
};

static_assert(static_cast<std::size_t>(kTransports[0].transport) == 0 &&
              static_cast<std::size_t>(kTransports[1].transport) == 1 &&
              static_cast<std::size_t>(kTransports[2].transport) == 2,
              "kTransports is indexed by Transport");

}  // namespace

std::span<const TransportInfo> transports() { return kTransports; }

const TransportInfo& transport_info(Transport t) {
  return kTransports[static_cast<std::size_t>(t)];
}

std::string_view to_string(Transport t) { return transport_info(t).name; }

std::optional<Transport> parse_transport(std::string_view name) {
  for (const auto& row : kTransports) {
    if (row.name == name) return row.transport;
  }
  return std::nullopt;
}

std::optional<SchemeInfo> transport_for_scheme(std::string_view scheme) {
  for (const auto& row : kTransports) {
    if (row.scheme == scheme) return SchemeInfo{row.transport, false};
    if (!row.tls_scheme.empty() && row.tls_scheme == scheme) return SchemeInfo{row.transport, true};
  }
  return std::nullopt;
}

std::string scheme_list(std::string_view last_separator) {
  std::vector<std::string_view> schemes;
  for (const auto& row : kTransports) {
    for (const auto scheme : {row.scheme, row.tls_scheme}) {
      if (!scheme.empty()) schemes.push_back(scheme);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    if (i > 0) out += i + 1 == schemes.size() ? last_separator : std::string_view(", ");
    out.append(schemes[i]).append("://");
  }
  return out;
}

std::optional<Transport> transport_for_path(std::string_view path) {
  for (const auto& row : kTransports) {
    if (row.http && row.default_path == path) return row.transport;
  }
  return std::nullopt;
}

std::string endpoint_url(Transport t, std::string_view host_port, bool tls) {
  const auto& row = transport_info(t);
  std::string url(tls && !row.tls_scheme.empty() ? row.tls_scheme : row.scheme);
  url.append("://").append(host_port);
  if (row.http) url.append(row.default_path);
  return url;
}

}  // namespace pushbench
