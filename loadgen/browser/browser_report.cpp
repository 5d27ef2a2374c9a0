#include "loadgen/browser/browser_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "core/measure/histogram.hpp"
#include "loadgen/measure/server_stats.hpp"

namespace pushbench::loadgen {

namespace {

using nlohmann::json;

/// The page's histogram (bin index as the harness's layout, exact min/max) as ours.
LatencyHistogram histogram_from_page(const json& h) {
  LatencyHistogram out;
  if (!h.is_object() || !h.contains("bins")) return out;
  const auto number = [&](const char* key) {
    return h.contains(key) && h[key].is_number() ? h[key].get<double>() * 1e3 : 0.0;
  };
  const double lo = number("min_us"), hi = number("max_us");
  bool min_done = false, max_done = false;
  for (const auto& bin : h["bins"]) {
    if (!bin.is_array() || bin.size() != 2) continue;
    const int idx = bin[0].get<int>();
    auto n = bin[1].get<std::uint64_t>();
    const double centre = idx < 0
                              ? 0.0
                              : LatencyHistogram::kLowestNs *
                                    std::pow(10.0, (idx + 0.5) / LatencyHistogram::kBinsPerDecade);
    // The exact extremes replace one value of their own bins, so min and max stay exact.
    const auto in_bin = [&](double v) {
      return v < 1e3 ? idx < 0 : idx == static_cast<int>(std::floor(std::log10(v / 1e3) * 117));
    };
    if (n && !min_done && in_bin(lo)) {
      out.record(static_cast<std::int64_t>(lo));
      --n;
      min_done = true;
    }
    if (n && !max_done && in_bin(hi)) {
      out.record(static_cast<std::int64_t>(hi));
      --n;
      max_done = true;
    }
    for (std::uint64_t i = 0; i < n; ++i) out.record(static_cast<std::int64_t>(centre));
  }
  return out;
}

/// CPU seconds per second of `m` processes between two samples (0 when they coincide).
double cpu_rate(const TimedSample& from, const TimedSample& to, ChromiumCost ChromiumSample::*m) {
  const double dt = to.at_s - from.at_s;
  return dt > 0 ? ((to.sample.*m).cpu_s - (from.sample.*m).cpu_s) / dt : 0;
}

/// One kind of process's cost over the window: CPU above the idle page's rate after the run
/// (the rate before the run, still holding start-up work, is reported beside it), memory above
/// the idle page's before the subscriptions opened.
json cost_json(const BrowserObservation& o, ChromiumCost ChromiumSample::*m, std::uint64_t events,
               unsigned subscriptions) {
  const auto& ws = o.window_start.sample.*m;
  const auto& we = o.window_end.sample.*m;
  const double window_s = o.window_end.at_s - o.window_start.at_s;
  const double idle_rate = cpu_rate(o.idle_start, o.idle_end, m);
  const double cpu = (we.cpu_s - ws.cpu_s) - idle_rate * window_s;
  const auto& idle = o.open.sample.*m;
  const double rss_delta = static_cast<double>(we.rss_bytes) - static_cast<double>(idle.rss_bytes);
  return {{"processes", we.processes},
          {"cpu_s", we.cpu_s - ws.cpu_s},
          {"idle_cpu_per_s", idle_rate},
          {"startup_idle_cpu_per_s", cpu_rate(o.ready, o.open, m)},
          {"cpu_s_above_idle", cpu},
          {"cpu_ns_per_event", events ? json(cpu * 1e9 / static_cast<double>(events)) : json()},
          {"rss_bytes_idle", idle.rss_bytes},
          {"rss_bytes_end", we.rss_bytes},
          {"rss_bytes_per_subscription", rss_delta / subscriptions}};
}

json cost_section(const BrowserObservation& o, std::uint64_t events, unsigned n,
                  std::vector<std::string>& warnings) {
  const double idle_s = o.idle_end.at_s - o.idle_start.at_s;
  const double window_s = o.window_end.at_s - o.window_start.at_s;
  const auto part = [&](ChromiumCost ChromiumSample::*m) { return cost_json(o, m, events, n); };
  if (o.window_start.sample.total.processes != o.window_end.sample.total.processes) {
    warnings.push_back("chromium's process count changed during the window (" +
                       std::to_string(o.window_start.sample.total.processes) + " -> " +
                       std::to_string(o.window_end.sample.total.processes) +
                       "): its cost includes starting or losing a process");
  }
  json samples = json::object();
  for (const auto& [name, t] : {std::pair<const char*, const TimedSample*>{"ready", &o.ready},
                                {"open", &o.open},
                                {"window_start", &o.window_start},
                                {"window_end", &o.window_end},
                                {"idle_start", &o.idle_start},
                                {"idle_end", &o.idle_end}}) {
    samples[name] = {{"at_s", t->at_s},
                     {"renderer_cpu_s", t->sample.renderer.cpu_s},
                     {"network_cpu_s", t->sample.network.cpu_s},
                     {"total_cpu_s", t->sample.total.cpu_s},
                     {"total_rss_bytes", t->sample.total.rss_bytes},
                     {"processes", t->sample.total.processes}};
  }
  return {{"samples", samples},
          {"source",
           "/proc of chromium's process group, sampled when the page's phase messages "
           "arrived; the idle page's CPU rate (after the run) and memory (before the "
           "subscriptions) are subtracted"},
          {"idle_s", idle_s},
          {"window_s", window_s},
          {"renderer", part(&ChromiumSample::renderer)},
          {"network", part(&ChromiumSample::network)},
          {"total", part(&ChromiumSample::total)}};
}

/// The workload section, as `load` writes it.
json workload_json(const BrowserConfig& config, const BrowserObservation& obs, double window_s) {
  const bool count_mode = obs.spec.count.has_value();
  return {{"kind", config.resume ? "resume" : "stream"},
          {"connections", config.subscriptions},
          {"streams_per_connection", 1},
          {"subscriptions", config.subscriptions},
          {"rate_per_stream", obs.spec.rate},
          {"payload_bytes", obs.spec.size},
          {"payload_kind", std::string(to_string(obs.spec.payload))},
          {"duration_s", count_mode ? window_s : config.duration_s},
          {"warmup_s", count_mode ? 0.0 : config.warmup_s},
          {"topic", obs.spec.topic ? json(*obs.spec.topic) : json()}};
}

/// The typed figures of a browser run. What it cannot measure: the wire (the browser's sockets
/// are not ours: counted 0), the server's process (not sampled here: null) and a load generator
/// (none: the harness's own cost is 0).
ScenarioFigures browser_figures(const BrowserConfig& config, const BrowserObservation& obs,
                                const BrowserTotals& totals, const LatencyHistogram& corrected,
                                const LatencyHistogram& uncorrected, double window_s) {
  const std::string transport(to_string(obs.target.transport));
  const std::uint64_t received = totals.received, expected = totals.expected;
  return {.name = config.name.empty()
                      ? "chromium-" + transport + "-" + std::to_string(config.subscriptions)
                      : config.name,
          .group = config.group.empty() ? "browser" : config.group,
          .transport = transport,
          .http_version = totals.http_version,
          .tls = obs.target.tls,
          // Every subscription asks for the one epoch the run set (browser_run.cpp).
          .schedule = {.phase = "aligned", .seed = 0, .server_timer_slack_us = std::nullopt},
          .events = {.expected = expected,
                     .received = received,
                     .lost = expected > received ? expected - received : 0,
                     .duplicated = totals.duplicated,
                     .out_of_order = totals.out_of_order},
          .throughput = {.events_per_s = static_cast<double>(received) / window_s,
                         .payload_bytes_per_s =
                             static_cast<double>(received * obs.spec.size) / window_s,
                         .wire_bytes_per_s = 0.0},
          .wire = {.bytes_received = 0,
                   .bytes_sent = 0,
                   .segments_received = 0,
                   .bytes_per_event = std::nullopt,
                   .segments_sent = std::nullopt},
          .latency_us = {.corrected = summary_or_null(corrected.summary_us()),
                         .uncorrected = summary_or_null(uncorrected.summary_us())},
          .connect_us = summary_or_null(totals.connect_us),
          .first_event_us = summary_or_null(totals.first_event_us),
          .server = {},
          .loadgen = {.cpu_s = 0.0,
                      .cpu_ns_per_event = std::nullopt,
                      .wakeups_per_event = std::nullopt,
                      .threads = 1,
                      .saturated = false,
                      .max_thread_busy = 0.0,
                      .acks = std::string(kAcksKernel),
                      .wait = std::string(kWaitBlock),
                      .worker_cpus = std::nullopt},
          .errors = totals.errors,
          .warnings = {}};
}

}  // namespace

json browser_scenario(const BrowserConfig& config, const BrowserObservation& obs) {
  const auto& r = obs.result;
  std::vector<std::string> warnings = obs.warnings;
  BrowserTotals totals;
  json subs = browser_subscriptions(config, obs, totals, warnings);
  const auto corrected = histogram_from_page(r.value("corrected", json::object()));
  const auto uncorrected = histogram_from_page(r.value("uncorrected", json::object()));
  if (!uncorrected.count() && corrected.count()) {
    warnings.push_back("the events carry no `st`: uncorrected latency is not measured");
  }
  const double window_s =
      std::max(1e-9, (r.value("window_end_ms", 0.0) - r.value("window_start_ms", 0.0)) / 1e3);
  warnings.push_back(
      "wire: not measured (the browser's sockets are not the harness's); "
      "bytes and segments are 0");
  // Opened by an upgrade (WebSocket): over HTTP/2, one extended CONNECT stream each.
  const bool upgrade = transport_info(obs.target.transport).upgrade;
  json scenario = {
      {"client", "chromium"},
      {"url", obs.target.url},
      {"compression", totals.compression},
      {"workload", workload_json(config, obs, window_s)},
      {"histograms",
       {{"latency_corrected", corrected.bins_json()},
        {"latency_uncorrected", uncorrected.bins_json()},
        {"connect", LatencyHistogram().bins_json()},
        {"first_event", LatencyHistogram().bins_json()}}},
      {"browser", totals.browser},
  };
  json chromium = totals.chromium;
  chromium["cost"] = cost_section(obs, totals.received, config.subscriptions, warnings);
  chromium["subscriptions"] = std::move(subs);
  if (obs.stats_before && obs.stats_after) {
    scenario["server_counters"] = counter_deltas(*obs.stats_before, *obs.stats_after);
    if (upgrade && totals.http_version == "2") {
      const auto streams = scenario["server_counters"].value("h2_streams", 0);
      // The page's own GET is one HTTP/2 stream; every WebSocket over RFC 8441 is one more.
      chromium["websocket_over_h2"] = streams >= static_cast<int>(totals.opened) + 1;
    }
  }
  if (config.resume) {
    scenario["resume"] = {
        {"drop_after_s", obs.spec.drop_after_s ? json(*obs.spec.drop_after_s) : json()},
        {"retry_ms", obs.spec.retry_ms ? json(*obs.spec.retry_ms) : json()},
        {"reconnect_ms", config.retry_ms},
        {"reconnects", chromium["reconnects"]},
        {"disconnects", json::object()},
        {"recovery_us", nullptr}};
  }
  scenario["chromium"] = std::move(chromium);
  ScenarioFigures figures = browser_figures(config, obs, totals, corrected, uncorrected, window_s);
  figures.warnings = std::move(warnings);
  to_json(scenario, figures);
  return scenario;
}

}  // namespace pushbench::loadgen
