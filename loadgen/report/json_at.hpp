#pragma once
// Reading a report by key path, for the printers (the comparison table, the Markdown report).
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <span>

namespace pushbench::loadgen {

/// The value at `path` (object keys, from `j` down), or null when a key is missing or a step is
/// not an object.
inline const nlohmann::json& json_at(const nlohmann::json& j, std::span<const char* const> path) {
  static const nlohmann::json kNull;
  const nlohmann::json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return kNull;
    const auto it = cur->find(k);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

/// json_at for a path written in place: json_at(s, {"latency_us", "corrected", "p99"}).
inline const nlohmann::json& json_at(const nlohmann::json& j,
                                     std::initializer_list<const char*> path) {
  return json_at(j, std::span<const char* const>(path.begin(), path.size()));
}

}  // namespace pushbench::loadgen
