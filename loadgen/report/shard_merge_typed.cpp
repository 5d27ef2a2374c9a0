#include "loadgen/report/shard_merge_typed.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pushbench::loadgen {

// A namespace of its own: the unity build compiles this file with the JSON merge's helpers.
namespace typed_rules {

using Shards = std::vector<ScenarioFigures>;

/// The sum of one figure over the shards; null when any shard's is null.
template <class Field>
auto sum(const Shards& shards, Field field) {
  using T = typename std::remove_cvref_t<decltype(field(shards.front()))>::value_type;
  T total{};
  for (const ScenarioFigures& s : shards) {
    const auto& v = field(s);
    if (!v) return Figure<T>{};
    total += *v;
  }
  return Figure<T>{total};
}

/// The largest of one figure over the shards that measured it.
template <class Field>
auto maximum(const Shards& shards, Field field) {
  std::remove_cvref_t<decltype(field(shards.front()))> best;
  for (const ScenarioFigures& s : shards) {
    const auto& v = field(s);
    if (v && (!best || *v > *best)) best = v;
  }
  return best;
}

/// `amount` per event, null without either or without events.
Figure<double> per_event(const Figure<double>& amount, const Figure<std::uint64_t>& events) {
  if (!amount || !events || *events == 0) return std::nullopt;
  return *amount / static_cast<double>(*events);
}

/// CPU seconds per event, in nanoseconds.
Figure<double> ns_per_event(const Figure<double>& cpu_s, const Figure<std::uint64_t>& events) {
  return per_event(cpu_s ? Figure<double>(*cpu_s * 1e9) : std::nullopt, events);
}

/// A per-event figure back to its amount (over that shard's own events).
Figure<double> amount_of(const Figure<double>& per, const Figure<std::uint64_t>& events) {
  if (!per || !events) return std::nullopt;
  return *per * static_cast<double>(*events);
}

EventFigures merge_events(const Shards& s) {
  return {.expected = sum(
              s, [](const auto& f) -> auto& { return f.events.expected; }),
          .received = sum(
              s, [](const auto& f) -> auto& { return f.events.received; }),
          .lost = sum(
              s, [](const auto& f) -> auto& { return f.events.lost; }),
          .duplicated = sum(
              s, [](const auto& f) -> auto& { return f.events.duplicated; }),
          .out_of_order = sum(
              s, [](const auto& f) -> auto& { return f.events.out_of_order; })};
}

ThroughputFigures merge_throughput(const Shards& s) {
  return {.events_per_s = sum(
              s, [](const auto& f) -> auto& { return f.throughput.events_per_s; }),
          .payload_bytes_per_s = sum(
              s, [](const auto& f) -> auto& { return f.throughput.payload_bytes_per_s; }),
          .wire_bytes_per_s = sum(
              s, [](const auto& f) -> auto& { return f.throughput.wire_bytes_per_s; })};
}

/// Bytes per event over the events each shard saw on the wire (its bytes over its bytes/event).
Figure<double> bytes_per_event(const Shards& s, const Figure<std::uint64_t>& bytes) {
  double wire_events = 0;
  for (const ScenarioFigures& f : s) {
    if (f.wire.bytes_received && f.wire.bytes_per_event && *f.wire.bytes_per_event > 0)
      wire_events += static_cast<double>(*f.wire.bytes_received) / *f.wire.bytes_per_event;
  }
  if (!bytes || wire_events <= 0) return std::nullopt;
  return static_cast<double>(*bytes) / wire_events;
}

WireFigures merge_wire(const Shards& s) {
  const auto bytes = sum(
      s, [](const auto& f) -> auto& { return f.wire.bytes_received; });
  return {.bytes_received = bytes,
          .bytes_sent = sum(
              s, [](const auto& f) -> auto& { return f.wire.bytes_sent; }),
          .segments_received = sum(
              s, [](const auto& f) -> auto& { return f.wire.segments_received; }),
          .bytes_per_event = bytes_per_event(s, bytes),
          .segments_sent = sum(
              s, [](const auto& f) -> auto& { return f.wire.segments_sent; })};
}

/// The server was sampled by one shard (run --shards passes --server-pid to shard 0): its
/// amounts, over the merged totals.
ServerFigures merge_server(const Shards& s, const EventFigures& events,
                           const ShardMergeInputs& in) {
  const auto it = std::find_if(s.begin(), s.end(), [](const auto& f) { return f.server.pid; });
  const ScenarioFigures& by = it == s.end() ? s.front() : *it;
  const ServerFigures& src = by.server;
  const auto growth_per = [](const Figure<std::uint64_t>& from, const Figure<std::uint64_t>& to,
                             const Figure<double>& units) -> Figure<double> {
    if (!from || !to || !units || *units <= 0) return std::nullopt;
    return (static_cast<double>(*to) - static_cast<double>(*from)) / *units;
  };
  const auto per_unit = [&](const Figure<double>& units) {
    return growth_per(src.rss_bytes_idle, src.rss_bytes_peak, units);
  };
  const auto anon_per_unit = [&](const Figure<double>& units) {
    return growth_per(src.rss_anon_bytes_idle, src.rss_anon_bytes_end, units);
  };
  return {.pid = src.pid,
          .cpu_s = src.cpu_s,
          .cpu_ns_per_event = ns_per_event(src.cpu_s, events.received),
          .rss_bytes_idle = src.rss_bytes_idle,
          .rss_bytes_peak = src.rss_bytes_peak,
          .rss_bytes_per_connection = per_unit(in.connections),
          .rss_bytes_per_stream = per_unit(in.subscriptions),
          .rss_anon_bytes_idle = src.rss_anon_bytes_idle,
          .rss_anon_bytes_end = src.rss_anon_bytes_end,
          .rss_anon_bytes_per_connection = anon_per_unit(in.connections),
          .rss_anon_bytes_per_stream = anon_per_unit(in.subscriptions),
          // The sampling shard's wake-ups per event were over its own events; the server's
          // wake-ups in that window were for every shard's.
          .wakeups_per_event =
              per_event(amount_of(src.wakeups_per_event, by.events.received), events.received)};
}

LoadgenFigures merge_loadgen(const Shards& s, const EventFigures& events) {
  const auto cpu_s = sum(
      s, [](const auto& f) -> auto& { return f.loadgen.cpu_s; });
  Figure<double> wakeups = 0.0;
  bool saturated = false;
  for (const ScenarioFigures& f : s) {
    const auto w = amount_of(f.loadgen.wakeups_per_event, f.events.received);
    wakeups = wakeups && w ? Figure<double>(*wakeups + *w) : std::nullopt;
    saturated = saturated || f.loadgen.saturated == true;
  }
  // One policy when every shard used it; null when the shards differed (or did not say).
  Figure<std::string> acks = s.front().loadgen.acks, wait = s.front().loadgen.wait;
  // The shards' worker CPUs in shard order, ';' between shards (each shard's host's numbering);
  // null unless every shard pinned its workers.
  Figure<std::string> worker_cpus = std::string();
  for (const ScenarioFigures& f : s) {
    if (f.loadgen.acks != acks) acks = std::nullopt;
    if (f.loadgen.wait != wait) wait = std::nullopt;
    if (!f.loadgen.worker_cpus || !worker_cpus) {
      worker_cpus = std::nullopt;
    } else {
      *worker_cpus += (worker_cpus->empty() ? "" : ";") + *f.loadgen.worker_cpus;
    }
  }
  return {.cpu_s = cpu_s,
          // Spinning is not a cost per event (see scenario_json.cpp).
          .cpu_ns_per_event = wait == std::string(kWaitBusyPoll)
                                  ? std::nullopt
                                  : ns_per_event(cpu_s, events.received),
          .wakeups_per_event = per_event(wakeups, events.received),
          .threads = sum(
              s, [](const auto& f) -> auto& { return f.loadgen.threads; }),
          .saturated = saturated,
          .max_thread_busy = maximum(
              s, [](const auto& f) -> auto& { return f.loadgen.max_thread_busy; }),
          .acks = acks,
          .wait = wait,
          .worker_cpus = worker_cpus};
}

}  // namespace typed_rules

ScenarioFigures merge_shard_typed(const std::vector<ScenarioFigures>& shards,
                                  const ShardMergeInputs& in) {
  namespace r = typed_rules;
  if (shards.empty()) throw std::invalid_argument("merge_shard_typed: no shards");
  const ScenarioFigures& first = shards.front();
  const EventFigures events = r::merge_events(shards);
  ScenarioFigures out{.name = first.name,
                      .group = first.group,
                      .transport = first.transport,
                      .http_version = first.http_version,
                      .tls = first.tls,
                      .schedule = first.schedule,
                      .events = events,
                      .throughput = r::merge_throughput(shards),
                      .wire = r::merge_wire(shards),
                      .latency_us = in.latency_us,
                      .connect_us = in.connect_us,
                      .first_event_us = in.first_event_us,
                      .server = r::merge_server(shards, events, in),
                      .loadgen = r::merge_loadgen(shards, events),
                      .errors = {},
                      .warnings = {}};
  for (std::size_t i = 0; i < shards.size(); ++i) {
    for (const auto& [kind, n] : shards[i].errors) out.errors[kind] += n;
    const std::string prefix = "shard " + std::to_string(i) + ": ";
    for (const std::string& w : shards[i].warnings) out.warnings.push_back(prefix + w);
  }
  return out;
}

}  // namespace pushbench::loadgen
