#include "loadgen/run/load_verdicts.hpp"

#include <algorithm>
#include <string>

#include "core/measure/cpu_affinity.hpp"

namespace pushbench::loadgen {

namespace {

std::string percent(double share) {
  return std::to_string(static_cast<int>(share * 100));
}

/// Warnings about what the connections did.
void connection_warnings(const PreparedLoad& p, const WorkerStats& total, nlohmann::json& out) {
  std::uint64_t error_total = 0;
  for (const auto& [k, v] : total.errors) error_total += v;
  if (error_total > 0) {
    std::string text = std::to_string(error_total) + " connection error(s); see errors";
    for (const auto& [kind, cause] : total.error_causes) text += "; " + kind + ": " + cause;
    out.push_back(std::move(text));
  }
  const Compression asked = p.config.compression.algorithm;
  if (asked != Compression::none && total.compressed_connections < total.connections_established) {
    out.push_back(std::to_string(total.connections_established - total.compressed_connections) +
                  " connection(s) were not compressed: the server declined " +
                  std::string(to_string(asked)));
  }
}

/// Warnings about what was asked against what happened.
void accounting_warnings(const PreparedLoad& p, const LoadFigures& f, const WorkerStats& total,
                         nlohmann::json& out) {
  if (total.subscriptions_starved > 0) {
    out.push_back(std::to_string(total.subscriptions_starved) + " of " +
                  std::to_string(p.subscriptions) +
                  " subscriptions never got a connection (browser model: " +
                  std::to_string(p.plan.max_connections_per_origin) + " connections per origin)");
  }
  if (f.contract && total.events_unique > total.events_expected) {
    out.push_back("received " + std::to_string(total.events_unique) +
                  " distinct in-window events but the schedule asked for expected " +
                  std::to_string(total.events_expected) +
                  ": the server sends more than was asked (another rate or count?)");
  }
  const std::uint64_t never_tried =
      total.subscriptions_starved / std::max<std::size_t>(1, p.plan.session.streams);
  if (total.connections_established + never_tried < p.connections) {
    out.push_back(std::to_string(p.connections - never_tried - total.connections_established) +
                  " of " + std::to_string(p.connections) + " connections were never established");
  }
}

}  // namespace

LoadFigures load_figures(const PreparedLoad& p, const LoadMeasurements& m) {
  const WorkerStats& total = m.total;
  LoadFigures f;
  f.contract = total.foreign_events == 0;
  f.events = total.events_received - total.duplicated;
  f.events_per_s = static_cast<double>(f.events) / m.window_s;
  f.lost = f.contract && total.events_expected > total.events_unique
               ? total.events_expected - total.events_unique
               : 0;
  f.max_busy = std::clamp(static_cast<double>(total.busy_ns) / 1e9 / m.window_s, 0.0, 1.0);
  f.saturated = f.max_busy > 0.9;
  f.same_host = p.plan.endpoint.address().is_loopback();
  if (m.server_start && m.server_end) f.server_cpu_s = m.server_end->cpu_s - m.server_start->cpu_s;
  return f;
}

nlohmann::json load_warnings(const PreparedLoad& p, const LoadMeasurements& m,
                             const LoadFigures& f) {
  nlohmann::json out = nlohmann::json::array();
  if (f.saturated) {
    out.push_back("loadgen saturated: a worker thread was busy " + percent(f.max_busy) +
                  "% of the window; figures may measure the load generator, not the server "
                  "(add --threads or lower the load)");
  }
  if (p.plan.busy_poll) {
    out.push_back(
        "loadgen busy-polled: each worker spun on a CPU, so the load generator's CPU (cpu_s, " +
        std::to_string(p.threads) +
        " CPU(s) for the window) is not a cost per event (cpu_ns_per_event is null); its busy "
        "share counts the polls that ran handlers");
    if (!m.worker_cpus) {
      out.push_back(
          "loadgen busy-polled without pinning each worker to a CPU of its own (the kernel "
          "refused, or the process's CPU mask could not be read): two spinning workers may have "
          "taken turns on one CPU, and latency then includes the scheduler's time slices");
    }
    if (!m.publisher_unpinned.empty()) {
      out.push_back("loadgen's publisher could not be pinned to CPU(s) " +
                    cpu_list_text(m.publisher_unpinned) +
                    ": it may have run on a spinning worker's CPU, its sends then late by the "
                    "scheduler's time slices");
    }
  }
  if (!f.contract) {
    out.push_back(
        "the server's events do not follow the seq/ts contract: latency and loss are "
        "unavailable, throughput is measured");
  }
  connection_warnings(p, m.total, out);
  if (!f.same_host && !p.config.clock_offset_us) {
    out.push_back(
        "the server is on another host: latency assumes both clocks agree; measure the "
        "offset and pass --clock-offset-us");
  }
  accounting_warnings(p, f, m.total, out);
  if (f.server_cpu_s && *f.server_cpu_s / m.window_s > 0.9) {
    out.push_back("server CPU was " + percent(*f.server_cpu_s / m.window_s) +
                  "% of one core: the server is the bottleneck");
  }
  return out;
}

}  // namespace pushbench::loadgen
