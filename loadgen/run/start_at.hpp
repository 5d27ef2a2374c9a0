#pragma once
// `pushbench load --start-at TIME`: every shard of a run begins (its warm-up) at one wall-clock
// instant, and reports how well it managed and how far its clock can be trusted.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/base/clock.hpp"

namespace pushbench::loadgen {

/// Parses TIME: nanoseconds since the Unix epoch ("1798761600000000000"), or RFC 3339
/// ("2026-12-01T23:00:00Z", fraction of a second and a +hh:mm / -hh:mm offset allowed);
/// an error message otherwise.
std::variant<std::int64_t, std::string> parse_start_at(std::string_view text);

/// How a run began.
struct RunStart {
  ClockAnchor anchor;                 ///< the run start on both clocks (plan.anchor)
  std::optional<std::int64_t> at_ns;  ///< --start-at, when given (anchor.realtime == at_ns)
  std::int64_t skew_ns = 0;           ///< measured: CLOCK_REALTIME on waking minus at_ns
};

/// Without `at_ns`: the run starts now. With it: sleeps until CLOCK_REALTIME reaches at_ns and
/// returns an anchor placed exactly at at_ns (so every shard's schedule and window share the
/// instant), with the lateness of the wake-up as skew. Throws std::runtime_error when at_ns
/// lies more than 1 s in the past (the barrier was missed) or more than 24 h ahead.
RunStart begin_run(std::optional<std::int64_t> at_ns);

/// The report's clock facts: {"source": "CLOCK_REALTIME", "clocksource": kernel clock source
/// or null, "sync": {"synchronized", "state", "est_error_us", "max_error_us"} from adjtimex()
/// or null}, plus "start_at_ns" and "start_skew_us" (null without --start-at).
nlohmann::json clock_facts(const RunStart& start);

}  // namespace pushbench::loadgen
