#include "loadgen/infra/broker.hpp"

namespace pushbench::loadgen {

std::optional<ProxyKind> parse_broker_kind(std::string_view name) {
  if (name == "none") return ProxyKind::none;
  if (name == "nchan") return ProxyKind::nchan;
  return std::nullopt;
}

BrokerUrls broker_urls(ProxyKind, const std::string& transport, std::uint16_t port,
                       const std::string& channel) {
  const std::string origin = "127.0.0.1:" + std::to_string(port);
  const std::string query = "?channel=" + url_encode(channel);
  const Transport subscriber = parse_transport(transport).value_or(Transport::sse);
  return {endpoint_url(subscriber, origin, false) + query, "http://" + origin + "/pub" + query};
}

nlohmann::json run_through_broker(ProxyProcess& broker, const LoadConfig& load) {
  const ProcessSample start = broker.sample();
  ProxyRssSampler rss(broker);
  nlohmann::json scenario = run_load(load);
  const std::uint64_t peak = std::max(rss.stop(), start.rss_bytes);
  const ProcessSample end = broker.sample();
  const double cpu = end.cpu_s - start.cpu_s;
  const auto received = scenario["accounting"]["received"].get<std::int64_t>();
  const auto connections = scenario["workload"]["connections"].get<std::size_t>();
  scenario["broker"] = {
      {"name", to_string(broker.kind())},
      {"version", proxy_version(broker.kind())},
      {"port", broker.port()},
      {"cpu_s", cpu},
      {"cpu_ns_per_event",
       received > 0 ? nlohmann::json(cpu * 1e9 / static_cast<double>(received)) : nullptr},
      {"rss_bytes_idle", start.rss_bytes},
      {"rss_bytes_peak", peak},
      {"rss_bytes_per_connection",
       static_cast<double>(peak - start.rss_bytes) / static_cast<double>(connections)}};
  return scenario;
}

}  // namespace pushbench::loadgen
