#include "loadgen/report/table.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "loadgen/report/figure_rows.hpp"
#include "loadgen/report/scenario_model.hpp"
#include "loadgen/report/verdict.hpp"

namespace pushbench::loadgen {

using json = nlohmann::json;

namespace {

/// The report's scenarios by group: groups in first-seen order, and within a group the
/// transports in first-seen order.
struct Groups {
  std::vector<std::string> order;                             ///< group names, first seen first
  std::map<std::string, std::vector<const json*>> scenarios;  ///< each group's scenarios
};

Groups group_scenarios(const json& report) {
  Groups groups;
  static const json kNoScenarios = json::array();
  const json& scenarios = report.contains("scenarios") ? report["scenarios"] : kNoScenarios;
  for (const auto& s : scenarios) {
    const ScenarioFigures f = scenario_figures(s);
    const std::string g = f.group.value_or(f.name.value_or("?"));
    if (!groups.scenarios.count(g)) groups.order.push_back(g);
    groups.scenarios[g].push_back(&s);
  }
  return groups;
}

/// The block of group `g`: its verdict line (if any), the transports' heading, the rows and the
/// scenarios' warnings.
void append_table_group(std::string& out, const std::string& g, const std::vector<const json*>& scs,
                        const json* verdict) {
  char line[512];
  out += "\n";
  if (verdict) out += g + " " + format_verdict(*verdict, "");
  std::snprintf(line, sizeof line, "%-22s", g.c_str());
  out += line;
  std::vector<ScenarioFigures> figures;
  for (const json* s : scs) figures.push_back(scenario_figures(*s));
  for (const auto& f : figures) {
    std::snprintf(line, sizeof line, " %14s", f.transport.value_or("?").c_str());
    out += line;
  }
  out += "\n";
  const bool proxied =
      std::any_of(scs.begin(), scs.end(), [](const json* s) { return s->contains("proxy"); });
  for (const auto& row : figure_rows()) {
    if (!row.label || (row.proxy && !proxied)) continue;
    std::snprintf(line, sizeof line, "  %-20s", row.label);
    out += line;
    for (std::size_t i = 0; i < scs.size(); ++i) {
      std::snprintf(line, sizeof line, " %14s",
                    row.cell(ScenarioView{*scs[i], figures[i]}).c_str());
      out += line;
    }
    out += "\n";
  }
  for (const auto& f : figures) {
    for (const auto& w : f.warnings) out += "  ! " + f.transport.value_or("?") + ": " + w + "\n";
  }
}

}  // namespace

std::string comparison_table(const json& report) {
  const Groups groups = group_scenarios(report);
  std::map<std::string, json> verdicts;
  for (auto& v : group_verdicts(report)) {
    const std::string group = v["group"].get<std::string>();
    verdicts[group] = std::move(v);
  }
  std::string out;
  for (const auto& g : groups.order) {
    const auto it = verdicts.find(g);
    append_table_group(out, g, groups.scenarios.at(g),
                       it == verdicts.end() ? nullptr : &it->second);
  }
  return out;
}

}  // namespace pushbench::loadgen
