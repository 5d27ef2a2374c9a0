#pragma once
// One load run through a reverse proxy: the proxy's own CPU and memory, the connections it
// opened to the backend, and what it cannot do, in the scenario's `proxy` section.
#include <sys/types.h>

#include <cstdint>

#include <nlohmann/json.hpp>

#include "loadgen/run/load.hpp"
#include "loadgen/infra/proxy.hpp"

namespace pushbench::loadgen {

/// Runs `load` (whose URL points at `proxy`) and adds `proxy` {name, version, port, cpu_s,
/// cpu_ns_per_event, backend_cpu_ns_per_event, rss_bytes_idle, rss_bytes_peak,
/// rss_bytes_per_connection, client_connections, client_streams, backend_connections} to its
/// scenario. Both CPU figures cover the whole run (connect to drain) per event received in it,
/// so proxy and backend are measured alike; backend_connections comes from the backend's own
/// /stats (read directly on `backend_port`, not through the proxy). The proxy's limitations for
/// this scenario become warnings.
nlohmann::json run_through_proxy(ProxyProcess& proxy, pid_t backend_pid, std::uint16_t backend_port,
                                 const LoadConfig& load);

}  // namespace pushbench::loadgen
