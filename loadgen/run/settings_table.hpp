#pragma once
// The workload settings that `pushbench load` options, suite keys and the workload query (what
// the server receives) share: one row each with the option, the suite key, the query
// parameter, the value's type, its range and the option's help.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/contract/workload.hpp"

namespace pushbench::loadgen {

/// The values the rows write: one stream's parameters, with the payload kind still a name.
struct WorkloadSettings {
  StreamSpec spec;               ///< rate, size, count, topic, keepalive_s, drop_after_s, retry_ms
  std::string payload = "json";  ///< payload_kind_names(): checked by the option or the query
};

/// A row's value type: T, or T of std::optional<T> (an optional setting is unset by default).
template <typename T>
struct SettingValue {
  using type = T;
  static constexpr bool optional = false;
};
template <typename T>
struct SettingValue<std::optional<T>> {
  using type = T;
  static constexpr bool optional = true;
};

/// The value one row reads and writes.
template <typename T>
using SettingRef = T& (*)(WorkloadSettings&);

/// One workload setting.
struct Setting {
  const char* flag;       ///< `pushbench load` option names, e.g. "--rate,-r"
  const char* suite_key;  ///< key in a suite scenario
  const char* query_key;  ///< the workload query parameter it becomes
  std::variant<SettingRef<double>, SettingRef<std::size_t>, SettingRef<std::string>,
               SettingRef<std::optional<double>>, SettingRef<std::optional<std::uint64_t>>,
               SettingRef<std::optional<std::string>>>
      field;                                       ///< where the value goes, and its type
  std::optional<std::pair<double, double>> range;  ///< inclusive bounds of a number
  std::vector<std::string> (*choices)();           ///< the names a text value may take, or null
  bool show_default;                               ///< the option's help shows its default
  const char* help;                                ///< the option's help
};

/// Every row, in the order `pushbench load --help` lists them.
std::span<const Setting> workload_settings();

/// The row with this suite key; std::out_of_range when there is none.
const Setting& workload_setting(std::string_view suite_key);

/// The option's long name: "--rate" of "--rate,-r".
std::string_view long_flag(const Setting& row);

/// The workload query `s` asks for, one parameter per row (optional rows only when set; the
/// payload as named, so that the query's own validation judges it).
std::string workload_query(WorkloadSettings s);

}  // namespace pushbench::loadgen
