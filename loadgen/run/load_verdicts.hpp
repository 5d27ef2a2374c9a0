#pragma once
// `pushbench load`, step 3 of 3 (judgement): the figures derived from a run's measurements and
// the warnings they call for, before anything is written.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "loadgen/run/load_execute.hpp"
#include "loadgen/run/load_plan.hpp"

namespace pushbench::loadgen {

/// Figures derived from the measurements that the warnings and the report share.
struct LoadFigures {
  bool contract = true;      ///< every event followed the seq/ts contract (else no latency/loss)
  std::uint64_t events = 0;  ///< in-window events received, duplicates excluded
  double events_per_s = 0;   ///< events over the observed window
  std::uint64_t lost = 0;    ///< expected minus distinct received (0 without the contract)
  double max_busy = 0;       ///< busiest worker thread's share of the window, in [0, 1]
  bool saturated = false;    ///< max_busy above 0.9: the load generator may be the bottleneck
  bool same_host = true;     ///< the server's address is loopback (one clock)
  std::optional<double> server_cpu_s;  ///< server CPU in the window, when sampled
};

/// Derives the shared figures.
LoadFigures load_figures(const PreparedLoad& p, const LoadMeasurements& m);

/// Every warning the run calls for, in the report's order: a saturated load generator, a
/// busy-polling one (its CPU is not its cost), a foreign
/// server, connection errors, compression declined, another host's clock, starved
/// subscriptions, more events than asked for, connections never established, a saturated server.
nlohmann::json load_warnings(const PreparedLoad& p, const LoadMeasurements& m,
                             const LoadFigures& f);

}  // namespace pushbench::loadgen
