#include "loadgen/report/report_markdown.hpp"

#include <cstdio>
#include <functional>
#include <map>
#include <vector>

#include "loadgen/report/json_at.hpp"

namespace pushbench::loadgen {

using json = nlohmann::json;

namespace {

constexpr const char* kNa = "n/a";

std::string number(const json& v, const char* format, double scale = 1) {
  if (!v.is_number()) return kNa;
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v.get<double>() * scale);
  return buf;
}

/// A free-text field, escaped; "n/a" when it is not a non-empty string.
std::string text(const json& v) {
  return v.is_string() && !v.get_ref<const std::string&>().empty()
             ? markdown_escape(v.get_ref<const std::string&>())
             : std::string(kNa);
}

/// A table row: its label and how to fill one scenario's cell.
struct MarkdownRow {
  const char* label;                             ///< first column
  std::function<std::string(const json&)> cell;  ///< escaped cell for one scenario
};

const std::vector<MarkdownRow>& rows() {
  static const std::vector<MarkdownRow> kRows = {
      {"events/s",
       [](const json& s) {
         return number(json_at(s, {"throughput", "events_per_s"}), "%.0f");
       }},
      {"lost / expected",
       [](const json& s) {
         return number(json_at(s, {"events", "lost"}), "%.0f") + " / " +
                number(json_at(s, {"events", "expected"}), "%.0f");
       }},
      {"corrected p50 (µs)",
       [](const json& s) {
         return number(json_at(s, {"latency_us", "corrected", "p50"}), "%.1f");
       }},
      {"corrected p99 (µs)",
       [](const json& s) {
         return number(json_at(s, {"latency_us", "corrected", "p99"}), "%.1f");
       }},
      {"corrected p99.9 (µs)",
       [](const json& s) {
         return number(json_at(s, {"latency_us", "corrected", "p999"}), "%.1f");
       }},
      {"uncorrected p99 (µs)",
       [](const json& s) {
         return number(json_at(s, {"latency_us", "uncorrected", "p99"}), "%.1f");
       }},
      {"wire bytes/event",
       [](const json& s) {
         return number(json_at(s, {"wire", "bytes_per_event"}), "%.1f");
       }},
      {"compression",
       [](const json& s) {
         return text(json_at(s, {"compression", "algorithm"}));
       }},
      {"server CPU ns/event",
       [](const json& s) {
         return number(json_at(s, {"server", "cpu_ns_per_event"}), "%.0f");
       }},
      {"server RSS/conn (KiB)",
       [](const json& s) {
         return number(json_at(s, {"server", "rss_bytes_per_connection"}), "%.1f", 1.0 / 1024);
       }},
      {"loadgen saturated",
       [](const json& s) {
         const json& v = json_at(s, {"loadgen", "saturated"});
         if (!v.is_boolean()) return std::string(kNa);
         return std::string(v.get<bool>() ? "**YES**" : "no");
       }},
  };
  return kRows;
}

std::string string_or(const json& s, const char* key, const std::string& fallback) {
  const json& v = json_at(s, {key});
  return v.is_string() ? v.get<std::string>() : fallback;
}

/// Column headings: the transport, or the scenario's name where the group repeats a transport.
std::vector<std::string> column_headings(const std::vector<const json*>& scenarios) {
  std::map<std::string, int> seen;
  for (const json* s : scenarios) ++seen[string_or(*s, "transport", "?")];
  std::vector<std::string> out;
  for (const json* s : scenarios) {
    const std::string transport = string_or(*s, "transport", "?");
    out.push_back(
        markdown_escape(seen[transport] > 1 ? string_or(*s, "name", transport) : transport));
  }
  return out;
}

void append_group(std::string& out, const std::string& group,
                  const std::vector<const json*>& scenarios) {
  out += "\n### " + markdown_escape(group) + "\n\n|   |";
  for (const auto& heading : column_headings(scenarios)) out += " " + heading + " |";
  out += "\n|---|";
  for (std::size_t i = 0; i < scenarios.size(); ++i) out += "--:|";
  out += "\n";
  for (const auto& row : rows()) {
    out += std::string("| ") + row.label + " |";
    for (const json* s : scenarios) out += " " + row.cell(*s) + " |";
    out += "\n";
  }
  std::string warnings;
  for (const json* s : scenarios) {
    const json& list = json_at(*s, {"warnings"});
    if (!list.is_array()) continue;
    for (const auto& w : list) {
      if (!w.is_string()) continue;
      warnings += "- " + markdown_escape(string_or(*s, "transport", "?")) + ": " +
                  markdown_escape(w.get<std::string>()) + "\n";
    }
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

  std::vector<std::string> groups;
  std::map<std::string, std::vector<const json*>> by_group;
  const json& scenarios = json_at(report, {"scenarios"});
  if (scenarios.is_array()) {
    for (const auto& s : scenarios) {
      if (!s.is_object()) continue;
      const std::string g = string_or(s, "group", string_or(s, "name", "?"));
      if (!by_group.count(g)) groups.push_back(g);
      by_group[g].push_back(&s);
    }
  }
  if (groups.empty()) out += "\nNo scenarios.\n";
  for (const auto& g : groups) append_group(out, g, by_group[g]);
  return out;
}

}  // namespace pushbench::loadgen
