#pragma once
// `pushbench merge --shards`: the reports of the shards of one run (pushbench load --shard K/N)
// as one report that reads like the single run.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// One shard's report and where it came from (named in error messages).
struct ShardReport {
  std::string source;     ///< file name, or any label
  nlohmann::json report;  ///< the report document
};

/// Merges the N shard reports of one run: scenarios are matched by name (in shard 0's order);
/// counts, bytes, errors, rates and load-generator CPU add, every histogram's bins add and every
/// percentile is recomputed from the merged bins (never averaged), the server's figures come
/// from the first shard (by index) that sampled it and are divided by the merged totals, each
/// shard's own summary stays in the scenario's "shards", and the report gets "merged_shards".
/// Throws std::runtime_error naming the file and the problem for: reports of other commits, other
/// scenarios or other plans (workload, seed, start time, shard count), a scenario without a
/// `shard` section, a missing or duplicated shard index, a slice that is not shard_slice()'s, a
/// histogram of another layout, or a scenario that cannot be merged (find-max, repetitions).
nlohmann::json merge_shards(const std::vector<ShardReport>& shards);

}  // namespace pushbench::loadgen
