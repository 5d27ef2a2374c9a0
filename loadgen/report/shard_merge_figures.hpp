#pragma once
// The figures of one scenario merged over its shards (see merge_shards in shard_merge.hpp).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// The scenarios of one name, one per shard, ordered by shard index, already checked to be of
/// one plan. Returns the merged scenario; throws std::runtime_error (naming `sources[i]`) when a
/// histogram has another layout than this build's.
nlohmann::json merge_shard_figures(const std::vector<const nlohmann::json*>& shards,
                                   const std::vector<std::string>& sources);

}  // namespace pushbench::loadgen
