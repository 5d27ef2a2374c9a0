#pragma once
// `pushbench load --shard K/N`: which part of a run's connections one load-generator process
// drives, so that shards 0..N-1 together are exactly the single run.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace pushbench::loadgen {

/// Shard `index` of `count` (0 <= index < count); {0, 1} is the whole run.
struct ShardSpec {
  unsigned index = 0;  ///< this process's shard, 0-based
  unsigned count = 1;  ///< shards of the run
  bool sharded() const { return count > 1; }
};

/// The connections of one shard: global client ids [first, first + count).
struct ShardSlice {
  std::size_t first = 0;  ///< global id of the shard's first client
  std::size_t count = 0;  ///< clients of the shard
};

/// Parses "K/N" (decimal, 0 <= K < N <= 100000); an error message otherwise.
std::variant<ShardSpec, std::string> parse_shard(std::string_view text);

/// Shard `shard` of `total` items: contiguous ids, the first total % N shards one more, so the
/// slices of shards 0..N-1 tile [0, total) exactly.
ShardSlice shard_slice(std::size_t total, ShardSpec shard);

}  // namespace pushbench::loadgen
