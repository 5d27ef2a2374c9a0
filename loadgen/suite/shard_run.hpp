#pragma once
// `pushbench run --shards N`: one scenario driven by N local load-generator processes that start
// together (--start-at), merged into one scenario.
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/run/load.hpp"

namespace pushbench::loadgen {

/// Runs `config` as `count` shards: each a child process forked from this one that runs what
/// `pushbench load --shard K/N --start-at T --seed S` runs (the same LoadConfig, so every suite
/// setting carries over), pinned to cpus[K % cpus.size()] when `cpus` has several; T lies 1.5 s
/// ahead, S is T. Only shard 0 samples the server (config.server_pid). Returns the scenario of
/// merge_shards() over the children's reports. Throws std::runtime_error naming the shard when a
/// child fails, is killed or outlives the run's deadline (it is then killed).
nlohmann::json run_shards(const LoadConfig& config, unsigned count, const std::vector<int>& cpus);

}  // namespace pushbench::loadgen
