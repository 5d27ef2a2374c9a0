#pragma once
// A latency histogram with bounded relative error, mergeable across threads.
//
// Log-spaced bins from 1 µs to 100 s (117 bins per decade): any recorded value in range is
// reported within 1% of its true value. Exact min, max, sum and count are kept beside the bins.
// Not thread-safe: each worker owns its histograms and they are merged after the workers join.
#include <cstdint>
#include <optional>
#include <vector>

#include <boost/histogram.hpp>
#include <nlohmann/json.hpp>

namespace pushbench {

/// Percentile summary of a histogram, in microseconds.
struct Summary {
  std::uint64_t count = 0;  ///< recorded values
  double min = 0, mean = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, p9999 = 0, max = 0;
};

class LatencyHistogram {
 public:
  static constexpr double kLowestNs = 1e3;    ///< lower edge of the first bin (1 µs)
  static constexpr double kHighestNs = 1e11;  ///< upper edge of the last bin (100 s)
  static constexpr unsigned kBinsPerDecade = 117;

  LatencyHistogram();

  /// Records one value in nanoseconds; values outside [1 µs, 100 s) go to under/overflow bins
  /// (still counted, and in min/max/mean exactly). Negative values count as 0.
  void record(std::int64_t ns) noexcept;
  /// The bin record() puts `ns` in: -1 (underflow), 0 .. bins()-1, or bins() (overflow); always
  /// the index Boost's log axis gives, found without a logarithm (a table by the value's binary
  /// exponent and leading mantissa bits, then the exact edges).
  static int bin_of(std::int64_t ns) noexcept;
  /// Bins between kLowestNs and kHighestNs.
  static constexpr int bins() { return 8 * kBinsPerDecade; }
  /// Adds all of `other`'s values.
  void merge(const LatencyHistogram& other);
  void clear();

  std::uint64_t count() const noexcept { return count_; }
  /// The value (ns) at quantile q in [0, 1]: the geometric middle of the bin that holds it,
  /// clamped to the exact [min, max]. 0 when empty.
  double quantile_ns(double q) const;
  double min_ns() const noexcept { return count_ ? static_cast<double>(min_) : 0; }
  double max_ns() const noexcept { return count_ ? static_cast<double>(max_) : 0; }
  double mean_ns() const noexcept { return count_ ? sum_ / static_cast<double>(count_) : 0; }

  /// Summary in microseconds; nullopt-like (count 0) when empty.
  Summary summary_us() const;
  /// {"unit":"ns","lowest","highest","bins_per_decade","bins":[[lo,hi,n]...],"underflow",
  /// "overflow"} (non-empty bins).
  nlohmann::json bins_json() const;
  /// The histogram behind `bins` (a bins_json()) and `summary` (to_json(summary_us()), or null
  /// when empty), for merging histograms of other processes exactly: bins add, min/max/count
  /// stay exact, the sum is mean x count. nullopt when the layout is not this build's (unit,
  /// lowest, highest, bins per decade, a bin's edges) or the summary's count disagrees.
  static std::optional<LatencyHistogram> from_json(const nlohmann::json& bins,
                                                   const nlohmann::json& summary);

 private:
  using Axis = boost::histogram::axis::regular<double, boost::histogram::axis::transform::log>;
  using Histogram = boost::histogram::histogram<std::tuple<Axis>, boost::histogram::dense_storage<std::uint64_t>>;
  /// The one axis: bins() log-spaced bins from kLowestNs to kHighestNs (the histogram's, and the
  /// one bin_of()'s table is built from).
  static Axis make_axis();
  Histogram hist_;
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  double sum_ = 0;
};

/// {"count","min","mean","p50","p90","p99","p999","p9999","max"}, or null when count is 0.
nlohmann::json to_json(const Summary& s);

}  // namespace pushbench
