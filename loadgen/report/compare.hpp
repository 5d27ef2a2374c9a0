#pragma once
// `pushbench compare`: the figure-by-figure difference between two reports, with regressions
// flagged against a relative threshold and, for repeated runs, against their spread.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/report/scenario_model.hpp"

namespace pushbench::loadgen {

/// Output format of format_compare().
enum class CompareFormat { text, markdown, json };

/// What counts as a regression, and how to print the result.
struct CompareOptions {
  double threshold = 0.10;  ///< relative change (0.10 = 10 %) beyond which a figure has changed
  double mad_factor = 3.0;  ///< a change within mad_factor * MAD of either side is noise; when
                            ///< both sides list their runs' values, so is one where they overlap
  CompareFormat format = CompareFormat::text;  ///< used by format_compare()
};

/// A figure that compare (and --repeat) summarise, and the direction in which it is better.
struct FigureSpec {
  const char* path;       ///< dotted path inside a scenario, e.g. "latency_us.corrected.p99"
  bool higher_is_better;  ///< direction of improvement
};
/// Every figure compared, in report order.
std::span<const FigureSpec> compared_figures();
/// The finite number at dotted `path` in `j`, if there is one.
std::optional<double> number_at(const nlohmann::json& j, std::string_view path);
/// The string at dotted `path` in `j`; empty when there is none (missing, or not a string).
std::string text_at(const nlohmann::json& j, std::string_view path);

/// One scenario's value of a figure.
struct FigureReading {
  double value = 0;               ///< the figure, or the repetitions' median
  double mad = 0;                 ///< median absolute deviation of the repetitions, else 0
  bool from_repetitions = false;  ///< value and mad come from "repetitions"
  std::vector<double> values;     ///< every repetition's finite value, when the report lists them
};
/// The figure at dotted `path` of `scenario`: its repetitions' median when it has them, else
/// the plain (typed) value; nullopt when neither is a finite number.
std::optional<FigureReading> read_figure(const ScenarioView& scenario, const char* path);

/// One figure of one scenario present (non-null) in both reports.
struct FigureDelta {
  std::string scenario;  ///< the base scenario's name (or "group/transport" when it has none)
  std::string figure;    ///< dotted path in the scenario, e.g. "latency_us.corrected.p99"
  double base = 0;       ///< base value (the repetitions' median when present)
  double now = 0;        ///< new value (the repetitions' median when present)
  /// (now - base) / |base|, so positive means the figure went up; ±inf when base is 0 and now
  /// is not, 0 when both are 0.
  double change = 0;
  bool higher_is_better = false;  ///< true for throughput, false for costs and latencies
  bool regressed = false;  ///< changed past the threshold in the worse direction, and not noise
  bool improved = false;   ///< changed past the threshold in the better direction, and not noise
  /// Repetitions were available and |now - base| <= mad_factor * max(mad_base, mad_now), or both
  /// sides listed their runs' values and the two sets overlap.
  bool noise = false;
};

/// Every compared figure of every matched scenario, and the scenarios that did not match.
struct CompareResult {
  std::vector<FigureDelta> deltas;        ///< base scenario order, then figure order
  std::vector<std::string> only_in_base;  ///< base scenarios with no counterpart in the new report
  std::vector<std::string> only_in_new;   ///< new scenarios with no counterpart in the base report
  /// True when any delta regressed.
  bool regressed() const;
};

/// Compares the scenarios of two reports (core/report.schema.json). Scenarios are matched by
/// `name`; those left over are then matched by (`group`, `transport`). Compared figures:
/// throughput.events_per_s (higher is better); latency_us.corrected.{p50,p99,p999},
/// latency_us.uncorrected.p99, wire.bytes_per_event, server.cpu_ns_per_event,
/// server.rss_bytes_per_connection, loadgen.cpu_ns_per_event, events.lost and
/// {server,loadgen}.wakeups_per_event (lower is better).
/// A figure null or missing on either side is skipped. A scenario's optional
/// `"repetitions": {"<figure>": {"median": x, "mad": y, "values": [...]}}` replaces that figure's
/// value with the median and enables the noise test: a change within mad_factor MADs is noise,
/// and when both reports list at least two values, so is one whose runs overlap (only a shift
/// with every new run beyond every base run counts). events.lost rising from 0 is a regression
/// whatever the threshold or spread. Never throws on malformed input: what cannot be read is
/// skipped.
CompareResult compare_reports(const nlohmann::json& base, const nlohmann::json& now,
                              const CompareOptions& o);

/// Renders `r` as options.format: a plain-text table, a GitHub markdown table (for a pull-request
/// comment) or a JSON document {"threshold", "mad_factor", "regressed", "regressions",
/// "improvements", "deltas": [...], "only_in_base", "only_in_new"} where a non-finite change is
/// written as null.
std::string format_compare(const CompareResult& r, const CompareOptions& o);

}  // namespace pushbench::loadgen
