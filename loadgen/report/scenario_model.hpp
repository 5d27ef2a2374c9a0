#pragma once
// The typed report: one scenario's headline figures, as the writer (run/scenario_json.cpp)
// writes them and the readers (table, Markdown report, compare, repeat, verdicts, find-max) read
// them. Each struct lists its fields once (visit_fields), and that one list makes to_json,
// from_json and the key list the schema test checks against core/report.schema.json.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/measure/histogram.hpp"

namespace pushbench::loadgen {

/// A figure: null in the report when the run could not measure it (or an older report lacks it).
template <class T>
using Figure = std::optional<T>;

/// A latency or duration summary in microseconds (core/measure/histogram.hpp's Summary), each
/// number a figure of its own: a report that lacks one percentile still has the others.
struct SummaryFigures {
  Figure<std::uint64_t> count;  ///< recorded values
  Figure<double> min;           ///< smallest value
  Figure<double> mean;          ///< mean value
  Figure<double> p50;           ///< median
  Figure<double> p90;           ///< 90th percentile
  Figure<double> p99;           ///< 99th percentile
  Figure<double> p999;          ///< 99.9th percentile
  Figure<double> p9999;         ///< 99.99th percentile
  Figure<double> max;           ///< largest value
  bool operator==(const SummaryFigures&) const = default;
};

/// "events": what was asked of the server and what arrived.
struct EventFigures {
  Figure<std::uint64_t>
      expected;  ///< in-window events the schedules promise; null without the contract
  Figure<std::uint64_t> received;      ///< in-window events received, duplicates excluded
  Figure<std::uint64_t> lost;          ///< expected minus distinct received
  Figure<std::uint64_t> duplicated;    ///< events received more than once
  Figure<std::uint64_t> out_of_order;  ///< events whose seq went backwards
  bool operator==(const EventFigures&) const = default;
};

/// "throughput", over the observed window.
struct ThroughputFigures {
  Figure<double> events_per_s;         ///< events received per second
  Figure<double> payload_bytes_per_s;  ///< payload bytes per second
  Figure<double> wire_bytes_per_s;     ///< bytes on the wire (kernel counters) per second
  bool operator==(const ThroughputFigures&) const = default;
};

/// "wire": the kernel's TCP counters of the window.
struct WireFigures {
  Figure<std::uint64_t> bytes_received;     ///< bytes received from the server
  Figure<std::uint64_t> bytes_sent;         ///< bytes the server acknowledged
  Figure<std::uint64_t> segments_received;  ///< TCP segments received
  Figure<double> bytes_per_event;           ///< bytes received per event read in the window
  Figure<std::uint64_t> segments_sent;      ///< TCP segments the load generator sent (mostly
                                            ///< ACKs: see loadgen.acks)
  bool operator==(const WireFigures&) const = default;
};

/// "latency_us": from each event's intended send time (corrected) and from its `ts` (uncorrected).
struct LatencyFigures {
  std::optional<SummaryFigures> corrected;    ///< null without events
  std::optional<SummaryFigures> uncorrected;  ///< null without events
  bool operator==(const LatencyFigures&) const = default;
};

/// "server": the server process's cost, when its PID was known.
struct ServerFigures {
  Figure<std::int64_t> pid;                 ///< the sampled process
  Figure<double> cpu_s;                     ///< CPU seconds in the window
  Figure<double> cpu_ns_per_event;          ///< CPU per received event
  Figure<std::uint64_t> rss_bytes_idle;     ///< resident memory before the clients connected
  Figure<std::uint64_t> rss_bytes_peak;     ///< highest resident memory seen in the run
  Figure<double> rss_bytes_per_connection;  ///< (peak - idle) / connections
  Figure<double> rss_bytes_per_stream;      ///< (peak - idle) / subscriptions
  Figure<std::uint64_t> rss_anon_bytes_idle;     ///< anonymous resident memory (heap, stacks) idle
  Figure<std::uint64_t> rss_anon_bytes_end;      ///< the same at the window's end, streams open
  Figure<double> rss_anon_bytes_per_connection;  ///< (anon end - anon idle) / connections
  Figure<double> rss_anon_bytes_per_stream;      ///< (anon end - anon idle) / subscriptions
  Figure<double> wakeups_per_event;              ///< voluntary context switches per received event
  bool operator==(const ServerFigures&) const = default;
};

/// The values of LoadgenFigures::acks and ::wait (the report's loadgen.acks, loadgen.wait).
inline constexpr std::string_view kAcksKernel = "kernel", kAcksDelayed = "delayed";
inline constexpr std::string_view kWaitBlock = "block", kWaitBusyPoll = "busy_poll";

/// "loadgen": this process's cost, and whether it was the bottleneck.
struct LoadgenFigures {
  Figure<double> cpu_s;              ///< CPU seconds in the window
  Figure<double> cpu_ns_per_event;   ///< CPU per received event
  Figure<double> wakeups_per_event;  ///< voluntary context switches per received event
  Figure<std::uint64_t> threads;     ///< worker threads
  Figure<bool> saturated;  ///< the busiest worker was above 90 %: figures may be the loadgen's
  Figure<double> max_thread_busy;  ///< the busiest worker's share of the window, in [0, 1]
  Figure<std::string> acks;        ///< the client's ACK policy: kernel (default) or delayed
  Figure<std::string> wait;        ///< how workers wait for events: block (in epoll_wait, the
                                   ///< default) or busy_poll (never sleeping)
  Figure<std::string> worker_cpus;  ///< busy_poll: the CPU each worker was pinned to, in
                                    ///< worker order ("0,1"); null when not pinned
  bool operator==(const LoadgenFigures&) const = default;
};

/// "schedule": the phase policy the streams' send times followed.
struct ScheduleFigures {
  Figure<std::string> phase;                    ///< aligned, spread, random or server
  Figure<std::uint64_t> seed;                   ///< seed of the random phases
  Figure<std::uint64_t> server_timer_slack_us;  ///< the server's timer slack, when asked
  bool operator==(const ScheduleFigures&) const = default;
};

/// The headline of one scenario: who it was and the figures the readers use.
struct ScenarioFigures {
  Figure<std::string> name;          ///< unique in the report
  Figure<std::string> group;         ///< scenarios compared side by side share it
  Figure<std::string> transport;     ///< sse, ws, raw (or a foreign target's)
  Figure<std::string> http_version;  ///< "1.1", "2", or null for raw
  Figure<bool> tls;                  ///< the connection used TLS
  ScheduleFigures schedule;
  EventFigures events;
  ThroughputFigures throughput;
  WireFigures wire;
  LatencyFigures latency_us;
  std::optional<SummaryFigures> connect_us;      ///< TCP connect (and TLS) time
  std::optional<SummaryFigures> first_event_us;  ///< subscribe to first event
  ServerFigures server;
  LoadgenFigures loadgen;
  std::map<std::string, std::uint64_t> errors;  ///< connection errors by kind
  std::vector<std::string> warnings;            ///< what the reader must know about the figures
  bool operator==(const ScenarioFigures&) const = default;
};

/// The figure's JSON value: null when not measured.
template <class T>
nlohmann::json or_null(const Figure<T>& f) {
  return f ? nlohmann::json(*f) : nlohmann::json(nullptr);
}

/// Null for an empty summary (as the histograms write it), else the summary's figures.
std::optional<SummaryFigures> summary_or_null(const Summary& s);

/// The figures' JSON: an object with every listed key (null for a missing figure), to merge into
/// a scenario object; to_json writes every section of ScenarioFigures.
void to_json(nlohmann::json& j, const ScenarioFigures& f);
/// Reads what `j` has; a key missing or of another type leaves the figure null (a count must be a
/// whole number >= 0). Never throws.
void from_json(const nlohmann::json& j, ScenarioFigures& f);
ScenarioFigures scenario_figures(const nlohmann::json& scenario);

/// One scenario as a reader takes it: parsed once into its typed figures, with the JSON kept for
/// the open sections (a proxy's, the compression details, repetitions).
struct ScenarioView {
  explicit ScenarioView(const nlohmann::json& scenario)
      : raw(&scenario), figures(scenario_figures(scenario)) {}
  const nlohmann::json* raw;  ///< the scenario object (outlives the view)
  ScenarioFigures figures;    ///< its typed figures
};

/// A report's scenarios by group, each parsed once: groups in first-seen order (a scenario's
/// `group`, else its `name`, else "?"; an empty string counts as missing), and within a group the
/// scenarios in report order. Entries of `scenarios` that are not objects are skipped.
struct ScenarioGroups {
  std::vector<std::string> order;                              ///< group names, first seen first
  std::map<std::string, std::vector<ScenarioView>> scenarios;  ///< each group's scenarios
};
ScenarioGroups group_scenarios(const nlohmann::json& report);

/// Sections written from ScenarioFigures, each with the keys listed for it ("" = the scenario's
/// own keys, "<summary>" = the keys of every latency or duration summary), for a test against
/// the schema.
std::map<std::string, std::vector<std::string>> scenario_figure_keys();

/// The figure at dotted `path` (a compared, verdict or repeat figure such as
/// "latency_us.corrected.p99"), if it is one of the typed figures and finite.
std::optional<double> figure_value(const ScenarioFigures& f, std::string_view path);
/// Every dotted path figure_value() knows.
std::vector<std::string_view> figure_paths();

}  // namespace pushbench::loadgen
