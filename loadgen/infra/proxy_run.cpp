#include "loadgen/infra/proxy_run.hpp"

#include "loadgen/measure/server_stats.hpp"

namespace pushbench::loadgen {

namespace {

/// The backend's /stats, read directly (cleartext HTTP/1.1 on loopback).
std::optional<nlohmann::json> backend_stats(std::uint16_t port) {
  auto target = Target::parse("http://127.0.0.1:" + std::to_string(port) + "/");
  return fetch_server_stats(std::get<Target>(target), nullptr, std::chrono::milliseconds(1000));
}

nlohmann::json per_event(double cpu_s, std::int64_t events) {
  return events > 0 ? nlohmann::json(cpu_s * 1e9 / static_cast<double>(events))
                    : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json run_through_proxy(ProxyProcess& proxy, pid_t backend_pid, std::uint16_t backend_port,
                                 const LoadConfig& load) {
  const auto target = Target::parse(load.url);
  const Transport protocol = std::get<Target>(target).transport;
  const auto stats_before = backend_stats(backend_port);
  const ProcessSample proxy_start = proxy.sample();
  const auto backend_start = sample_process(backend_pid);
  ProxyRssSampler rss(proxy);
  nlohmann::json scenario = run_load(load);
  const std::uint64_t peak = std::max(rss.stop(), proxy_start.rss_bytes);
  const ProcessSample proxy_end = proxy.sample();
  const auto backend_end = sample_process(backend_pid);
  const auto stats_after = backend_stats(backend_port);

  const auto received = scenario["accounting"]["received"].get<std::int64_t>();
  const double proxy_cpu = proxy_end.cpu_s - proxy_start.cpu_s;
  const std::size_t connections = scenario["workload"]["connections"].get<std::size_t>();
  nlohmann::json backend_connections = nullptr;
  if (stats_before && stats_after && stats_before->contains("connections_accepted") &&
      stats_after->contains("connections_accepted")) {
    // Less the connection of the second /stats read itself.
    const auto opened = (*stats_after)["connections_accepted"].get<std::int64_t>() -
                        (*stats_before)["connections_accepted"].get<std::int64_t>() - 1;
    backend_connections = std::max<std::int64_t>(0, opened);
  }
  scenario["proxy"] = {
      {"name", to_string(proxy.kind())},
      {"version", proxy_version(proxy.kind())},
      {"port", proxy.port()},
      {"cpu_s", proxy_cpu},
      {"cpu_ns_per_event", per_event(proxy_cpu, received)},
      {"backend_cpu_ns_per_event",
       backend_start && backend_end ? per_event(backend_end->cpu_s - backend_start->cpu_s, received)
                                    : nlohmann::json(nullptr)},
      {"rss_bytes_idle", proxy_start.rss_bytes},
      {"rss_bytes_peak", peak},
      {"rss_bytes_per_connection",
       static_cast<double>(peak - proxy_start.rss_bytes) / static_cast<double>(connections)},
      {"client_connections", connections},
      {"client_streams", scenario["workload"]["subscriptions"]},
      {"backend_connections", backend_connections}};
  for (const auto& w : proxy_limitations(proxy.kind(), protocol, load.http,
                                         load.compression.algorithm == Compression::gzip)) {
    scenario["warnings"].push_back(w);
  }
  return scenario;
}

}  // namespace pushbench::loadgen
