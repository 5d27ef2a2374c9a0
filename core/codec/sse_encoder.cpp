#include "core/codec/sse_encoder.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>

#include "core/base/text.hpp"

namespace pushbench::sse {
namespace {

constexpr std::string_view kEventPrefix = "event: ";
constexpr std::string_view kIdPrefix = "id: ";
constexpr std::string_view kDataPrefix = "data: ";
constexpr std::string_view kCommentPrefix = ": ";
constexpr std::string_view kRetryPrefix = "retry: ";

[[maybe_unused]] bool has_line_break(std::string_view s) {
  return find_byte(s, 0, '\n') != s.size() || find_byte(s, 0, '\r') != s.size();
}

// Calls fn(line) for each line of `text` split at LF, CR and CRLF; always at least once.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  const std::size_t n = text.size();
  // Cached positions of the next LF and CR at or after `pos` (n when absent).
  std::size_t next_lf = find_byte(text, 0, '\n');
  std::size_t next_cr = find_byte(text, 0, '\r');
  std::size_t pos = 0;
  while (true) {
    const std::size_t eol = std::min(next_lf, next_cr);
    if (eol == n) return fn(text.substr(pos));
    fn(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (text[eol] == '\r' && pos < n && text[pos] == '\n') ++pos;
    if (next_lf < pos) next_lf = find_byte(text, pos, '\n');
    if (next_cr < pos) next_cr = find_byte(text, pos, '\r');
  }
}

void append_lines(std::string& out, std::string_view prefix, std::string_view text) {
  for_each_line(text, [&](std::string_view line) {
    out.append(prefix);
    out.append(line);
    out.push_back('\n');
  });
}

}  // namespace

std::size_t encoded_size(std::string_view data, std::string_view id, std::string_view type) {
  std::size_t size = 1;  // The terminating blank line.
  if (!type.empty()) size += kEventPrefix.size() + type.size() + 1;
  if (!id.empty()) size += kIdPrefix.size() + id.size() + 1;
  for_each_line(data, [&](std::string_view line) { size += kDataPrefix.size() + line.size() + 1; });
  return size;
}

void append_event(std::string& out, std::string_view data, std::string_view id,
                  std::string_view type) {
  assert(!has_line_break(id) && id.find('\0') == std::string_view::npos);
  assert(!has_line_break(type));
  if (!type.empty()) {
    out.append(kEventPrefix);
    out.append(type);
    out.push_back('\n');
  }
  if (!id.empty()) {
    out.append(kIdPrefix);
    out.append(id);
    out.push_back('\n');
  }
  append_lines(out, kDataPrefix, data);
  out.push_back('\n');
}

void append_comment(std::string& out, std::string_view text) {
  append_lines(out, kCommentPrefix, text);
}

void append_retry(std::string& out, std::uint64_t ms) {
  char digits[20];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, ms);
  out.append(kRetryPrefix);
  out.append(digits, end);
  out.push_back('\n');
}

}  // namespace pushbench::sse
