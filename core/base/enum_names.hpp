#pragma once
// One table per enum for its spellings (CLI, suites, reports): the name of a value and the
// value of a name are both read from it, so the two directions cannot drift apart.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pushbench {

/// One row of an enum's spelling table.
template <class E>
struct EnumName {
  E value;                ///< the enumerator
  std::string_view name;  ///< its spelling
};

/// The spelling of `value` in `table`; "?" when the table lacks it.
template <class E, std::size_t N>
constexpr std::string_view enum_name(const EnumName<E> (&table)[N], E value) {
  for (const auto& row : table) {
    if (row.value == value) return row.name;
  }
  return "?";
}

/// The enumerator spelled `name` in `table`, if any (exact, case-sensitive).
template <class E, std::size_t N>
constexpr std::optional<E> enum_parse(const EnumName<E> (&table)[N], std::string_view name) {
  for (const auto& row : table) {
    if (row.name == name) return row.value;
  }
  return std::nullopt;
}

/// Every spelling of `table`, in table order (a CLI option's choices, a message's list).
template <class E, std::size_t N>
std::vector<std::string> enum_spellings(const EnumName<E> (&table)[N]) {
  std::vector<std::string> out;
  for (const auto& row : table) out.emplace_back(row.name);
  return out;
}

}  // namespace pushbench
