#include "loadgen/report/table.hpp"

#include <algorithm>
#include "loadgen/report/verdict.hpp"

#include <cstdio>
#include <string_view>
#include <functional>
#include <map>
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

const json& at_path(const json& j, std::initializer_list<const char*> path) {
  static const json null_value;
  const json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object() || !cur->contains(k)) return null_value;
    cur = &(*cur)[k];
  }
  return *cur;
}

}  // namespace

std::string comparison_table(const json& report) {
  struct Row {
    const char* label;
    std::function<std::string(const json&)> cell;
  };
  const std::vector<Row> rows = {
      {"http / TCP conns", [](const json& s) {
         const auto& v = at_path(s, {"http_version"});
         const auto& tls = at_path(s, {"tls"});
         return (v.is_string() ? "h" + v.get<std::string>() : std::string("tcp")) +
                (tls.is_boolean() && tls.get<bool>() ? "+tls" : "") + " / " +
                fmt(at_path(s, {"workload", "tcp_connections"}), "%.0f");
       }},
      {"events/s", [](const json& s) { return fmt(at_path(s, {"throughput", "events_per_s"}), "%.0f"); }},
      {"lost / expected", [](const json& s) {
         return fmt(at_path(s, {"events", "lost"}), "%.0f") + " / " +
                fmt(at_path(s, {"events", "expected"}), "%.0f");
       }},
      {"latency p50 us", [](const json& s) { return fmt(at_path(s, {"latency_us", "corrected", "p50"}), "%.1f"); }},
      {"latency p99 us", [](const json& s) { return fmt(at_path(s, {"latency_us", "corrected", "p99"}), "%.1f"); }},
      {"latency p99.9 us", [](const json& s) { return fmt(at_path(s, {"latency_us", "corrected", "p999"}), "%.1f"); }},
      {"latency max us", [](const json& s) { return fmt(at_path(s, {"latency_us", "corrected", "max"}), "%.1f"); }},
      {"uncorrected p99 us", [](const json& s) { return fmt(at_path(s, {"latency_us", "uncorrected", "p99"}), "%.1f"); }},
      {"wire bytes/event", [](const json& s) { return fmt(at_path(s, {"wire", "bytes_per_event"}), "%.1f"); }},
      {"connect p50 us", [](const json& s) { return fmt(at_path(s, {"connect_us", "p50"}), "%.1f"); }},
      {"first event p50 ms", [](const json& s) { return fmt(at_path(s, {"first_event_us", "p50"}), "%.2f", 1e-3); }},
      {"server CPU ns/event", [](const json& s) { return fmt(at_path(s, {"server", "cpu_ns_per_event"}), "%.0f"); }},
      {"server wakeups/event", [](const json& s) { return fmt(at_path(s, {"server", "wakeups_per_event"}), "%.3f"); }},
      {"server RSS/sub KiB", [](const json& s) { return fmt(at_path(s, {"server", "rss_bytes_per_stream"}), "%.1f", 1.0 / 1024); }},
      {"server RSS/conn KiB", [](const json& s) { return fmt(at_path(s, {"server", "rss_bytes_per_connection"}), "%.1f", 1.0 / 1024); }},
      {"loadgen CPU ns/event", [](const json& s) { return fmt(at_path(s, {"loadgen", "cpu_ns_per_event"}), "%.0f"); }},
      {"loadgen wakeups/event", [](const json& s) { return fmt(at_path(s, {"loadgen", "wakeups_per_event"}), "%.3f"); }},
      {"schedule phase", [](const json& s) {
         const auto& v = at_path(s, {"schedule", "phase"});
         return v.is_string() ? v.get<std::string>() : std::string("n/a");
       }},
      // Rows of a proxy in the path (printed only for groups that have one).
      {"proxy", [](const json& s) {
         const auto& v = at_path(s, {"proxy", "name"});
         return v.is_string() ? v.get<std::string>() : std::string("none");
       }},
      {"proxy CPU ns/event", [](const json& s) { return fmt(at_path(s, {"proxy", "cpu_ns_per_event"}), "%.0f"); }},
      {"proxy RSS/conn KiB", [](const json& s) { return fmt(at_path(s, {"proxy", "rss_bytes_per_connection"}), "%.1f", 1.0 / 1024); }},
      {"proxy backend conns", [](const json& s) { return fmt(at_path(s, {"proxy", "backend_connections"}), "%.0f"); }},
      {"loadgen saturated", [](const json& s) {
         const auto& v = at_path(s, {"loadgen", "saturated"});
         return v.is_boolean() ? std::string(v.get<bool>() ? "YES" : "no") : std::string("n/a");
       }},
  };
  // Groups in first-seen order; within a group, transports in first-seen order.
  std::vector<std::string> groups;
  std::map<std::string, std::vector<const json*>> by_group;
  static const json kNoScenarios = json::array();
  const json& scenarios = report.contains("scenarios") ? report["scenarios"] : kNoScenarios;
  for (const auto& s : scenarios) {
    const std::string g = s.value("group", s.value("name", "?"));
    if (!by_group.count(g)) groups.push_back(g);
    by_group[g].push_back(&s);
  }
  std::map<std::string, json> verdicts;
  for (auto& v : group_verdicts(report)) {
    const std::string group = v["group"].get<std::string>();
    verdicts[group] = std::move(v);
  }
  std::string out;
  char line[512];
  for (const auto& g : groups) {
    const auto& scs = by_group[g];
    out += "\n";
    if (auto it = verdicts.find(g); it != verdicts.end()) out += g + " " + format_verdict(it->second, "");
    std::snprintf(line, sizeof line, "%-22s", g.c_str());
    out += line;
    for (const json* s : scs) {
      std::snprintf(line, sizeof line, " %14s", s->value("transport", "?").c_str());
      out += line;
    }
    out += "\n";
    const bool proxied = std::any_of(scs.begin(), scs.end(),
                                     [](const json* s) { return s->contains("proxy"); });
    for (const auto& row : rows) {
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
  return out;
}

}  // namespace pushbench::loadgen
