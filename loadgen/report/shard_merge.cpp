#include "loadgen/report/shard_merge.hpp"

#include <map>
#include <stdexcept>

#include "loadgen/report/compare.hpp"
#include "loadgen/measure/shard.hpp"
#include "loadgen/report/shard_merge_figures.hpp"

namespace pushbench::loadgen {

namespace {

using json = nlohmann::json;

/// What must agree between the shards of one run: the workload each asked for, the run's seed,
/// start instant and shard count, and how the load generator ACKs and waits (connections are
/// split, so they differ).
const std::vector<const char*>& plan_paths() {
  static const std::vector<const char*> paths = {"/group",
                                                 "/transport",
                                                 "/http_version",
                                                 "/tls",
                                                 "/compression/algorithm",
                                                 "/workload/kind",
                                                 "/workload/streams_per_connection",
                                                 "/workload/rate_per_stream",
                                                 "/workload/payload_bytes",
                                                 "/workload/payload_kind",
                                                 "/workload/warmup_s",
                                                 "/workload/topic",
                                                 "/loadgen/acks",
                                                 "/loadgen/wait",
                                                 "/shard/count",
                                                 "/shard/connections_total",
                                                 "/shard/seed",
                                                 "/clock/start_at_ns"};
  return paths;
}

std::string at_or_absent(const json& j, const char* path) {
  const json::json_pointer p(path);
  return j.contains(p) ? j.at(p).dump() : "(absent)";
}

/// Checks one scenario's shard section against shard_slice() and its plan against `first`'s.
void check_scenario(const json& sc, const json& first, const std::string& where) {
  const json& shard = sc.value("shard", json());
  if (!shard.is_object()) {
    throw std::runtime_error(where +
                             " has no shard section: merge --shards takes reports of "
                             "pushbench load --shard K/N (or run --shards)");
  }
  if (sc.contains("repetitions") || sc.contains("find_max")) {
    throw std::runtime_error(where + " is a repeated or find-max run: shards merge single runs");
  }
  try {
    const ShardSpec spec{shard.at("index").get<unsigned>(), shard.at("count").get<unsigned>()};
    const auto slice = shard_slice(shard.at("connections_total").get<std::size_t>(), spec);
    if (spec.index >= spec.count || shard.at("first_connection") != slice.first ||
        shard.at("connections") != slice.count) {
      throw std::runtime_error(where + ": shard " + shard.dump() +
                               " is not the split of pushbench load --shard");
    }
  } catch (const json::exception&) {
    throw std::runtime_error(where + ": malformed shard section " + shard.dump());
  }
  for (const char* path : plan_paths()) {
    if (at_or_absent(sc, path) != at_or_absent(first, path)) {
      throw std::runtime_error(
          where + " is of another plan than shard 0's: " + std::string(path + 1) + " is " +
          at_or_absent(sc, path) + ", there " + at_or_absent(first, path));
    }
  }
}

/// The reports ordered by the shard index of their scenarios (one index per report, each of
/// 0..N-1 exactly once).
std::vector<std::size_t> order_by_index(const std::vector<ShardReport>& shards) {
  const std::size_t n = shards.size();
  std::vector<std::size_t> by_index(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    const json& sc = shards[i].report["scenarios"].front();
    const json count = sc.contains("shard") ? sc["shard"].value("count", json()) : json();
    const json index = sc.contains("shard") ? sc["shard"].value("index", json()) : json();
    if (!count.is_number_unsigned() || !index.is_number_unsigned()) {
      throw std::runtime_error(shards[i].source + ": scenario '" + sc.value("name", "") +
                               "' has no shard section: merge --shards takes reports of "
                               "pushbench load --shard K/N (or run --shards)");
    }
    const auto k = index.get<std::size_t>();
    if (count.get<std::size_t>() != n) {
      throw std::runtime_error(shards[i].source + " is shard " + std::to_string(k) + " of " +
                               count.dump() + ", but " + std::to_string(n) +
                               " reports were given: every shard, once");
    }
    if (k >= n) throw std::runtime_error(shards[i].source + ": shard index out of range");
    if (by_index[k] != n) {
      throw std::runtime_error("shard " + std::to_string(k) + " appears twice: " +
                               shards[by_index[k]].source + " and " + shards[i].source);
    }
    by_index[k] = i;
  }
  for (std::size_t k = 0; k < n; ++k) {
    if (by_index[k] == n) throw std::runtime_error("shard " + std::to_string(k) + " is missing");
  }
  return by_index;
}

}  // namespace

json merge_shards(const std::vector<ShardReport>& shards) {
  if (shards.empty()) throw std::runtime_error("merge --shards needs the shards' reports");
  for (const auto& s : shards) {
    const json& r = s.report;
    if (!r.is_object() || !r.contains("scenarios") || !r["scenarios"].is_array() ||
        r["scenarios"].empty()) {
      throw std::runtime_error(s.source + " has no scenarios");
    }
  }
  const auto order = order_by_index(shards);
  const ShardReport& zero = shards[order.front()];
  const std::string sha = text_at(zero.report, "tool.git_sha");
  std::vector<std::map<std::string, const json*>> by_name(shards.size());
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const ShardReport& s = shards[order[k]];
    if (text_at(s.report, "tool.git_sha") != sha) {
      throw std::runtime_error(s.source + " comes from commit '" +
                               text_at(s.report, "tool.git_sha") + "', " + zero.source + " from '" +
                               sha + "': shards must run one build");
    }
    if (s.report["scenarios"].size() != zero.report["scenarios"].size()) {
      throw std::runtime_error(s.source + " has " + std::to_string(s.report["scenarios"].size()) +
                               " scenarios, " + zero.source + " has " +
                               std::to_string(zero.report["scenarios"].size()));
    }
    for (const auto& sc : s.report["scenarios"]) {
      const std::string name = text_at(sc, "name");
      if (!by_name[k].emplace(name, &sc).second) {
        throw std::runtime_error(s.source + ": scenario name '" + name + "' appears twice");
      }
    }
  }
  json out = zero.report;
  out["scenarios"] = json::array();
  for (const auto& first : zero.report["scenarios"]) {
    const std::string name = text_at(first, "name");
    std::vector<const json*> scenarios;
    std::vector<std::string> sources;
    for (std::size_t k = 0; k < shards.size(); ++k) {
      const ShardReport& s = shards[order[k]];
      const auto it = by_name[k].find(name);
      if (it == by_name[k].end()) {
        throw std::runtime_error("scenario '" + name + "' is missing from " + s.source);
      }
      const std::string where = s.source + ": scenario '" + name + "'";
      check_scenario(*it->second, first, where);
      if (it->second->at("shard").at("index") != k) {
        throw std::runtime_error(where + " is shard " + it->second->at("shard").at("index").dump() +
                                 ", its report's first scenario shard " + std::to_string(k));
      }
      scenarios.push_back(it->second);
      sources.push_back(s.source);
    }
    out["scenarios"].push_back(merge_shard_figures(scenarios, sources));
  }
  json merged = json::array();
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const json& r = shards[order[k]].report;
    merged.push_back({{"index", k},
                      {"source", shards[order[k]].source},
                      {"started_at", text_at(r, "started_at")},
                      {"finished_at", text_at(r, "finished_at")},
                      {"hostname", text_at(r, "environment.hostname")},
                      {"git_sha", sha}});
    const std::string started = text_at(r, "started_at"), finished = text_at(r, "finished_at");
    if (!started.empty() && started < text_at(out, "started_at")) out["started_at"] = started;
    if (finished > text_at(out, "finished_at")) out["finished_at"] = finished;
  }
  out["merged_shards"] = std::move(merged);
  return out;
}

}  // namespace pushbench::loadgen
