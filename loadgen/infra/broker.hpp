#pragma once
// A pub/sub broker in the path (scenario key `broker`): started by `pushbench run` like a proxy
// (loadgen/infra/proxy.hpp: generated configuration in a temp dir, an ephemeral loopback port, its
// own process group), the load generator publishing to it (publish mode) and the subscribers
// receiving from it; its CPU and memory in the scenario's `broker` section.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "loadgen/run/load.hpp"
#include "loadgen/infra/proxy.hpp"

namespace pushbench::loadgen {

/// "none" (our own server) or "nchan"; nullopt otherwise (ProxyKind::none for "none").
std::optional<ProxyKind> parse_broker_kind(std::string_view name);

/// The subscribers' URL (`transport` "sse" or "ws") and the publisher's URL of a broker on
/// 127.0.0.1:`port`, for one channel.
struct BrokerUrls {
  std::string subscribe;  ///< http://…/sse?channel=C or ws://…/ws?channel=C
  std::string publish;    ///< http://…/pub?channel=C
};
BrokerUrls broker_urls(ProxyKind broker, const std::string& transport, std::uint16_t port,
                       const std::string& channel);

/// Runs `load` (in publish mode, its URLs pointing at `broker`) and adds `broker` {name,
/// version, port, cpu_s, cpu_ns_per_event, rss_bytes_idle, rss_bytes_peak,
/// rss_bytes_per_connection} to its scenario: the broker's whole run (connect to drain) per event
/// the subscribers received in it, its RSS sampled every 20 ms.
nlohmann::json run_through_broker(ProxyProcess& broker, const LoadConfig& load);

}  // namespace pushbench::loadgen
