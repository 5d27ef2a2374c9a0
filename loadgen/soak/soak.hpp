#pragma once
// `pushbench soak`: our servers under sustained mixed load for a bounded time. Healthy clients
// are `pushbench load` runs (streams over HTTP/1.1, a broadcast over h2c, chat over WebSocket,
// streams over TLS + HTTP/2); beside them FaultClients churn connections and send bad requests.
// The servers' RSS, fds and CPU are sampled every second; the verdict checks that healthy
// clients kept being served, fds returned to baseline, RSS returned near its warm level, and
// every server exited cleanly on SIGTERM (a sanitized server exits non-zero on a report).
#include <optional>
#include <string>
#include <vector>

namespace pushbench::loadgen {

struct SoakOptions {
  unsigned duration_s = 180;                     ///< healthy load and faults run this long
  std::string server_binary;                     ///< pushbench-server to spawn
  std::string self_binary;                       ///< this pushbench (healthy clients run `load`)
  std::optional<std::vector<int>> server_cpus;   ///< pin the servers here
  std::optional<std::vector<int>> loadgen_cpus;  ///< pin the load generators here
  std::string out = "results/soak.json";         ///< the report
  double p99_bound_ms = 250;        ///< healthy clients' corrected p99 must stay below this
  double rss_slack_ratio = 0.25;    ///< final RSS may exceed the warm level by this fraction
  double rss_slack_mb = 16;         ///< ... or by this many MiB, whichever is larger
  unsigned fd_slack = 2;            ///< final fds may exceed the baseline by this many
  unsigned fault_interval_ms = 20;  ///< pause between two faults
};

/// Runs the soak, writes the report, prints every criterion with its reason; returns 0 when all
/// pass, 1 when one fails, 2 when the soak could not run.
int run_soak(const SoakOptions& options);

}  // namespace pushbench::loadgen
