#include <gtest/gtest.h>

#include "loadgen/compare.hpp"
#include "loadgen/repeat.hpp"

namespace pushbench::loadgen {
namespace {

nlohmann::json run(double eps, double p99, int id) {
  return {{"name", "s"},
          {"id", id},
          {"throughput", {{"events_per_s", eps}}},
          {"latency_us", {{"corrected", {{"p99", p99}}}}}};
}

TEST(Repeat, MedianAndMad) {
  EXPECT_EQ(median({}), 0);
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median_absolute_deviation({1, 2, 3, 4, 100}), 1);
}

TEST(Repeat, RepresentativeIsTheMedianRunAndFiguresAreSummarised) {
  const auto s = summarize_repetitions({run(100, 50, 0), run(110, 10, 1), run(90, 30, 2)});
  EXPECT_EQ(s["id"], 2);  // p99 30 is the median
  const auto& r = s["repetitions"];
  EXPECT_EQ(r["runs"], 3);
  EXPECT_EQ(r["representative_run"], 2);
  EXPECT_EQ(r["throughput.events_per_s"]["median"], 100);
  EXPECT_EQ(r["throughput.events_per_s"]["mad"], 10);
  EXPECT_EQ(r["latency_us.corrected.p99"]["values"].size(), 3u);
  EXPECT_FALSE(r.contains("wire.bytes_per_event"));
  EXPECT_EQ(summarize_repetitions({run(1, 2, 7)})["id"], 7);
  EXPECT_THROW(summarize_repetitions({}), std::invalid_argument);
}

TEST(Repeat, CompareTreatsMadNoiseAsNoise) {
  auto base = nlohmann::json{{"scenarios", {summarize_repetitions({run(100, 50, 0), run(100, 80, 1), run(100, 20, 2)})}}};
  auto now = nlohmann::json{{"scenarios", {summarize_repetitions({run(100, 65, 0), run(100, 95, 1), run(100, 35, 2)})}}};
  // p99 median 50 -> 65 is +30%, but within 3 x MAD (30): noise, not a regression.
  EXPECT_FALSE(compare_reports(base, now, CompareOptions{}).regressed());
}

}  // namespace
}  // namespace pushbench::loadgen
