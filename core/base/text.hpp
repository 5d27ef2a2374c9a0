#pragma once
// Small text helpers shared by the HTTP header handling of servers and load generator.
#include <cctype>
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
