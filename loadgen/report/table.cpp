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

/// The block of group `g`: its verdict line (if any), the transports' heading, the rows and the
/// scenarios' warnings.
void append_table_group(std::string& out, const std::string& g,
                        const std::vector<ScenarioView>& scs, const json* verdict) {
  char line[512];
  out += "\n";
  if (verdict) out += g + " " + format_verdict(*verdict, "");
  std::snprintf(line, sizeof line, "%-22s", g.c_str());
  out += line;
  for (const auto& s : scs) {
    std::snprintf(line, sizeof line, " %14s", s.figures.transport.value_or("?").c_str());
    out += line;
  }
  out += "\n";
  const bool proxied =
      std::any_of(scs.begin(), scs.end(), [](const auto& s) { return s.raw->contains("proxy"); });
  for (const auto& row : figure_rows()) {
    if (!row.label || (row.proxy && !proxied)) continue;
    std::snprintf(line, sizeof line, "  %-20s", row.label);
    out += line;
    for (const auto& s : scs) {
      std::snprintf(line, sizeof line, " %14s", row.cell(s).c_str());
      out += line;
    }
    out += "\n";
  }
  for (const auto& s : scs) {
    const std::string transport = s.figures.transport.value_or("?");
    for (const auto& w : s.figures.warnings) out += "  ! " + transport + ": " + w + "\n";
  }
}

}  // namespace

std::string comparison_table(const json& report) {
  const ScenarioGroups groups = group_scenarios(report);
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
