// parse_decimal against std::from_chars: the same value, end pointer and error for every input;
// format_decimal against std::to_chars: the same characters for every value.
#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/base/decimal.hpp"

namespace pushbench {
namespace {

template <typename Int>
void expect_as_from_chars(const std::string& text) {
  Int ours = 7, theirs = 7;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto a = parse_decimal(first, last, ours);
  const auto b = std::from_chars(first, last, theirs);
  EXPECT_EQ(a.ec, b.ec) << '"' << text << '"';
  EXPECT_EQ(a.ptr - first, b.ptr - first) << '"' << text << '"';
  EXPECT_EQ(ours, theirs) << '"' << text << '"';
}

void expect_both(const std::string& text) {
  expect_as_from_chars<std::int64_t>(text);
  expect_as_from_chars<std::uint64_t>(text);
}

TEST(Decimal, EdgesReadAsFromCharsReadsThem) {
  for (const char* text :
       {"", "-", "+1", " 1", "0", "-0", "007", "12a", "1,2", "-x", "--1", "9",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "99999999999999999999999", "-99999999999999999999999",
        "1700000000000000000,\"st\":", "00000000000000000000000000001",
        // Out of range inside the eight-digit blocks themselves (24 characters: 8 + 8 + 8).
        "999999999999999999999999", "000018446744073709551616", "000018446744073709551615",
        "-00009223372036854775808", "-00009223372036854775809", "-999999999999999999999999"}) {
    expect_both(text);
  }
}

TEST(Decimal, RandomNumbersAndTheirPrefixesReadAsFromChars) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 64);
    std::string text = (i % 3 == 0 ? "-" : "") + std::to_string(v) + (i % 5 == 0 ? "}" : "");
    for (std::size_t n = 0; n <= text.size(); ++n) expect_both(text.substr(0, n));
  }
}

TEST(Decimal, ANonDigitOrAnEdgeDigitAtEveryPlaceOfALongNumber) {
  // Every byte of an eight-digit block replaced by the characters either side of '0'..'9' (and a
  // few others), so the block check is tested at each position and edge.
  const std::string digits = "12345678901234567890";
  for (std::size_t at = 0; at < digits.size(); ++at) {
    for (const char c : {'/', ':', ' ', '-', 'a', '\0', '\x80', '\xff', '\x39', '\x30'}) {
      std::string text = digits;
      text[at] = c;
      expect_both(text);
      expect_both("-" + text);
    }
  }
}

template <typename Int>
void expect_as_to_chars(Int v) {
  char ours[kMaxDecimalChars];
  char theirs[kMaxDecimalChars];
  const std::string a(ours, format_decimal(ours, v));
  const std::string b(theirs, std::to_chars(theirs, theirs + sizeof theirs, v).ptr);
  EXPECT_EQ(a, b);
}

TEST(Decimal, EveryPowerOfTenAndItsNeighboursWriteAsToChars) {
  // Each digit count begins at 10^k and ends at 10^k - 1; the pieces of eight digits meet at 10^8
  // and 10^16, whose neighbours need leading zeros in the lower pieces.
  std::uint64_t p = 1;
  for (int k = 0; k <= 19; ++k, p *= 10) {
    for (const std::uint64_t v : {p - 1, p, p + 1, 2 * p - 1, 9 * p, p + p / 10}) {
      expect_as_to_chars<std::uint64_t>(v);
      if (v <= static_cast<std::uint64_t>(INT64_MAX)) {
        expect_as_to_chars<std::int64_t>(static_cast<std::int64_t>(v));
        expect_as_to_chars<std::int64_t>(-static_cast<std::int64_t>(v));
      }
    }
  }
  for (const std::uint64_t v :
       {std::uint64_t{0}, UINT64_MAX, UINT64_MAX - 1, std::uint64_t{10000000000000000000u},
        std::uint64_t{18440000000000000000u}}) {
    expect_as_to_chars(v);
  }
  for (const std::int64_t v : {INT64_MIN, INT64_MIN + 1, INT64_MAX, std::int64_t{-1}}) {
    expect_as_to_chars(v);
  }
}

TEST(Decimal, RandomNumbersOfEveryLengthWriteAsToChars) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 64);
    expect_as_to_chars(v);
    expect_as_to_chars(static_cast<std::int64_t>(v));
  }
  // Timestamps: nanoseconds since the epoch, 19 digits.
  for (std::int64_t ts = 1'700'000'000'000'000'000; ts < 1'700'000'000'000'100'000; ts += 997) {
    expect_as_to_chars(ts);
  }
}

}  // namespace
}  // namespace pushbench
