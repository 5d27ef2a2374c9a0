#pragma once
// Decimal integers read as std::from_chars reads them (base 10; a leading '-' for signed types
// only; no '+', no spaces), with the same results: value, end pointer and error. It exists
// because libstdc++'s generic from_chars was 8 % of the load generator's CPU at 1,000,000
// events/s (three numbers in every event header); this one reads eight digits at a time (the
// multiply-and-shift method of simdjson's number parser) and the rest one by one.
//
// And written as std::to_chars writes them: libstdc++'s to_chars divides the whole 64-bit value
// by 100 once per two digits, one division waiting for the other, and was 16-21 % of the
// server's CPU at 2,000,000 64-byte events/s (two 19-digit timestamps in every event). This one
// cuts the value into pieces of at most eight digits with 32-bit arithmetic, independent of each
// other, and writes two digits at a time from a table.
#include <bit>
#include <charconv>
#include <cstddef>
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

/// "00" "01" ... "99": the two digits of every number below 100.
inline constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/// Writes the two digits of `d` (< 100) at `p`.
inline void put2(char* p, std::uint32_t d) noexcept {
  std::memcpy(p, kDigitPairs + 2 * d, 2);
}

/// Writes exactly four digits of `x` (< 10,000) at `p`, leading zeros included.
inline void put4(char* p, std::uint32_t x) noexcept {
  put2(p, x / 100);
  put2(p + 2, x % 100);
}

/// Writes exactly eight digits of `x` (< 100,000,000) at `p`, leading zeros included.
inline void put8(char* p, std::uint32_t x) noexcept {
  put4(p, x / 10000);
  put4(p + 4, x % 10000);
}

/// Writes `x` (< 10,000) without leading zeros at `p`; returns the end.
inline char* put_upto4(char* p, std::uint32_t x) noexcept {
  if (x < 10) {
    *p = static_cast<char>('0' + x);
    return p + 1;
  }
  if (x < 100) {
    put2(p, x);
    return p + 2;
  }
  if (x < 1000) {
    *p = static_cast<char>('0' + x / 100);
    put2(p + 1, x % 100);
    return p + 3;
  }
  put4(p, x);
  return p + 4;
}

/// Writes `x` (< 100,000,000) without leading zeros at `p`; returns the end.
inline char* put_upto8(char* p, std::uint32_t x) noexcept {
  if (x < 10000) return put_upto4(p, x);
  p = put_upto4(p, x / 10000);
  put4(p, x % 10000);
  return p + 4;
}

}  // namespace detail

/// Characters format_decimal() may write: 20 digits, or a sign and 19.
constexpr std::size_t kMaxDecimalChars = 20;

/// Writes `v` in decimal at `out` (room for kMaxDecimalChars) and returns the end: the same
/// characters as std::to_chars(out, out + kMaxDecimalChars, v).
inline char* format_decimal(char* out, std::uint64_t v) noexcept {
  constexpr std::uint64_t k8 = 100000000u;
  if (v < k8) return detail::put_upto8(out, static_cast<std::uint32_t>(v));
  if (v < k8 * k8) {
    out = detail::put_upto8(out, static_cast<std::uint32_t>(v / k8));
    detail::put8(out, static_cast<std::uint32_t>(v % k8));
    return out + 8;
  }
  const std::uint64_t low16 = v % (k8 * k8);
  out = detail::put_upto8(out, static_cast<std::uint32_t>(v / (k8 * k8)));  // < 1845
  detail::put8(out, static_cast<std::uint32_t>(low16 / k8));
  detail::put8(out + 8, static_cast<std::uint32_t>(low16 % k8));
  return out + 16;
}

/// The signed form: a '-' before the magnitude of a negative `v`.
inline char* format_decimal(char* out, std::int64_t v) noexcept {
  auto magnitude = static_cast<std::uint64_t>(v);
  if (v < 0) {
    *out++ = '-';
    magnitude = 0 - magnitude;
  }
  return format_decimal(out, magnitude);
}

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
