#include "loadgen/report/report_markdown.hpp"

#include <map>
#include <vector>

#include "loadgen/report/figure_rows.hpp"
#include "loadgen/report/json_at.hpp"
#include "loadgen/report/scenario_model.hpp"

namespace pushbench::loadgen {

using json = nlohmann::json;

namespace {

/// A free-text field, escaped; "n/a" when it is not a non-empty string.
std::string text(const json& v) {
  return v.is_string() && !v.get_ref<const std::string&>().empty()
             ? markdown_escape(v.get_ref<const std::string&>())
             : std::string("n/a");
}

/// Column headings: the transport, or the scenario's name where the group repeats a transport.
std::vector<std::string> column_headings(const std::vector<ScenarioView>& scenarios) {
  std::map<std::string, int> seen;
  for (const auto& s : scenarios) ++seen[s.figures.transport.value_or("?")];
  std::vector<std::string> out;
  for (const auto& s : scenarios) {
    const std::string transport = s.figures.transport.value_or("?");
    out.push_back(
        markdown_escape(seen[transport] > 1 ? s.figures.name.value_or(transport) : transport));
  }
  return out;
}

void append_group(std::string& out, const std::string& group,
                  const std::vector<ScenarioView>& scenarios) {
  out += "\n### " + markdown_escape(group) + "\n\n|   |";
  for (const auto& heading : column_headings(scenarios)) out += " " + heading + " |";
  out += "\n|---|";
  for (std::size_t i = 0; i < scenarios.size(); ++i) out += "--:|";
  out += "\n";
  for (const auto& row : figure_rows()) {
    if (!row.markdown_label || row.proxy) continue;
    out += std::string("| ") + row.markdown_label + " |";
    for (const auto& s : scenarios) {
      const std::string cell = row.cell(s);
      out += " " + (row.alarm && cell == "YES" ? "**YES**" : markdown_escape(cell)) + " |";
    }
    out += "\n";
  }
  std::string warnings;
  for (const auto& s : scenarios) {
    const std::string transport = markdown_escape(s.figures.transport.value_or("?"));
    for (const auto& w : s.figures.warnings)
      warnings += "- " + transport + ": " + markdown_escape(w) + "\n";
  }
  if (!warnings.empty()) out += "\nWarnings:\n\n" + warnings;
}

}  // namespace

std::string markdown_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += ' ';
        break;
      case '\n':
        out += ' ';
        break;
      case '\\':
      case '|':
      case '`':
      case '*':
      case '_':
      case '~':
      case '[':
      case ']':
      case '<':
      case '>':
      case '#':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string report_markdown(const json& report) {
  std::string out = "## pushbench report\n\n";
  out += "- tool: pushbench " + text(json_at(report, {"tool", "version"})) + " (git " +
         text(json_at(report, {"tool", "git_sha"})) + ")\n";
  out += "- CPU: " + text(json_at(report, {"environment", "cpu_model"})) + "\n";
  out += "- started: " + text(json_at(report, {"started_at"})) + "\n";
  out += "- suite: " + text(json_at(report, {"suite"})) + "\n";

  const ScenarioGroups groups = group_scenarios(report);
  if (groups.order.empty()) out += "\nNo scenarios.\n";
  for (const auto& g : groups.order) append_group(out, g, groups.scenarios.at(g));
  return out;
}

}  // namespace pushbench::loadgen
