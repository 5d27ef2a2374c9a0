#include "loadgen/report/verdict.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <vector>

#include "loadgen/report/compare.hpp"

namespace pushbench::loadgen {

using json = nlohmann::json;

namespace {

/// A figure a verdict speaks of; all are costs (lower is better).
struct VerdictFigure {
  const char* path;   ///< dotted path in a scenario (and key of its repetitions)
  const char* label;  ///< what the line calls it
  const char* unit;   ///< unit of the shown value
  double scale;       ///< report value x scale = shown value
};

constexpr VerdictFigure kVerdictFigures[] = {
    {"server.cpu_ns_per_event", "server CPU/event", "us", 1e-3},
    {"server.wakeups_per_event", "server wake-ups/event", "", 1},
    {"wire.bytes_per_event", "wire bytes/event", "B", 1},
    {"latency_us.corrected.p50", "latency p50", "us", 1},
    {"latency_us.corrected.p99", "latency p99", "us", 1},
    {"server.rss_bytes_per_connection", "server RSS/connection", "KiB", 1.0 / 1024},
    {"server.rss_anon_bytes_per_connection", "server anon/connection", "KiB", 1.0 / 1024},
    {"loadgen.cpu_ns_per_event", "loadgen CPU/event", "us", 1e-3},
};

/// compare's rule: a difference counts only when every run of one side lies beyond every run
/// of the other (Mann-Whitney U = 0).
std::string noise_between(const FigureReading& best, const FigureReading& other) {
  if (best.values.size() < 2 || other.values.size() < 2) return "single run";
  const auto [b_lo, b_hi] = std::minmax_element(best.values.begin(), best.values.end());
  const auto [o_lo, o_hi] = std::minmax_element(other.values.begin(), other.values.end());
  return *o_lo > *b_hi || *o_hi < *b_lo ? "separated" : "within noise";
}

json conditions_of(const json& s) {
  const auto text_or_null = [&](const char* path) {
    const std::string t = text_at(s, path);
    return t.empty() ? json(nullptr) : json(t);
  };
  const auto runs = number_at(s, "repetitions.runs");
  return {{"phase", text_or_null("schedule.phase")},
          {"server_cpus", text_or_null("pinning.server_cpus")},
          {"loadgen_cpus", text_or_null("pinning.loadgen_cpus")},
          {"loadgen_acks", text_or_null("loadgen.acks")},
          {"loadgen_wait", text_or_null("loadgen.wait")},
          {"runs",
           runs && *runs >= 1 && *runs < 1e9 ? json(static_cast<std::uint64_t>(*runs)) : json(1)}};
}

json figure_verdict(const VerdictFigure& f, const std::vector<ScenarioView>& scenarios) {
  std::vector<std::pair<std::string, FigureReading>> readings;
  for (const ScenarioView& s : scenarios) {
    const std::string transport = text_at(*s.raw, "transport");
    if (auto r = read_figure(s, f.path)) readings.emplace_back(transport.empty() ? "?" : transport, *r);
  }
  if (readings.size() < 2) return nullptr;
  std::stable_sort(readings.begin(), readings.end(),
                   [](const auto& a, const auto& b) { return a.second.value < b.second.value; });
  const FigureReading& best = readings.front().second;
  json entries = json::array();
  for (std::size_t i = 0; i < readings.size(); ++i) {
    const auto& [transport, r] = readings[i];
    const bool is_best = i == 0;
    entries.push_back(
        {{"transport", transport},
         {"value", r.value * f.scale},
         {"ratio", best.value != 0 ? json(r.value / best.value) : json(nullptr)},
         {"noise", is_best ? std::string("best") : noise_between(best, r)}});
  }
  return {{"figure", f.path},
          {"label", f.label},
          {"unit", f.unit},
          {"best", readings.front().first},
          {"entries", entries}};
}

}  // namespace

json group_verdicts(const json& report) {
  const ScenarioGroups groups = group_scenarios(report);
  json out = json::array();
  for (const auto& g : groups.order) {
    const auto& scs = groups.scenarios.at(g);
    if (scs.size() < 2) continue;
    json figures = json::array();
    for (const auto& f : kVerdictFigures) {
      if (auto v = figure_verdict(f, scs); !v.is_null()) figures.push_back(std::move(v));
    }
    if (figures.empty()) continue;
    out.push_back(
        {{"group", g}, {"conditions", conditions_of(*scs.front().raw)}, {"figures", figures}});
  }
  return out;
}

std::string format_verdict(const json& verdict, const std::string& indent) {
  std::string out;
  char buf[256];
  const auto& c = verdict["conditions"];
  const auto or_text = [](const json& v, const char* none) {
    return v.is_string() ? v.get<std::string>() : std::string(none);
  };
  std::snprintf(buf, sizeof buf, "%sverdict (phase %s, server CPUs %s, loadgen CPUs %s, %s run%s):\n",
                indent.c_str(), or_text(c["phase"], "n/a").c_str(),
                or_text(c["server_cpus"], "unpinned").c_str(),
                or_text(c["loadgen_cpus"], "unpinned").c_str(), c["runs"].dump().c_str(),
                c["runs"] == 1 ? "" : "s each");
  out += buf;
  // The load generator's policies, when not the defaults: they move latency and server CPU.
  std::string policies;
  if (c.value("loadgen_acks", json()) == kAcksDelayed) policies += " ACKs delayed;";
  if (c.value("loadgen_wait", json()) == kWaitBusyPoll) policies += " loadgen busy-polled;";
  if (!policies.empty()) {
    policies.pop_back();
    out += indent + "  (" + policies.substr(1) + ")\n";
  }
  for (const auto& f : verdict["figures"]) {
    const std::string unit = f["unit"].get<std::string>();
    const auto& entries = f["entries"];
    std::snprintf(buf, sizeof buf, "%s  %-22s %s best (%.3g%s%s)", indent.c_str(),
                  f["label"].get<std::string>().c_str(), f["best"].get<std::string>().c_str(),
                  entries[0]["value"].get<double>(), unit.empty() ? "" : " ", unit.c_str());
    out += buf;
    for (std::size_t i = 1; i < entries.size(); ++i) {
      const auto& e = entries[i];
      if (e["ratio"].is_number()) {
        std::snprintf(buf, sizeof buf, "; %s %.2fx (%s)", e["transport"].get<std::string>().c_str(),
                      e["ratio"].get<double>(), e["noise"].get<std::string>().c_str());
      } else {
        std::snprintf(buf, sizeof buf, "; %s %.3g%s%s (%s)",
                      e["transport"].get<std::string>().c_str(), e["value"].get<double>(),
                      unit.empty() ? "" : " ", unit.c_str(), e["noise"].get<std::string>().c_str());
      }
      out += buf;
    }
    out += "\n";
  }
  return out;
}

}  // namespace pushbench::loadgen
