#include "loadgen/run/find_max.hpp"

#include <stdexcept>

#include "loadgen/report/scenario_model.hpp"

namespace pushbench::loadgen {

using json = nlohmann::json;

namespace {

/// Why a step is not sustainable; empty when it is.
std::string verdict(const json& s, const ScenarioFigures& f, double offered, double bound_us) {
  if (f.loadgen.saturated.value_or(false)) {
    return "the load generator saturated (the server was not shown to be the limit)";
  }
  std::uint64_t errors = 0;
  for (const auto& [kind, n] : f.errors) errors += n;
  if (errors > 0) {
    std::string text = "connection errors: " + json(f.errors).dump();
    if (s.contains("error_causes") && !s["error_causes"].empty()) {
      text += " (" + s["error_causes"].dump() + ")";
    }
    return text;
  }
  if (f.events.lost.value_or(0) > 0) return "events were lost";
  const auto& lat = f.latency_us.corrected;
  if (!lat || !lat->p99) return "no latency measured";
  if (*lat->p99 > bound_us) return "p99 latency above the bound";
  if (f.throughput.events_per_s.value_or(0) < 0.95 * offered) {
    return "throughput fell below 95% of the offered rate";
  }
  return {};
}

}  // namespace

json find_max(const LoadConfig& base, const FindMaxOptions& options,
              const std::function<json(const LoadConfig&)>& run_step) {
  if (options.step_factor <= 1 || options.max_steps == 0 || options.p99_bound_ms <= 0) {
    throw std::runtime_error("find-max needs a step factor > 1, steps > 0 and a positive bound");
  }
  json steps = json::array();
  json best, first;
  json best_events_per_s;  // the best step's throughput (null until a step is sustainable)
  std::string stopped = "reached the step limit";
  LoadConfig cfg = base;
  bool retried = false;
  // A step is one rate; a retried rate is still one step.
  for (unsigned step = 0; step < options.max_steps;) {
    if (cfg.spec.rate > StreamSpec::max_rate) {
      stopped = "reached the maximum rate per stream";
      break;
    }
    json s = run_step(cfg);
    const ScenarioFigures f = scenario_figures(s);
    const double offered = cfg.spec.rate * cfg.connections;
    const std::string why = verdict(s, f, offered, options.p99_bound_ms * 1000);
    const auto& lat = f.latency_us.corrected;
    steps.push_back({{"rate_per_stream", cfg.spec.rate},
                     {"offered_events_per_s", offered},
                     {"events_per_s", or_null(f.throughput.events_per_s)},
                     {"p99_us", lat ? or_null(lat->p99) : json(nullptr)},
                     {"lost", or_null(f.events.lost)},
                     {"errors", f.errors},
                     {"sustainable", why.empty()},
                     {"retry", retried},
                     {"server_cpu_ns_per_event", or_null(f.server.cpu_ns_per_event)},
                     {"loadgen_cpu_ns_per_event", or_null(f.loadgen.cpu_ns_per_event)},
                     {"loadgen_max_thread_busy", or_null(f.loadgen.max_thread_busy)}});
    if (first.is_null()) first = s;
    if (!why.empty()) {
      // One noisy run (a scheduling hiccup on a shared machine) must not end the search: a rate
      // fails only when it fails twice in a row.
      if (!retried) {
        retried = true;
        continue;
      }
      stopped = "at " + std::to_string(cfg.spec.rate) + " events/s per stream, twice: " + why;
      break;
    }
    retried = false;
    best_events_per_s = or_null(f.throughput.events_per_s);
    best = std::move(s);
    cfg.spec.rate *= options.step_factor;
    ++step;
  }
  json out = best.is_null() ? first : best;
  out["workload"]["kind"] = "find-max";
  out["find_max"] = {
      {"p99_bound_ms", options.p99_bound_ms},
      {"steps", steps},
      {"max_sustainable_rate_per_stream",
       best.is_null() ? json(nullptr) : best["workload"]["rate_per_stream"]},
      {"max_sustainable_events_per_s",
       best_events_per_s},
      {"stopped_because", stopped}};
  if (best.is_null()) {
    out["warnings"].push_back("find-max: even the first rate was not sustainable (" + stopped + ")");
  }
  return out;
}

}  // namespace pushbench::loadgen
