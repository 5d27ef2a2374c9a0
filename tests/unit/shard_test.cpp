// --shard K/N parsing and slicing, --start-at parsing and the start barrier.
#include <gtest/gtest.h>

#include "loadgen/measure/shard.hpp"
#include "loadgen/run/start_at.hpp"

namespace pushbench::loadgen {
namespace {

TEST(Shard, ParsesKOverN) {
  auto s = parse_shard("2/5");
  ASSERT_TRUE(std::holds_alternative<ShardSpec>(s));
  EXPECT_EQ(std::get<ShardSpec>(s).index, 2u);
  EXPECT_EQ(std::get<ShardSpec>(s).count, 5u);
  EXPECT_TRUE(std::get<ShardSpec>(s).sharded());
  EXPECT_FALSE(std::get<ShardSpec>(parse_shard("0/1")).sharded());
}

TEST(Shard, BadInputIsAClearError) {
  for (const char* bad : {"3/2", "2/2", "0/0", "abc", "1", "1/", "/2", "-1/2", "1/2x", "1 /2",
                          "0/100001", "99999999999/2"}) {
    auto s = parse_shard(bad);
    ASSERT_TRUE(std::holds_alternative<std::string>(s)) << bad;
    EXPECT_NE(std::get<std::string>(s).find("K/N"), std::string::npos) << bad;
    EXPECT_NE(std::get<std::string>(s).find(bad), std::string::npos) << bad;
  }
}

TEST(Shard, SlicesTileTheRunWithRemaindersSpread) {
  for (std::size_t total : {0u, 1u, 2u, 3u, 10u, 11u, 1000u, 1001u}) {
    for (unsigned n : {1u, 2u, 3u, 7u}) {
      std::size_t next = 0, lo = total, hi = 0;
      for (unsigned k = 0; k < n; ++k) {
        const auto s = shard_slice(total, {k, n});
        EXPECT_EQ(s.first, next) << total << " " << k << "/" << n;
        next += s.count;
        lo = std::min(lo, s.count);
        hi = std::max(hi, s.count);
      }
      EXPECT_EQ(next, total) << total << "/" << n;                // nothing lost, nothing twice
      EXPECT_LE(hi - std::min(lo, hi), 1u) << total << "/" << n;  // spread evenly
    }
  }
  EXPECT_EQ(shard_slice(10, {0, 3}).count, 4u);
  EXPECT_EQ(shard_slice(10, {2, 3}).first, 7u);
}

TEST(StartAt, ParsesEpochNanosecondsAndRfc3339) {
  EXPECT_EQ(std::get<std::int64_t>(parse_start_at("1798761600000000000")), 1798761600000000000);
  EXPECT_EQ(std::get<std::int64_t>(parse_start_at("2027-01-01T00:00:00Z")), 1798761600000000000);
  EXPECT_EQ(std::get<std::int64_t>(parse_start_at("2027-01-01T00:00:00.25Z")), 1798761600250000000);
  EXPECT_EQ(std::get<std::int64_t>(parse_start_at("2027-01-01T01:30:00+01:30")),
            1798761600000000000);
  EXPECT_EQ(std::get<std::int64_t>(parse_start_at("2026-12-31T23:00:00.000000001-01:00")),
            1798761600000000001);
  for (const char* bad : {"", "soon", "2027-01-01", "2027-01-01T00:00:00", "2027-02-30T00:00:00Z",
                          "2027-13-01T00:00:00Z", "2027-01-01T24:00:00Z", "2027-01-01T00:00:00.Z",
                          "2027-01-01T00:00:00Zjunk", "12e9", "-5", "99999999999999999999"}) {
    auto r = parse_start_at(bad);
    ASSERT_TRUE(std::holds_alternative<std::string>(r)) << bad;
    EXPECT_NE(std::get<std::string>(r).find("RFC 3339"), std::string::npos);
  }
}

TEST(StartAt, WaitsForTheInstantAndAnchorsTheRunThere) {
  const std::int64_t at = realtime_ns() + 80'000'000;
  const RunStart start = begin_run(at);
  const std::int64_t after = realtime_ns();
  EXPECT_GE(after, at);
  EXPECT_EQ(start.anchor.realtime, at);
  ASSERT_TRUE(start.at_ns);
  EXPECT_GE(start.skew_ns, 0);
  EXPECT_LT(start.skew_ns, 50'000'000);  // woken within 50 ms, even on a loaded machine
  // The steady reading maps back to the agreed instant.
  EXPECT_NEAR(static_cast<double>(start.anchor.realtime_ns_at(SteadyClock::now()) - realtime_ns()),
              0.0, 5e6);
  const auto facts = clock_facts(start);
  EXPECT_EQ(facts["source"], "CLOCK_REALTIME");
  EXPECT_EQ(facts["start_at_ns"], at);
  EXPECT_TRUE(facts["start_skew_us"].is_number());
  ASSERT_TRUE(facts["sync"].is_object());  // adjtimex() answers in any container
  EXPECT_TRUE(facts["sync"]["synchronized"].is_boolean());
  EXPECT_TRUE(facts["sync"]["est_error_us"].is_number());
}

TEST(StartAt, AMissedOrFarStartIsAnError) {
  EXPECT_THROW(begin_run(realtime_ns() - 5'000'000'000), std::runtime_error);
  EXPECT_THROW(begin_run(realtime_ns() + 25LL * 3600 * 1'000'000'000), std::runtime_error);
  const RunStart now = begin_run(std::nullopt);
  EXPECT_FALSE(now.at_ns);
  EXPECT_TRUE(clock_facts(now)["start_skew_us"].is_null());
}

}  // namespace
}  // namespace pushbench::loadgen
