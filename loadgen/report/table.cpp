#include "loadgen/report/table.hpp"

#include <algorithm>
#include "loadgen/report/json_at.hpp"
#include "loadgen/report/verdict.hpp"

#include <cstdio>
#include <functional>
#include <map>
#include <string_view>
#include <vector>

namespace pushbench::loadgen {

using json = nlohmann::json;

namespace {

std::string fmt(const json& v, const char* format, double scale = 1) {
  if (!v.is_number()) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v.get<double>() * scale);
  return buf;
}

/// One row of the table: its label and how a scenario's cell reads.
struct TableRow {
  const char* label;                             ///< printed in the first column
  std::function<std::string(const json&)> cell;  ///< the cell of one scenario
};

/// A row printing the number at `path` with `format`, times `scale`.
TableRow number_row(const char* label, std::vector<const char*> path, const char* format,
                    double scale = 1) {
  return {label, [path = std::move(path), format, scale](const json& s) {
            return fmt(json_at(s, path), format, scale);
          }};
}

/// A row printing the string at `path`, or `missing`.
TableRow text_row(const char* label, std::vector<const char*> path, const char* missing) {
  return {label, [path = std::move(path), missing](const json& s) {
            const auto& v = json_at(s, path);
            return v.is_string() ? v.get<std::string>() : std::string(missing);
          }};
}

/// Every row, in print order; the rows labelled "proxy..." only for groups with a proxy.
const std::vector<TableRow>& table_rows() {
  static const std::vector<TableRow> rows = {
      {"http / TCP conns",
       [](const json& s) {
         const auto& v = json_at(s, {"http_version"});
         const auto& tls = json_at(s, {"tls"});
         return (v.is_string() ? "h" + v.get<std::string>() : std::string("tcp")) +
                (tls.is_boolean() && tls.get<bool>() ? "+tls" : "") + " / " +
                fmt(json_at(s, {"workload", "tcp_connections"}), "%.0f");
       }},
      number_row("events/s", {"throughput", "events_per_s"}, "%.0f"),
      {"lost / expected",
       [](const json& s) {
         return fmt(json_at(s, {"events", "lost"}), "%.0f") + " / " +
                fmt(json_at(s, {"events", "expected"}), "%.0f");
       }},
      number_row("latency p50 us", {"latency_us", "corrected", "p50"}, "%.1f"),
      number_row("latency p99 us", {"latency_us", "corrected", "p99"}, "%.1f"),
      number_row("latency p99.9 us", {"latency_us", "corrected", "p999"}, "%.1f"),
      number_row("latency max us", {"latency_us", "corrected", "max"}, "%.1f"),
      number_row("uncorrected p99 us", {"latency_us", "uncorrected", "p99"}, "%.1f"),
      number_row("wire bytes/event", {"wire", "bytes_per_event"}, "%.1f"),
      number_row("connect p50 us", {"connect_us", "p50"}, "%.1f"),
      number_row("first event p50 ms", {"first_event_us", "p50"}, "%.2f", 1e-3),
      number_row("server CPU ns/event", {"server", "cpu_ns_per_event"}, "%.0f"),
      number_row("server wakeups/event", {"server", "wakeups_per_event"}, "%.3f"),
      number_row("server RSS/sub KiB", {"server", "rss_bytes_per_stream"}, "%.1f", 1.0 / 1024),
      number_row("server RSS/conn KiB", {"server", "rss_bytes_per_connection"}, "%.1f", 1.0 / 1024),
      number_row("loadgen CPU ns/event", {"loadgen", "cpu_ns_per_event"}, "%.0f"),
      number_row("loadgen wakeups/event", {"loadgen", "wakeups_per_event"}, "%.3f"),
      text_row("schedule phase", {"schedule", "phase"}, "n/a"),
      // Rows of a proxy in the path (printed only for groups that have one).
      text_row("proxy", {"proxy", "name"}, "none"),
      number_row("proxy CPU ns/event", {"proxy", "cpu_ns_per_event"}, "%.0f"),
      number_row("proxy RSS/conn KiB", {"proxy", "rss_bytes_per_connection"}, "%.1f", 1.0 / 1024),
      number_row("proxy backend conns", {"proxy", "backend_connections"}, "%.0f"),
      {"loadgen saturated",
       [](const json& s) {
         const auto& v = json_at(s, {"loadgen", "saturated"});
         return v.is_boolean() ? std::string(v.get<bool>() ? "YES" : "no") : std::string("n/a");
       }},
  };
  return rows;
}

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
    const std::string g = s.value("group", s.value("name", "?"));
    if (!groups.scenarios.count(g)) groups.order.push_back(g);
    groups.scenarios[g].push_back(&s);
  }
  return groups;
}

/// The block of group `g`: its verdict line (if any), the transports' heading, the rows and the
/// scenarios' warnings.
void append_table_group(std::string& out, const std::string& g,
                        const std::vector<const json*>& scs, const json* verdict) {
  char line[512];
  out += "\n";
  if (verdict) out += g + " " + format_verdict(*verdict, "");
  std::snprintf(line, sizeof line, "%-22s", g.c_str());
  out += line;
  for (const json* s : scs) {
    std::snprintf(line, sizeof line, " %14s", s->value("transport", "?").c_str());
    out += line;
  }
  out += "\n";
  const bool proxied =
      std::any_of(scs.begin(), scs.end(), [](const json* s) { return s->contains("proxy"); });
  for (const auto& row : table_rows()) {
    if (!proxied && std::string_view(row.label).rfind("proxy", 0) == 0) continue;
    std::snprintf(line, sizeof line, "  %-20s", row.label);
    out += line;
    for (const json* s : scs) {
      std::snprintf(line, sizeof line, " %14s", row.cell(*s).c_str());
      out += line;
    }
    out += "\n";
  }
  for (const json* s : scs) {
    for (const auto& w : s->value("warnings", json::array())) {
      out += "  ! " + s->value("transport", std::string("?")) + ": " + w.get<std::string>() + "\n";
    }
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
