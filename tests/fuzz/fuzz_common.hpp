#pragma once
// Shared by the libFuzzer targets: how an input is cut into chunks, how invariants fail, and a
// compact log of parser callbacks so that two runs can be compared byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace pushbench::fuzz {

/// Aborts (a libFuzzer crash, so the input is saved) when an invariant does not hold.
#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

/// Prints `s` with non-printable bytes escaped (for invariant failure reports).
inline void print_escaped(const char* label, std::string_view s) {
  std::fprintf(stderr, "%s (%zu bytes): ", label, s.size());
  for (unsigned char c : s.substr(0, 2000)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      std::fputc(c, stderr);
    } else {
      std::fprintf(stderr, "\\x%02x", c);
    }
  }
  std::fputc('\n', stderr);
}

/// Aborts, printing both, when two callback logs that must be equal differ.
inline void check_same_log(std::string_view expected, std::string_view got, const char* what) {
  if (expected == got) return;
  std::fprintf(stderr, "invariant failed: %s\n", what);
  print_escaped("expected", expected);
  print_escaped("got", got);
  std::abort();
}

/// The input as text.
inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Takes the first byte of `in` (0 when empty) and removes it: a fuzzed parameter.
inline std::uint8_t take_byte(std::string_view& in) {
  if (in.empty()) return 0;
  const auto b = static_cast<std::uint8_t>(in.front());
  in.remove_prefix(1);
  return b;
}

/// Cuts `in` into chunks whose sizes come from a PRNG seeded with `seed` (seed 0: one chunk,
/// seed 1: one byte per chunk), so each input is also tried split at many different points.
inline std::vector<std::string_view> split(std::string_view in, std::uint64_t seed) {
  std::vector<std::string_view> out;
  if (seed == 0) {
    out.push_back(in);
    return out;
  }
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ull;
  while (!in.empty()) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const std::size_t n = seed == 1 ? 1 : 1 + x % 37;
    out.push_back(in.substr(0, n));
    in.remove_prefix(std::min(n, in.size()));
  }
  return out;
}

/// Appends one record ("tag, length, bytes") to a callback log; unambiguous for any bytes.
inline void log_record(std::string& log, char tag, std::string_view bytes) {
  log += tag;
  log += std::to_string(bytes.size());
  log += ':';
  log.append(bytes);
}

}  // namespace pushbench::fuzz
