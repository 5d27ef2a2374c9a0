#include "loadgen/run/settings_table.hpp"

#include <array>
#include <stdexcept>
#include <type_traits>

namespace pushbench::loadgen {

namespace {

using Range = std::pair<double, double>;

const std::array<Setting, 8> rows = {{
    {"--drop-after", "drop_after", "drop_after",
     +[](WorkloadSettings& s) -> std::optional<double>& { return s.spec.drop_after_s; },
     Range{0.001, 86400.0}, nullptr, false,
     "fault injection: ask the server to drop each connection after S seconds"},
    {"--retry-ms", "retry_ms", "retry",
     +[](WorkloadSettings& s) -> std::optional<std::uint64_t>& { return s.spec.retry_ms; },
     Range{0, 3600000}, nullptr, false, "ask the SSE server to send `retry: MS`"},
    {"--rate,-r", "rate", "rate", +[](WorkloadSettings& s) -> double& { return s.spec.rate; },
     Range{1e-3, 1e6}, nullptr, true, "events/s per stream (open loop)"},
    {"--size,-s", "size", "size", +[](WorkloadSettings& s) -> std::size_t& { return s.spec.size; },
     Range{0, static_cast<double>(StreamSpec::max_event_bytes)}, nullptr, true, "event data bytes"},
    {"--payload", "payload", "payload",
     +[](WorkloadSettings& s) -> std::string& { return s.payload; }, std::nullopt,
     payload_kind_names, true, "json | text | random | file (see --payload-file)"},
    {"--count", "count", "count",
     +[](WorkloadSettings& s) -> std::optional<std::uint64_t>& { return s.spec.count; },
     std::nullopt, nullptr, false, "events per stream; the run ends when every stream ends"},
    {"--topic", "topic", "topic",
     +[](WorkloadSettings& s) -> std::optional<std::string>& { return s.spec.topic; }, std::nullopt,
     nullptr, false, "subscribe to a broadcast topic instead of private streams"},
    {"--keepalive", "keepalive", "keepalive",
     +[](WorkloadSettings& s) -> std::optional<double>& { return s.spec.keepalive_s; },
     Range{0.01, 3600.0}, nullptr, false,
     "idle workload: ask for a keep-alive (SSE comment, WebSocket ping) every S seconds; use "
     "with a low --rate"},
}};

/// Appends "&key=value" (no '&' first) as the wire contract writes numbers and text.
template <typename T>
void append_parameter(std::string& query, const char* key, const T& value) {
  if (!query.empty()) query += '&';
  query += key;
  query += '=';
  if constexpr (std::is_same_v<T, std::string>) {
    query += url_encode(value);
  } else if constexpr (std::is_floating_point_v<T>) {
    query += format_number(value);
  } else {
    query += std::to_string(value);
  }
}

}  // namespace

std::span<const Setting> workload_settings() {
  return rows;
}

const Setting& workload_setting(std::string_view suite_key) {
  for (const auto& row : rows) {
    if (row.suite_key == suite_key) return row;
  }
  throw std::out_of_range("no workload setting '" + std::string(suite_key) + "'");
}

std::string_view long_flag(const Setting& row) {
  const std::string_view flag = row.flag;
  return flag.substr(0, flag.find(','));
}

std::string workload_query(WorkloadSettings s) {
  std::string query;
  for (const auto& row : rows) {
    std::visit(
        [&](auto ref) {
          const auto& value = ref(s);
          using Value = SettingValue<std::decay_t<decltype(value)>>;
          if constexpr (Value::optional) {
            if (value) append_parameter(query, row.query_key, *value);
          } else {
            append_parameter(query, row.query_key, value);
          }
        },
        row.field);
  }
  return query;
}

}  // namespace pushbench::loadgen
