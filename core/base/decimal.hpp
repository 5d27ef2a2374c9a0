#pragma once
// Decimal integers read as std::from_chars reads them (base 10; a leading '-' for signed types
// only; no '+', no spaces), with the same results: value, end pointer and error. It exists
// because libstdc++'s generic from_chars was 8 % of the load generator's CPU at 1,000,000
// events/s (three numbers in every event header); this one reads eight digits at a time (the
// multiply-and-shift method of simdjson's number parser) and the rest one by one.
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <system_error>
#include <type_traits>

namespace pushbench {
namespace detail {

/// The eight bytes at `p` as a little-endian word (the first byte lowest).
inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

/// True when every byte of `w` is '0'..'9': its high nibble is 3, and adding 6 does not carry
/// into the high nibble (low nibble at most 9).
inline bool eight_digits(std::uint64_t w) noexcept {
  return ((w & 0xF0F0F0F0F0F0F0F0u) | (((w + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4)) ==
         0x3333333333333333u;
}

/// The value of the eight digits in `w` (eight_digits(w)), first byte most significant: pairs,
/// then quads, then the whole, by multiply-and-shift within the word.
inline std::uint64_t parse_eight(std::uint64_t w) noexcept {
  w -= 0x3030303030303030u;
  w = (w * 10) + (w >> 8);  // each 16-bit lane's low byte: 10 * first + second digit
  w = (((w & 0x000000FF000000FFu) * (100 + (1000000ull << 32))) +
       (((w >> 16) & 0x000000FF000000FFu) * (1 + (10000ull << 32)))) >>
      32;
  return w & 0xFFFFFFFFu;
}

}  // namespace detail

/// Reads a decimal `Int` (std::int64_t or std::uint64_t) from [first, last). Like
/// std::from_chars: on success `out` is set and ptr is past the last digit; with no digits ptr is
/// `first` and ec invalid_argument; out of range, ptr is past the digits, ec result_out_of_range
/// and `out` untouched.
template <typename Int>
std::from_chars_result parse_decimal(const char* first, const char* last, Int& out) noexcept {
  static_assert(std::is_same_v<Int, std::int64_t> || std::is_same_v<Int, std::uint64_t>);
  const char* p = first;
  bool negative = false;
  if constexpr (std::is_signed_v<Int>) {
    if (p != last && *p == '-') {
      negative = true;
      ++p;
    }
  }
  const char* digits = p;
  std::uint64_t v = 0;
  bool overflow = false;
  // Eight digits at a time while eight remain (a 19-digit timestamp is 8 + 8 + 3).
  for (std::uint64_t w; last - p >= 8 && detail::eight_digits(w = detail::load8(p)); p += 8) {
    overflow |= __builtin_mul_overflow(v, 100000000u, &v);
    overflow |= __builtin_add_overflow(v, detail::parse_eight(w), &v);
  }
  for (; p != last; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - static_cast<unsigned>('0');
    if (d > 9) break;
    overflow |= __builtin_mul_overflow(v, 10u, &v);
    overflow |= __builtin_add_overflow(v, d, &v);
  }
  if (p == digits) return {first, std::errc::invalid_argument};
  std::uint64_t limit = std::numeric_limits<std::uint64_t>::max();
  if constexpr (std::is_signed_v<Int>) {
    limit =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
  }
  if (overflow || v > limit) return {p, std::errc::result_out_of_range};
  out = negative ? static_cast<Int>(0 - v) : static_cast<Int>(v);
  return {p, std::errc{}};
}

}  // namespace pushbench
