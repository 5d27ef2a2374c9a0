#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "loadgen/protocol/errors.hpp"
#include "loadgen/measure/schedule.hpp"

namespace pushbench::loadgen {
namespace {

Schedule make(Phase phase, std::uint64_t subscriptions) {
  Schedule s;
  s.phase = phase;
  s.anchor_ns = 5'000'000'000;
  s.period_ns = 10'000'000;  // 100 events/s
  s.subscriptions = subscriptions;
  return s;
}

TEST(Schedule, ServerPhaseSendsNoEpoch) {
  EXPECT_FALSE(make(Phase::server, 10).epoch_ns(3));
}

TEST(Schedule, AlignedPutsEveryStreamOnTheAnchor) {
  const auto s = make(Phase::aligned, 100);
  for (std::uint64_t i : {0u, 1u, 57u, 99u}) EXPECT_EQ(s.epoch_ns(i), 5'000'000'000);
}

TEST(Schedule, SpreadOffsetsStreamsEvenlyOverOnePeriod) {
  const auto s = make(Phase::spread, 100);
  for (std::uint64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(s.offset_ns(i), static_cast<std::int64_t>(i) * 100'000) << i;
    EXPECT_EQ(s.epoch_ns(i), 5'000'000'000 + static_cast<std::int64_t>(i) * 100'000);
  }
  // Indivisible counts still stay inside one period, in order.
  const auto odd = make(Phase::spread, 7);
  for (std::uint64_t i = 1; i < 7; ++i) EXPECT_GT(odd.offset_ns(i), odd.offset_ns(i - 1));
  EXPECT_LT(odd.offset_ns(6), odd.period_ns);
}

TEST(Schedule, RandomIsSeededAndInsideOnePeriod) {
  auto a = make(Phase::random, 1000);
  auto b = a;
  std::set<std::int64_t> distinct;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(a.offset_ns(i), b.offset_ns(i));
    EXPECT_GE(a.offset_ns(i), 0);
    EXPECT_LT(a.offset_ns(i), a.period_ns);
    distinct.insert(a.offset_ns(i));
  }
  EXPECT_GT(distinct.size(), 990u);
  b.seed = 2;
  int same = 0;
  for (std::uint64_t i = 0; i < 100; ++i) same += a.offset_ns(i) == b.offset_ns(i);
  EXPECT_LT(same, 5);
}

TEST(Schedule, PhaseNamesRoundTrip) {
  for (auto p : {Phase::server, Phase::aligned, Phase::spread, Phase::random}) {
    EXPECT_EQ(parse_phase(to_string(p)), p);
  }
  EXPECT_FALSE(parse_phase("Spread"));
  EXPECT_FALSE(parse_phase(""));
}

TEST(DescribeRejection, StatusLineAndTheFirstLineOfTheBody) {
  EXPECT_EQ(describe_rejection("HTTP/1.1 400 Bad Request\r\nContent-Length: 5\r\n\r\nrate must be x\n"),
            "HTTP/1.1 400 Bad Request: rate must be x");
  EXPECT_EQ(describe_rejection("HTTP/1.1 404 Not Found\r\nContent-Len"), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(describe_rejection("ERROR payload=file needs a server\n"), "ERROR payload=file needs a server");
  EXPECT_EQ(describe_rejection(std::string_view("HT\0P\x01", 5)), "HT?P?");
  EXPECT_EQ(describe_rejection(""), "");
  EXPECT_LE(describe_rejection(std::string(10000, 'a')).size(), 200u);
}

}  // namespace
}  // namespace pushbench::loadgen
