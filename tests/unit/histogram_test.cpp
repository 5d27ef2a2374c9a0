#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <boost/histogram.hpp>

#include "core/measure/histogram.hpp"
#include "loadgen/measure/stats.hpp"

namespace pushbench {
namespace {

TEST(LatencyHistogram, QuantilesWithinOnePercentAcrossRange) {
  std::mt19937_64 rng(7);
  std::vector<std::int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    // Log-uniform from 1 µs to 100 s.
    const double v = std::exp(std::uniform_real_distribution<double>(std::log(1e3), std::log(1e11))(rng));
    values.push_back(static_cast<std::int64_t>(v));
    h.record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999, 0.9999}) {
    const auto exact = static_cast<double>(values[static_cast<std::size_t>(std::ceil(q * values.size())) - 1]);
    EXPECT_NEAR(h.quantile_ns(q), exact, exact * 0.01) << q;
  }
  EXPECT_EQ(h.min_ns(), static_cast<double>(values.front()));
  EXPECT_EQ(h.max_ns(), static_cast<double>(values.back()));
}

TEST(LatencyHistogram, BinOfIsTheBinBoostsLogAxisGives) {
  const boost::histogram::axis::regular<double, boost::histogram::axis::transform::log> axis(
      LatencyHistogram::bins(), LatencyHistogram::kLowestNs, LatencyHistogram::kHighestNs);
  const auto expect_same = [&](std::int64_t ns) {
    ASSERT_EQ(LatencyHistogram::bin_of(ns),
              axis.index(static_cast<double>(std::max<std::int64_t>(ns, 0))))
        << ns;
  };
  // Every edge and the integers around it, where rounding decides the bin.
  for (int i = 0; i <= axis.size(); ++i) {
    const auto edge = static_cast<std::int64_t>(axis.value(i));
    for (std::int64_t d = -2; d <= 2; ++d) expect_same(edge + d);
  }
  // Log-uniform values over the whole range and beyond it, and every value up to 5 µs.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> exponent(0, 12);
  for (int i = 0; i < 200000; ++i)
    expect_same(static_cast<std::int64_t>(std::pow(10, exponent(rng))));
  for (std::int64_t ns = -3; ns <= 5000; ++ns) expect_same(ns);
  expect_same(std::numeric_limits<std::int64_t>::max());
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int i = 1; i <= 1000; ++i) {
    (i % 2 ? a : b).record(i * 1000);
    all.record(i * 1000);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.bins_json(), all.bins_json());
  EXPECT_DOUBLE_EQ(a.quantile_ns(0.99), all.quantile_ns(0.99));
  EXPECT_DOUBLE_EQ(a.mean_ns(), all.mean_ns());
}

TEST(LatencyHistogram, OutOfRangeAndEmpty) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile_ns(0.5), 0);
  EXPECT_TRUE(to_json(h.summary_us()).is_null());
  h.record(-5);
  h.record(10);
  h.record(static_cast<std::int64_t>(2e11));
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.min_ns(), 0);
  EXPECT_EQ(h.max_ns(), 2e11);
  const auto j = h.bins_json();
  EXPECT_EQ(j["underflow"], 2);
  EXPECT_EQ(j["overflow"], 1);
  EXPECT_EQ(h.quantile_ns(1.0), 2e11);
}

TEST(SeqTracker, CountsFreshDuplicateAndReordered) {
  loadgen::SeqTracker t;
  using S = loadgen::SeqTracker::Seen;
  EXPECT_EQ(t.record(0), S::fresh);
  EXPECT_EQ(t.record(1), S::fresh);
  EXPECT_EQ(t.record(1), S::duplicate);
  EXPECT_EQ(t.record(5), S::fresh);  // 2..4 missing so far
  EXPECT_EQ(t.record(3), S::out_of_order);
  EXPECT_EQ(t.record(3), S::duplicate);
  EXPECT_EQ(t.next(), 6u);
  EXPECT_EQ(t.record(100000), S::fresh);  // a jump past the window forgets old state
  EXPECT_EQ(t.record(99999), S::out_of_order);
  EXPECT_EQ(t.record(99999), S::duplicate);
  EXPECT_EQ(t.record(10), S::out_of_order);  // too old to tell
}

TEST(Histogram, RebuiltFromItsJsonMergesExactly) {
  LatencyHistogram a, b, both;
  for (std::int64_t v : {500LL, 1'500LL, 20'000LL, 333'333LL, 7'000'000LL, 200'000'000'000LL}) {
    a.record(v);
    both.record(v);
  }
  for (std::int64_t v : {2'000, 2'100, 90'000, 90'500}) {
    b.record(v);
    both.record(v);
  }
  auto ra = LatencyHistogram::from_json(a.bins_json(), to_json(a.summary_us()));
  auto rb = LatencyHistogram::from_json(b.bins_json(), to_json(b.summary_us()));
  ASSERT_TRUE(ra && rb);
  ra->merge(*rb);
  EXPECT_EQ(ra->bins_json(), both.bins_json());
  EXPECT_EQ(to_json(ra->summary_us()), to_json(both.summary_us()));
  // Empty: null summary, no bins.
  LatencyHistogram empty;
  EXPECT_TRUE(LatencyHistogram::from_json(empty.bins_json(), nullptr));
  // Another layout, a bin off the axis, or a count that disagrees: refused.
  auto j = a.bins_json();
  j["lowest"] = 10.0;
  EXPECT_FALSE(LatencyHistogram::from_json(j, to_json(a.summary_us())));
  j = a.bins_json();
  j["bins_per_decade"] = 100;
  EXPECT_FALSE(LatencyHistogram::from_json(j, to_json(a.summary_us())));
  j = a.bins_json();
  j["bins"][0][1] = j["bins"][0][1].get<double>() * 1.001;
  EXPECT_FALSE(LatencyHistogram::from_json(j, to_json(a.summary_us())));
  auto s = to_json(a.summary_us());
  s["count"] = 99;
  EXPECT_FALSE(LatencyHistogram::from_json(a.bins_json(), s));
  EXPECT_FALSE(LatencyHistogram::from_json(a.bins_json(), nullptr));
  EXPECT_FALSE(LatencyHistogram::from_json(nlohmann::json("junk"), s));
}

}  // namespace
}  // namespace pushbench
