#include "loadgen/measure/shard.hpp"

#include <algorithm>
#include <charconv>

namespace pushbench::loadgen {

namespace {

constexpr unsigned kMaxShards = 100000;

/// A whole decimal number (digits only); false when empty, not digits or too large.
bool parse_unsigned(std::string_view s, unsigned& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::variant<ShardSpec, std::string> parse_shard(std::string_view text) {
  const std::string what = "--shard must be K/N with 0 <= K < N <= " + std::to_string(kMaxShards) +
                           ", got '" + std::string(text) + "'";
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return what;
  ShardSpec s;
  if (!parse_unsigned(text.substr(0, slash), s.index) ||
      !parse_unsigned(text.substr(slash + 1), s.count)) {
    return what;
  }
  if (s.count == 0 || s.count > kMaxShards || s.index >= s.count) return what;
  return s;
}

ShardSlice shard_slice(std::size_t total, ShardSpec shard) {
  const std::size_t n = shard.count == 0 ? 1 : shard.count;
  const std::size_t base = total / n, extra = total % n, k = shard.index;
  return {k * base + std::min(k, extra), base + (k < extra ? 1 : 0)};
}

}  // namespace pushbench::loadgen
