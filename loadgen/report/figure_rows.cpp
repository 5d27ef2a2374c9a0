#include "loadgen/report/figure_rows.hpp"

#include <cstdio>

#include "loadgen/report/json_at.hpp"

namespace pushbench::loadgen {

using json = nlohmann::json;

std::string format_figure(std::optional<double> v, const char* format, double scale) {
  if (!v) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, *v * scale);
  return buf;
}

namespace {

std::optional<double> number(const json& v) {
  return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
}

/// A row printing the typed figure at dotted `path`.
FigureRow figure(const char* label, const char* markdown_label, const char* path,
                 const char* format, double scale = 1) {
  return {label, markdown_label, [path, format, scale](const ScenarioView& c) {
            return format_figure(figure_value(c.figures, path), format, scale);
          }};
}

/// A row printing the number at `key` of the proxy's (open) section.
FigureRow proxy_figure(const char* label, const char* key, const char* format, double scale = 1) {
  return {label, nullptr,
          [key, format, scale](const ScenarioView& c) {
            return format_figure(number(json_at(*c.raw, {"proxy", key})), format, scale);
          },
          true};
}

std::string carrier(const ScenarioView& c) {
  const auto& f = c.figures;
  return (f.http_version ? "h" + *f.http_version : std::string("tcp")) +
         (f.tls.value_or(false) ? "+tls" : "") + " / " +
         format_figure(number(json_at(*c.raw, {"workload", "tcp_connections"})), "%.0f");
}

std::string lost_of_expected(const ScenarioView& c) {
  return format_figure(figure_value(c.figures, "events.lost"), "%.0f") + " / " +
         format_figure(figure_value(c.figures, "events.expected"), "%.0f");
}

std::string compression(const ScenarioView& c) {
  const json& v = json_at(*c.raw, {"compression", "algorithm"});
  return v.is_string() && !v.get_ref<const std::string&>().empty() ? v.get<std::string>() : "n/a";
}

std::string proxy_name(const ScenarioView& c) {
  const json& v = json_at(*c.raw, {"proxy", "name"});
  return v.is_string() ? v.get<std::string>() : std::string("none");
}

std::string saturated(const ScenarioView& c) {
  const auto& v = c.figures.loadgen.saturated;
  return v ? std::string(*v ? "YES" : "no") : std::string("n/a");
}

}  // namespace

const std::vector<FigureRow>& figure_rows() {
  static const std::vector<FigureRow> rows = {
      {"http / TCP conns", nullptr, carrier},
      figure("events/s", "events/s", "throughput.events_per_s", "%.0f"),
      {"lost / expected", "lost / expected", lost_of_expected},
      figure("latency p50 us", "corrected p50 (µs)", "latency_us.corrected.p50", "%.1f"),
      figure("latency p99 us", "corrected p99 (µs)", "latency_us.corrected.p99", "%.1f"),
      figure("latency p99.9 us", "corrected p99.9 (µs)", "latency_us.corrected.p999", "%.1f"),
      figure("latency max us", nullptr, "latency_us.corrected.max", "%.1f"),
      figure("uncorrected p99 us", "uncorrected p99 (µs)", "latency_us.uncorrected.p99", "%.1f"),
      figure("wire bytes/event", "wire bytes/event", "wire.bytes_per_event", "%.1f"),
      {nullptr, "compression", compression},
      figure("connect p50 us", nullptr, "connect_us.p50", "%.1f"),
      figure("first event p50 ms", nullptr, "first_event_us.p50", "%.2f", 1e-3),
      figure("server CPU ns/event", "server CPU ns/event", "server.cpu_ns_per_event", "%.0f"),
      figure("server wakeups/event", nullptr, "server.wakeups_per_event", "%.3f"),
      figure("server RSS/sub KiB", nullptr, "server.rss_bytes_per_stream", "%.1f", 1.0 / 1024),
      figure("server RSS/conn KiB", "server RSS/conn (KiB)", "server.rss_bytes_per_connection",
             "%.1f", 1.0 / 1024),
      figure("server anon/sub KiB", nullptr, "server.rss_anon_bytes_per_stream", "%.2f",
             1.0 / 1024),
      figure("loadgen CPU ns/event", nullptr, "loadgen.cpu_ns_per_event", "%.0f"),
      figure("loadgen wakeups/event", nullptr, "loadgen.wakeups_per_event", "%.3f"),
      {"schedule phase", nullptr,
       [](const ScenarioView& c) { return c.figures.schedule.phase.value_or("n/a"); }},
      {"loadgen ACKs", nullptr,
       [](const ScenarioView& c) { return c.figures.loadgen.acks.value_or("n/a"); }},
      {"loadgen wait", nullptr,
       [](const ScenarioView& c) {
         const LoadgenFigures& l = c.figures.loadgen;
         return l.wait.value_or("n/a") + (l.worker_cpus ? " (CPUs " + *l.worker_cpus + ")" : "");
       }},
      // Rows of a proxy in the path (printed only for groups that have one).
      {"proxy", nullptr, proxy_name, true},
      proxy_figure("proxy CPU ns/event", "cpu_ns_per_event", "%.0f"),
      proxy_figure("proxy RSS/conn KiB", "rss_bytes_per_connection", "%.1f", 1.0 / 1024),
      proxy_figure("proxy backend conns", "backend_connections", "%.0f"),
      {"loadgen saturated", "loadgen saturated", saturated, false, true},
  };
  return rows;
}

}  // namespace pushbench::loadgen
