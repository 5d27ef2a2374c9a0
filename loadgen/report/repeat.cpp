#include "loadgen/report/repeat.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "loadgen/report/compare.hpp"
#include "loadgen/report/scenario_model.hpp"

namespace pushbench::loadgen {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double hi = v[mid];
  if (v.size() % 2) return hi;
  return (hi + *std::max_element(v.begin(), v.begin() + mid)) / 2;
}

double median_absolute_deviation(const std::vector<double>& v) {
  const double m = median(v);
  std::vector<double> dev;
  dev.reserve(v.size());
  for (double x : v) dev.push_back(std::fabs(x - m));
  return median(dev);
}

namespace {

/// The run at the upper median of its key figure (for an even count the worse of the middle two;
/// ties go to the earlier run): corrected p99, else (no run measured it) events/s. A run without
/// the figure counts as the worst (it delivered nothing) and must not pass for the median.
std::size_t representative_run(const std::vector<ScenarioFigures>& figures) {
  std::vector<std::optional<double>> p99;
  for (const auto& f : figures) p99.push_back(figure_value(f, "latency_us.corrected.p99"));
  const bool any_p99 =
      std::any_of(p99.begin(), p99.end(), [](const auto& v) { return v.has_value(); });
  // Badness, higher is worse: the p99 itself, or minus the events/s.
  std::vector<double> bad;
  for (std::size_t i = 0; i < figures.size(); ++i) {
    bad.push_back(any_p99 ? p99[i].value_or(std::numeric_limits<double>::infinity())
                          : -figure_value(figures[i], "throughput.events_per_s").value_or(0));
  }
  std::vector<double> sorted = bad;
  std::sort(sorted.begin(), sorted.end());
  const double middle = sorted[sorted.size() / 2];
  return static_cast<std::size_t>(std::find(bad.begin(), bad.end(), middle) - bad.begin());
}

/// What the other runs saw that the representative does not show: their losses and warnings
/// (connection errors among them), as warnings of the summary ("run K of N: ..."), so that a
/// repetition that lost events cannot hide behind a clean representative.
std::vector<std::string> other_runs_warnings(const std::vector<ScenarioFigures>& figures,
                                             std::size_t representative) {
  const auto& rep = figures[representative].warnings;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < figures.size(); ++i) {
    if (i == representative) continue;
    const ScenarioFigures& f = figures[i];
    const std::string prefix =
        "run " + std::to_string(i + 1) + " of " + std::to_string(figures.size()) + ": ";
    if (f.events.lost.value_or(0) > 0) {
      out.push_back(prefix + "lost " + std::to_string(*f.events.lost) + " of " +
                    (f.events.expected ? std::to_string(*f.events.expected) : "?") + " events");
    }
    // Connection errors come with the run's own warning (load_verdicts), kept below.
    for (const auto& w : f.warnings) {
      if (std::find(rep.begin(), rep.end(), w) == rep.end()) out.push_back(prefix + w);
    }
  }
  return out;
}

}  // namespace

nlohmann::json summarize_repetitions(const std::vector<nlohmann::json>& runs) {
  if (runs.empty()) throw std::invalid_argument("summarize_repetitions: no runs");
  if (runs.size() == 1) return runs.front();
  std::vector<ScenarioFigures> figures;
  for (const auto& r : runs) figures.push_back(scenario_figures(r));
  const std::size_t representative = representative_run(figures);
  nlohmann::json reps = {{"runs", runs.size()}, {"representative_run", representative}};
  for (const auto& fig : compared_figures()) {
    std::vector<double> values;
    for (const auto& f : figures) {
      if (auto v = figure_value(f, fig.path)) values.push_back(*v);
    }
    if (values.empty()) continue;
    reps[fig.path] = {
        {"median", median(values)}, {"mad", median_absolute_deviation(values)}, {"values", values}};
  }
  nlohmann::json out = runs[representative];
  out["repetitions"] = std::move(reps);
  if (!out.contains("warnings") || !out["warnings"].is_array())
    out["warnings"] = nlohmann::json::array();
  for (auto& w : other_runs_warnings(figures, representative))
    out["warnings"].push_back(std::move(w));
  return out;
}

nlohmann::json merge_reports(const std::vector<nlohmann::json>& reports) {
  if (reports.size() < 2) throw std::runtime_error("merge needs at least two reports");
  const std::string sha = text_at(reports.front(), "tool.git_sha");
  std::vector<std::map<std::string, const nlohmann::json*>> by_name(reports.size());
  nlohmann::json merged_from = nlohmann::json::array();
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    const std::string where = "report " + std::to_string(i + 1);
    if (!r.is_object() || !r.contains("scenarios") || !r["scenarios"].is_array() ||
        r["scenarios"].empty()) {
      throw std::runtime_error(where + " has no scenarios");
    }
    if (text_at(r, "tool.git_sha") != sha) {
      throw std::runtime_error(where + " comes from commit '" + text_at(r, "tool.git_sha") +
                               "', report 1 from '" + sha + "': merge runs of one build");
    }
    if (r["scenarios"].size() != reports.front()["scenarios"].size()) {
      throw std::runtime_error(where + " has " + std::to_string(r["scenarios"].size()) +
                               " scenarios, report 1 has " +
                               std::to_string(reports.front()["scenarios"].size()) +
                               ": merge complete runs of one suite");
    }
    for (const auto& sc : r["scenarios"]) {
      const std::string name = text_at(sc, "name");
      if (name.empty()) {
        throw std::runtime_error(where + " has a scenario without a name");
      }
      if (sc.contains("repetitions")) {
        throw std::runtime_error(where + ": scenario '" + name +
                                 "' already has repetitions; merge single-run reports");
      }
      if (!by_name[i].emplace(name, &sc).second) {
        throw std::runtime_error(where + ": scenario name '" + name + "' appears twice");
      }
    }
    merged_from.push_back({{"started_at", text_at(r, "started_at")}, {"git_sha", sha}});
  }
  nlohmann::json out = reports.front();
  out["scenarios"] = nlohmann::json::array();
  for (const auto& sc : reports.front()["scenarios"]) {
    const std::string name = text_at(sc, "name");
    std::vector<nlohmann::json> runs;
    for (std::size_t i = 0; i < reports.size(); ++i) {
      const auto it = by_name[i].find(name);
      if (it == by_name[i].end()) {
        throw std::runtime_error("scenario '" + name + "' is missing from report " +
                                 std::to_string(i + 1));
      }
      runs.push_back(*it->second);
    }
    out["scenarios"].push_back(summarize_repetitions(runs));
  }
  // ISO 8601 UTC timestamps of one format order as strings.
  for (const auto& r : reports) {
    const std::string started = text_at(r, "started_at");
    const std::string finished = text_at(r, "finished_at");
    if (!started.empty() && started < text_at(out, "started_at")) out["started_at"] = started;
    if (finished > text_at(out, "finished_at")) out["finished_at"] = finished;
  }
  out["merged_from"] = std::move(merged_from);
  return out;
}

}  // namespace pushbench::loadgen
