#include "loadgen/report/shard_merge_figures.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "core/measure/histogram.hpp"
#include "loadgen/report/shard_merge_typed.hpp"

namespace pushbench::loadgen {

namespace {

using json = nlohmann::json;
using Ptr = json::json_pointer;
using Shards = std::vector<const json*>;

const json& figure_at(const json& j, const Ptr& p) {
  static const json null_value;
  return j.contains(p) ? j.at(p) : null_value;
}

std::int64_t int_or_zero(const json& v) {
  return v.is_number_integer() ? v.get<std::int64_t>() : 0;
}

/// Sums the numbers at `path` (integers stay integers); null when any shard's is not a number.
json sum_at(const Shards& shards, const std::string& path) {
  const Ptr p(path);
  bool integral = true;
  std::uint64_t count = 0;
  double sum = 0;
  for (const json* s : shards) {
    const json& v = figure_at(*s, p);
    if (!v.is_number()) return nullptr;
    integral = integral && v.is_number_unsigned();
    if (v.is_number_unsigned()) count += v.get<std::uint64_t>();
    sum += v.get<double>();
  }
  return integral ? json(count) : json(sum);
}

json max_at(const Shards& shards, const std::string& path) {
  json best = nullptr;
  for (const json* s : shards) {
    const json& v = figure_at(*s, Ptr(path));
    if (v.is_number() && (best.is_null() || v.get<double>() > best.get<double>())) best = v;
  }
  return best;
}

/// Sets `path` of `out` to the sum over the shards, for each of `paths` present in `out`.
void sum_into(json& out, const Shards& shards, std::initializer_list<const char*> paths) {
  for (const char* path : paths) {
    if (out.contains(Ptr(path))) out[Ptr(path)] = sum_at(shards, path);
  }
}

/// Adds the count maps at `key` (errors, disconnects).
json sum_maps(const Shards& shards, const std::string& path) {
  json out = json::object();
  for (const json* s : shards) {
    const json& m = figure_at(*s, Ptr(path));
    if (!m.is_object()) continue;
    for (const auto& [k, v] : m.items()) {
      out[k] = out.value(k, std::uint64_t{0}) + v.get<std::uint64_t>();
    }
  }
  return out;
}

/// Histogram key -> its summary's path in the scenario.
const std::vector<std::pair<const char*, const char*>>& histogram_summaries() {
  static const std::vector<std::pair<const char*, const char*>> map = {
      {"latency_corrected", "/latency_us/corrected"},
      {"latency_uncorrected", "/latency_us/uncorrected"},
      {"connect", "/connect_us"},
      {"first_event", "/first_event_us"},
      {"resume_recovery", "/resume/recovery_us"},
      {"subscription_wait", "/browser/wait_us"},
      {"latency_slow", "/slow_consumer/slow_latency_us"}};
  return map;
}

/// Adds every histogram's bins and recomputes its summary from them; returns the summaries by
/// histogram key.
std::map<std::string, Summary> merge_histograms(json& out, const Shards& shards,
                                                const std::vector<std::string>& sources) {
  std::map<std::string, Summary> summaries;
  for (const auto& [key, summary_path] : histogram_summaries()) {
    if (!out["histograms"].contains(key)) continue;
    LatencyHistogram merged;
    for (std::size_t i = 0; i < shards.size(); ++i) {
      const json& bins = figure_at(*shards[i], Ptr("/histograms/" + std::string(key)));
      auto h = LatencyHistogram::from_json(bins, figure_at(*shards[i], Ptr(summary_path)));
      if (!h) {
        throw std::runtime_error(sources[i] + ": histogram '" + key + "' of scenario '" +
                                 shards[i]->value("name", "") +
                                 "' does not fit this build's layout (unit ns, 1 us to 100 s, " +
                                 std::to_string(LatencyHistogram::kBinsPerDecade) +
                                 " bins per decade) or its summary: shards must come from one "
                                 "build");
      }
      merged.merge(*h);
    }
    out["histograms"][key] = merged.bins_json();
    summaries[key] = merged.summary_us();
    out[Ptr(summary_path)] = to_json(summaries[key]);
  }
  return summaries;
}

/// The server's counters and the accounting they give.
void merge_server_counters(json& out, const Shards& shards) {
  // Every shard watched the same server's counters over its own, overlapping span: the widest
  // span saw the most.
  json counters = nullptr;
  for (const json* s : shards) {
    const json& c = figure_at(*s, Ptr("/server_counters"));
    if (!c.is_object()) continue;
    if (counters.is_null()) counters = json::object();
    for (const auto& [k, v] : c.items()) {
      if (v.is_number() && (!counters.contains(k) || v.get<double>() > counters[k].get<double>()))
        counters[k] = v;
    }
  }
  if (out.contains("server_counters")) out["server_counters"] = counters;
  if (out.contains("accounting")) {
    const json received = sum_at(shards, "/accounting/received");
    const bool known =
        counters.is_object() && counters.contains("events_sent") && received.is_number();
    const json sent = known ? counters["events_sent"] : json(nullptr);
    out["accounting"] = {
        {"server_sent", sent},
        {"received", received},
        {"in_flight_or_dropped",
         known ? json(sent.get<std::int64_t>() - received.get<std::int64_t>()) : json(nullptr)}};
  }
}

/// The worst start skew and clock error of any shard; synchronised only if every shard was.
void merge_clock(json& out, const Shards& shards) {
  json& clock = out["clock"];
  bool same_host = true, synced = true, sync_known = true;
  for (const json* s : shards) {
    same_host = same_host && figure_at(*s, Ptr("/clock/same_host")) != false;
    const json& sync = figure_at(*s, Ptr("/clock/sync"));
    sync_known = sync_known && sync.is_object();
    synced = synced && sync.is_object() && sync.value("synchronized", false);
  }
  clock["same_host"] = same_host;
  json skew = nullptr;
  for (const json* s : shards) {
    const json& v = figure_at(*s, Ptr("/clock/start_skew_us"));
    if (v.is_number() &&
        (skew.is_null() || std::fabs(v.get<double>()) > std::fabs(skew.get<double>())))
      skew = v;
  }
  clock["start_skew_us"] = skew;
  if (sync_known) {
    clock["sync"]["synchronized"] = synced;
    clock["sync"]["est_error_us"] = max_at(shards, "/clock/sync/est_error_us");
    clock["sync"]["max_error_us"] = max_at(shards, "/clock/sync/max_error_us");
    if (!synced) clock["sync"]["state"] = "unsynchronized";
  } else if (clock.contains("sync")) {
    clock["sync"] = nullptr;
  }
}

/// Workload sections whose counts add; storm's rate comes from the connects' time span.
void merge_sections(json& out, const Shards& shards) {
  sum_into(
      out, shards,
      {"/chat/messages_sent", "/chat/post_connections", "/chat/posts_answered",
       "/chat/posts_resent", "/resume/reconnects", "/browser/max_connections_per_origin",
       "/browser/subscriptions", "/browser/subscriptions_waited", "/browser/subscriptions_starved",
       "/storm/established", "/storm/failed", "/slow_consumer/slow_connections",
       "/slow_consumer/healthy_connections", "/slow_consumer/slow_events_received",
       "/slow_consumer/slow_connections_closed_by_server", "/idle/connections_held"});
  if (out.contains("resume"))
    out["resume"]["disconnects"] = sum_maps(shards, "/resume/disconnects");
  if (out.contains("storm")) {
    std::int64_t first = 0, last = 0;
    for (const json* s : shards) {
      // Reports older than these fields give no span: the achieved rate is then unknown.
      const auto f = int_or_zero(figure_at(*s, Ptr("/storm/first_connect_ns")));
      const auto l = int_or_zero(figure_at(*s, Ptr("/storm/last_established_ns")));
      if (f > 0 && (first == 0 || f < first)) first = f;
      last = std::max(last, l);
    }
    const auto established = int_or_zero(out["storm"]["established"]);
    const double span_s = first > 0 ? static_cast<double>(last - first) / 1e9 : 0;
    out["storm"]["first_connect_ns"] = first;
    out["storm"]["last_established_ns"] = last;
    out["storm"]["achieved_connects_per_s"] =
        established > 1 && span_s > 0 ? json(static_cast<double>(established - 1) / span_s)
                                      : json(nullptr);
  }
  if (out.contains("idle")) {
    json fd = nullptr;
    for (const json* s : shards) {
      const json& v = figure_at(*s, Ptr("/idle/fd_limit"));
      if (v.is_number() && (fd.is_null() || v.get<double>() < fd.get<double>())) fd = v;
    }
    out["idle"]["fd_limit"] = fd;
    const json& cpu = out["server"]["cpu_s"];
    const auto held = out["idle"]["connections_held"];
    out["idle"]["server_cpu_s_per_connection_per_s"] =
        cpu.is_number() && held.is_number() && held.get<double>() > 0
            ? json(cpu.get<double>() / held.get<double>() /
                   out["workload"]["duration_s"].get<double>())
            : json(nullptr);
  }
}

/// What each shard measured by itself, kept beside the merged figures.
json shard_summary(const json& s, const std::string& source) {
  return {{"index", figure_at(s, Ptr("/shard/index"))},
          {"source", source},
          {"first_connection", figure_at(s, Ptr("/shard/first_connection"))},
          {"connections", figure_at(s, Ptr("/shard/connections"))},
          {"events", figure_at(s, Ptr("/events"))},
          {"events_per_s", figure_at(s, Ptr("/throughput/events_per_s"))},
          {"latency_us", figure_at(s, Ptr("/latency_us/corrected"))},
          {"loadgen", figure_at(s, Ptr("/loadgen"))},
          {"errors", figure_at(s, Ptr("/errors"))},
          {"clock", figure_at(s, Ptr("/clock"))}};
}

}  // namespace

json merge_shard_figures(const Shards& shards, const std::vector<std::string>& sources) {
  json out = *shards.front();
  sum_into(out, shards,
           {"/workload/connections", "/workload/subscriptions", "/workload/tcp_connections",
            "/compression/negotiated_connections"});
  out["workload"]["duration_s"] = max_at(shards, "/workload/duration_s");
  auto summaries = merge_histograms(out, shards, sources);
  const auto summary = [&](const char* key) -> std::optional<SummaryFigures> {
    const auto it = summaries.find(key);
    return it == summaries.end() ? std::nullopt : summary_or_null(it->second);
  };
  const auto number = [&](const char* key) -> Figure<double> {
    const json& v = out["workload"][key];
    return v.is_number() ? Figure<double>(v.get<double>()) : std::nullopt;
  };
  std::vector<ScenarioFigures> figures;
  for (const json* s : shards) figures.push_back(scenario_figures(*s));
  const ShardMergeInputs in{
      .latency_us = {summary("latency_corrected"), summary("latency_uncorrected")},
      .connect_us = summary("connect"),
      .first_event_us = summary("first_event"),
      .connections = number("connections"),
      .subscriptions = number("subscriptions")};
  const ScenarioFigures merged = merge_shard_typed(figures, in);
  to_json(out, merged);
  merge_server_counters(out, shards);
  merge_clock(out, shards);
  merge_sections(out, shards);
  json causes = json::object();
  json each = json::array();
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const json& s = *shards[i];
    for (const auto& [k, v] : figure_at(s, Ptr("/error_causes")).items()) {
      if (!causes.contains(k)) causes[k] = v;
    }
    each.push_back(shard_summary(s, sources[i]));
  }
  out["error_causes"] = causes;
  out.erase("shard");
  out["shards"] = {
      {"count", shards.size()},
      {"connections_total", figure_at(*shards.front(), Ptr("/shard/connections_total"))},
      {"seed", figure_at(*shards.front(), Ptr("/shard/seed"))},
      {"each", each}};
  return out;
}

}  // namespace pushbench::loadgen
