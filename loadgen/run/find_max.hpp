#pragma once
// `--find-max`: the highest sustainable event rate, found by raising the per-stream rate step by
// step until p99 latency exceeds a bound, events are lost, or errors appear.
#include <functional>

#include <nlohmann/json.hpp>

#include "loadgen/run/load.hpp"

namespace pushbench::loadgen {

struct FindMaxOptions {
  double p99_bound_ms = 10;  ///< corrected p99 above this is not sustainable
  double step_factor = 1.5;  ///< each step multiplies the per-stream rate by this
  unsigned max_steps = 12;   ///< give up raising after this many steps
};

/// Runs `base` at base.spec.rate, then at rates multiplied by step_factor, with `run_step`
/// (run_load, or a wrapper that starts a fresh server), until a step is not sustainable: events
/// lost, errors, corrected p99 above the bound, throughput below 95% of the offered rate, or the
/// load generator saturated (then the limit is ours, not the server's, and the report says so).
/// Returns the last sustainable step's scenario (the first step's when none was) with
/// workload.kind "find-max" and a "find_max" object: p99_bound_ms, steps [{rate_per_stream,
/// offered_events_per_s, events_per_s, p99_us, lost, errors, sustainable}],
/// max_sustainable_rate_per_stream and max_sustainable_events_per_s (null when none),
/// stopped_because.
nlohmann::json find_max(const LoadConfig& base, const FindMaxOptions& options,
                        const std::function<nlohmann::json(const LoadConfig&)>& run_step);

}  // namespace pushbench::loadgen
