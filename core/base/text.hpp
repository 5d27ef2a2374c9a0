#pragma once
// Small text helpers shared by the codecs and the HTTP header handling of servers and load generator.
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace pushbench {

/// ASCII case-insensitive equality (HTTP tokens: header values such as "websocket", "gzip").
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

/// ASCII case-insensitive prefix test (media types such as "text/event-stream; charset=utf-8").
inline bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

/// Position of the first `c` in `s` at or after `from`, or s.size() if there is none (memchr).
inline std::size_t find_byte(std::string_view s, std::size_t from, char c) noexcept {
  if (from >= s.size()) return s.size();  // memchr() must not see the null data() of an empty view.
  const void* hit = std::memchr(s.data() + from, c, s.size() - from);
  return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - s.data()) : s.size();
}

/// `parts` with `separator` between them.
inline std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

}  // namespace pushbench
