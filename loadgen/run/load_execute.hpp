#pragma once
// `pushbench load`, step 2 of 3: runs a prepared load and returns what was measured, with no
// judgement and no JSON.
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/measure/sysinfo.hpp"
#include "loadgen/measure/stats.hpp"
#include "loadgen/run/load_plan.hpp"
#include "loadgen/run/publisher.hpp"
#include "loadgen/run/start_at.hpp"

namespace pushbench::loadgen {

/// Everything one load run measured. Server figures are absent without a server pid; the
/// window's observed end is the last moment any figure counts.
struct LoadMeasurements {
  RunStart start;                              ///< how the run began (--start-at, skew)
  WorkerStats total;                           ///< every worker's figures, merged after join
  std::int64_t window_end_observed_ns = 0;     ///< realtime when the window was sampled closed
  double window_s = 0;                         ///< observed window length, > 0
  double self_cpu_s = 0;                       ///< this process's CPU in the window
  std::uint64_t self_wakeups = 0;              ///< this process's voluntary switches in the window
  std::optional<ProcessSample> server_idle;    ///< the server before anything connected
  std::optional<ProcessSample> server_start;   ///< the server at the window's start
  std::optional<ProcessSample> server_end;     ///< the server at the window's end
  std::optional<std::uint64_t> server_rss_peak;  ///< the server's peak RSS over the run; unknown
                                                 ///< when it was gone before the end
  std::optional<nlohmann::json> stats_before;  ///< the server's /stats before the run (ours only)
  std::optional<nlohmann::json> stats_after;   ///< and after it
  std::optional<PublishStats> published;       ///< publish mode: what the publisher did
  std::optional<std::vector<int>> worker_cpus;  ///< busy-poll: worker i ran pinned to
                                                ///< (*worker_cpus)[i]; nullopt when not
                                                ///< busy-polling or a worker could not be pinned
  std::vector<int> publisher_unpinned;  ///< busy-poll: the CPUs the publisher could not be
                                        ///< pinned to; empty when it was (or had none)
};

/// Sets `p.plan`'s schedule and window from the run's start, runs the workers (and the
/// publisher) to the end, and samples both processes at the window's edges.
LoadMeasurements execute_load(PreparedLoad& p);

}  // namespace pushbench::loadgen
