#include "loadgen/run/scenario_json.hpp"

#include <algorithm>
#include <string>

#include "core/measure/cpu_affinity.hpp"
#include "loadgen/measure/accounting.hpp"
#include "loadgen/measure/delivery.hpp"
#include "loadgen/report/scenario_model.hpp"
#include "loadgen/run/scenario_sections.hpp"

namespace pushbench::loadgen {

namespace {

using json = nlohmann::json;

/// `amount` per received event, or null without events.
Figure<double> per_event(double amount, std::uint64_t events) {
  return events ? Figure<double>(amount / static_cast<double>(events)) : std::nullopt;
}

ServerFigures server_figures(const PreparedLoad& p, const LoadMeasurements& m,
                             const LoadFigures& f) {
  ServerFigures server;
  if (!p.config.server_pid) return server;
  server.pid = *p.config.server_pid;
  if (f.server_cpu_s) {
    server.cpu_s = *f.server_cpu_s;
    server.cpu_ns_per_event = per_event(*f.server_cpu_s * 1e9, f.events);
    // Live threads only: a thread that exited in the window can make the sum go down.
    const auto before = m.server_start->voluntary_switches;
    const auto after = m.server_end->voluntary_switches;
    if (after >= before) {
      server.wakeups_per_event = per_event(static_cast<double>(after - before), f.events);
    }
  }
  if (m.server_idle) {
    const std::uint64_t idle = m.server_idle->rss_bytes;
    server.rss_bytes_idle = idle;
    if (m.server_rss_peak) {
      const std::uint64_t peak = std::max(*m.server_rss_peak, idle);
      server.rss_bytes_peak = peak;
      server.rss_bytes_per_connection = static_cast<double>(peak - idle) / p.connections;
      server.rss_bytes_per_stream = static_cast<double>(peak - idle) / p.subscriptions;
    }
  }
  // The streams' own memory: anonymous pages held at the window's end (in count mode the end
  // comes after the streams closed). Unlike RSS it leaves out the code pages the run touched
  // first, a fixed cost that a per-connection quotient would spread over the connections.
  if (m.server_idle) server.rss_anon_bytes_idle = m.server_idle->rss_anon_bytes;
  if (m.server_idle && m.server_end && !p.plan.count_mode) {
    const auto idle = m.server_idle->rss_anon_bytes;
    const auto end = m.server_end->rss_anon_bytes;
    server.rss_anon_bytes_end = end;
    const double held = static_cast<double>(end) - static_cast<double>(idle);
    server.rss_anon_bytes_per_connection = held / p.connections;
    server.rss_anon_bytes_per_stream = held / p.subscriptions;
  }
  return server;
}

std::string group_name(const LoadConfig& config) {
  if (!config.group.empty()) return config.group;
  return "stream-" + std::to_string(std::max(1u, config.connections)) + "x" +
         std::to_string(static_cast<long long>(config.spec.rate)) + "/s-" +
         std::to_string(config.spec.size) + "B-" + std::string(to_string(config.spec.payload));
}

const char* workload_kind(const PreparedLoad& p) {
  const LoadConfig& c = p.config;
  if (p.plan.publish) return "publish";
  if (c.chat) return "chat";
  if (c.slow_fraction > 0) return "slow-consumer";
  if (c.resume) return "resume";
  if (c.connect_rate > 0) return "storm";
  if (c.spec.keepalive_s) return "idle";
  if (c.spec.topic) return "broadcast";
  return "stream";
}

json workload_json(const PreparedLoad& p, const LoadMeasurements& m, const LoadFigures& f) {
  const LoadConfig& c = p.config;
  return {{"kind", workload_kind(p)},
          {"connections", p.connections},
          {"streams_per_connection", p.plan.session.streams},
          {"subscriptions", p.subscriptions},
          {"tcp_connections", m.total.connections_established},
          {"rate_per_stream", c.spec.rate},
          {"payload_bytes", c.spec.size},
          {"payload_kind", f.contract ? std::string(to_string(c.spec.payload)) : "other"},
          {"duration_s", m.window_s},
          {"warmup_s", c.warmup_s},
          {"topic", c.spec.topic ? json(*c.spec.topic) : json(nullptr)}};
}

/// What was asked of the server beyond the typed figures: the URL and the compression asked for.
json request_json(const PreparedLoad& p) {
  const LoadConfig& c = p.config;
  json compression = c.compression_details;
  compression["algorithm"] = to_string(c.compression.algorithm);
  if (c.compression.algorithm == Compression::permessage_deflate) {
    compression["requested_server_max_window_bits"] = c.compression.window_bits;
    compression["requested_no_context_takeover"] = c.compression.no_context_takeover;
  }
  return {{"url", c.url}, {"compression", compression}};
}

/// Who the scenario is: its name, group, transport, carrier and schedule.
void add_identity(ScenarioFigures& out, const PreparedLoad& p) {
  const LoadConfig& c = p.config;
  const std::string group = group_name(c);
  const std::string transport(to_string(p.plan.target.transport));
  out.name = c.name.empty() ? group + "-" + transport : c.name;
  out.group = group;
  out.transport = transport;
  if (transport_info(p.plan.target.transport).http) {
    out.http_version = c.http == HttpVersion::h2 ? "2" : "1.1";
  }
  out.tls = p.plan.target.tls;
  out.schedule = {.phase = std::string(to_string(p.plan.schedule.phase)),
                  .seed = p.plan.schedule.seed,
                  .server_timer_slack_us = c.server_timer_slack_us};
}

/// What happened: events, throughput, wire bytes, latency and both processes' costs.
void add_outcome(ScenarioFigures& out, const PreparedLoad& p, const LoadMeasurements& m,
                 const LoadFigures& f) {
  const WorkerStats& t = m.total;
  out.events = {.expected = f.contract ? Figure<std::uint64_t>(t.events_expected) : std::nullopt,
                .received = f.events,
                .lost = f.lost,
                .duplicated = t.duplicated,
                .out_of_order = t.out_of_order};
  out.throughput = {.events_per_s = f.events_per_s,
                    .payload_bytes_per_s = static_cast<double>(t.payload_bytes) / m.window_s,
                    .wire_bytes_per_s = static_cast<double>(t.wire.bytes_received) / m.window_s};
  out.wire = {
      .bytes_received = t.wire.bytes_received,
      .bytes_sent = t.wire.bytes_acked,
      .segments_received = t.wire.segments_in,
      .bytes_per_event = per_event(static_cast<double>(t.wire.bytes_received), t.wire_events),
      .segments_sent = t.wire.segments_out};
  out.latency_us = {.corrected = summary_or_null(t.latency_corrected.summary_us()),
                    .uncorrected = summary_or_null(t.latency_uncorrected.summary_us())};
  out.connect_us = summary_or_null(t.connect.summary_us());
  out.first_event_us = summary_or_null(t.first_event.summary_us());
  out.server = server_figures(p, m, f);
  out.loadgen = {.cpu_s = m.self_cpu_s,
                 // Spinning is not a cost per event: under busy-poll only cpu_s is given.
                 .cpu_ns_per_event =
                     p.config.busy_poll ? std::nullopt : per_event(m.self_cpu_s * 1e9, f.events),
                 .wakeups_per_event = per_event(static_cast<double>(m.self_wakeups), f.events),
                 .threads = p.threads,
                 .saturated = f.saturated,
                 .max_thread_busy = f.max_busy,
                 .acks = std::string(p.config.delayed_acks ? kAcksDelayed : kAcksKernel),
                 .wait = std::string(p.config.busy_poll ? kWaitBusyPoll : kWaitBlock),
                 .worker_cpus = m.worker_cpus ? Figure<std::string>(cpu_list_text(*m.worker_cpus))
                                              : std::nullopt};
  out.errors = t.errors;
}

/// The sections beside the typed figures: compression negotiated, clock, workload, causes.
void add_untyped(json& s, const PreparedLoad& p, const LoadMeasurements& m, const LoadFigures& f) {
  const WorkerStats& t = m.total;
  s["compression"]["negotiated_connections"] = t.compressed_connections;
  s["clock"] = {
      {"same_host", f.same_host},
      {"offset_us", p.config.clock_offset_us ? json(*p.config.clock_offset_us) : json(nullptr)}};
  s["workload"] = workload_json(p, m, f);
  s["error_causes"] = t.error_causes;
}

}  // namespace

json scenario_json(const PreparedLoad& p, const LoadMeasurements& m, const LoadFigures& f,
                   json warnings) {
  const WorkerStats& t = m.total;
  ScenarioFigures figures;
  add_identity(figures, p);
  add_outcome(figures, p, m, f);
  for (const auto& w : warnings) {
    if (w.is_string()) figures.warnings.push_back(w.get<std::string>());
  }
  json s = request_json(p);
  to_json(s, figures);
  add_untyped(s, p, m, f);
  s["histograms"] = {{"latency_corrected", t.latency_corrected.bins_json()},
                     {"latency_uncorrected", t.latency_uncorrected.bins_json()},
                     {"connect", t.connect.bins_json()},
                     {"first_event", t.first_event.bins_json()}};
  add_workload_sections(s, p, m);
  s["clock"].update(clock_facts(m.start));
  // Every event the server sent is received, or was in flight or dropped when the run ended.
  const auto received = static_cast<std::int64_t>(t.events_total - t.duplicates_total);
  add_accounting(s, s["warnings"], m.stats_before, m.stats_after, p.plan.target.transport,
                 p.config.server_pid, received);
  add_delivery(s, p.config.spec, t);
  if (m.published) add_publish_section(s, *m.published, p.config.publish_url, p.subscriptions);
  return s;
}

}  // namespace pushbench::loadgen
