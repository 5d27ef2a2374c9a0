#include "core/measure/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace pushbench {

namespace bh = boost::histogram;

namespace {

using LogAxis = bh::axis::regular<double, bh::axis::transform::log>;

/// Where record() finds a value's bin. A slot is a binary exponent and the top kSlotBits of the
/// mantissa: 1/128 of an octave is narrower than a bin (1/35 of one), so a slot's first bin is at
/// most one bin short of the answer, and comparing with the next edge finishes it. Values within
/// a relative 1e-9 of that edge ask the axis itself, so rounding at an edge is Boost's.
class BinTable {
 public:
  static constexpr int kSlotBits = 7;

  explicit BinTable(const LogAxis& axis) : axis_(axis) {
    edges_.resize(static_cast<std::size_t>(axis.size()) + 1);
    for (int i = 0; i <= axis.size(); ++i) edges_[static_cast<std::size_t>(i)] = axis.value(i);
    first_exponent_ = std::ilogb(edges_.front());
    const int last_exponent = std::ilogb(edges_.back());
    slots_.resize(static_cast<std::size_t>(last_exponent - first_exponent_ + 1) << kSlotBits);
    for (std::size_t k = 0; k < slots_.size(); ++k) {
      const double low =
          std::ldexp(1.0 + static_cast<double>(k & ((1u << kSlotBits) - 1)) / (1u << kSlotBits),
                     first_exponent_ + static_cast<int>(k >> kSlotBits));
      const auto at = std::upper_bound(edges_.begin(), edges_.end(), low);
      slots_[k] = static_cast<std::int16_t>((at - edges_.begin()) - 1);  // -1: below the axis
    }
  }

  /// The axis's index of `x`: -1 below it, size() at or above its top.
  int index(double x) const noexcept {
    if (!(x >= edges_.front())) return -1;
    if (x >= edges_.back()) return axis_.size();
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
    const std::size_t slot =
        (static_cast<std::size_t>(exponent - first_exponent_) << kSlotBits) |
        static_cast<std::size_t>((bits >> (52 - kSlotBits)) & ((1u << kSlotBits) - 1));
    int i = std::max(0, static_cast<int>(slots_[slot]));
    while (i + 1 < axis_.size() && x >= edges_[static_cast<std::size_t>(i) + 1]) ++i;
    const double below = edges_[static_cast<std::size_t>(i)];
    const double above = edges_[static_cast<std::size_t>(i) + 1];
    if (x - below < 1e-9 * below || above - x < 1e-9 * above) return axis_.index(x);
    return i;
  }

 private:
  LogAxis axis_;
  std::vector<double> edges_;  ///< axis.value(0 .. size): every bin's lower edge, then the top
  std::vector<std::int16_t> slots_;  ///< per slot, the bin holding its lowest value
  int first_exponent_ = 0;           ///< binary exponent of slot 0 (that of the lowest edge)
};

}  // namespace

LatencyHistogram::Axis LatencyHistogram::make_axis() {
  return Axis(bins(), kLowestNs, kHighestNs);
}

LatencyHistogram::LatencyHistogram()
    : hist_(bh::make_histogram_with(bh::dense_storage<std::uint64_t>(), make_axis())) {}

int LatencyHistogram::bin_of(std::int64_t ns) noexcept {
  static const BinTable table(make_axis());  // built on first use
  return table.index(static_cast<double>(std::max<std::int64_t>(ns, 0)));
}

void LatencyHistogram::record(std::int64_t ns) noexcept {
  if (ns < 0) ns = 0;
  hist_.at(bin_of(ns)) += 1;
  if (count_ == 0) {
    min_ = max_ = ns;
  } else {
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
  }
  ++count_;
  sum_ += static_cast<double>(ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  hist_ += other.hist_;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  sum_ += other.sum_;
}

void LatencyHistogram::clear() {
  hist_.reset();
  count_ = 0;
  min_ = max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::quantile_ns(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank of the wanted value, 1-based: the smallest value whose cumulative count reaches it.
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * count_)));
  std::uint64_t seen = 0;
  const auto& axis = hist_.axis();
  for (auto&& bin : bh::indexed(hist_, bh::coverage::all)) {
    seen += *bin;
    if (seen < rank) continue;
    const int i = bin.index();
    double v;
    if (i < 0) {
      v = static_cast<double>(min_);
    } else if (i >= axis.size()) {
      v = static_cast<double>(max_);
    } else {
      v = std::sqrt(axis.value(i) * axis.value(i + 1));
    }
    return std::clamp(v, static_cast<double>(min_), static_cast<double>(max_));
  }
  return static_cast<double>(max_);
}

Summary LatencyHistogram::summary_us() const {
  Summary s;
  s.count = count_;
  if (count_ == 0) return s;
  s.min = min_ns() / 1e3;
  s.mean = mean_ns() / 1e3;
  s.p50 = quantile_ns(0.5) / 1e3;
  s.p90 = quantile_ns(0.9) / 1e3;
  s.p99 = quantile_ns(0.99) / 1e3;
  s.p999 = quantile_ns(0.999) / 1e3;
  s.p9999 = quantile_ns(0.9999) / 1e3;
  s.max = max_ns() / 1e3;
  return s;
}

nlohmann::json LatencyHistogram::bins_json() const {
  nlohmann::json bins = nlohmann::json::array();
  std::uint64_t underflow = 0, overflow = 0;
  const auto& axis = hist_.axis();
  for (auto&& bin : bh::indexed(hist_, bh::coverage::all)) {
    if (*bin == 0) continue;
    const int i = bin.index();
    if (i < 0) {
      underflow += *bin;
    } else if (i >= axis.size()) {
      overflow += *bin;
    } else {
      bins.push_back({axis.value(i), axis.value(i + 1), *bin});
    }
  }
  return {{"unit", "ns"},       {"lowest", kLowestNs},   {"highest", kHighestNs},
          {"bins_per_decade", kBinsPerDecade},          {"bins", bins},
          {"underflow", underflow}, {"overflow", overflow}};
}

std::optional<LatencyHistogram> LatencyHistogram::from_json(const nlohmann::json& bins,
                                                            const nlohmann::json& summary) {
  const auto same = [](double a, double b) { return std::fabs(a - b) <= 1e-9 * std::fabs(b); };
  try {
    if (!bins.is_object() || bins.at("unit") != "ns" ||
        !same(bins.at("lowest").get<double>(), kLowestNs) ||
        !same(bins.at("highest").get<double>(), kHighestNs) ||
        bins.value("bins_per_decade", kBinsPerDecade) != kBinsPerDecade) {
      return std::nullopt;
    }
    LatencyHistogram h;
    const auto& axis = h.hist_.axis();
    std::uint64_t total = 0;
    for (const auto& b : bins.at("bins")) {
      const double lo = b.at(0).get<double>(), hi = b.at(1).get<double>();
      const auto n = b.at(2).get<std::uint64_t>();
      if (!(lo > 0) || !(hi > lo)) return std::nullopt;
      const int i = axis.index(std::sqrt(lo * hi));
      if (i < 0 || i >= axis.size() || !same(lo, axis.value(i)) || !same(hi, axis.value(i + 1))) {
        return std::nullopt;
      }
      h.hist_.at(i) += n;
      total += n;
    }
    const auto under = bins.at("underflow").get<std::uint64_t>();
    const auto over = bins.at("overflow").get<std::uint64_t>();
    h.hist_.at(-1) += under;
    h.hist_.at(axis.size()) += over;
    total += under + over;
    if (summary.is_null()) {
      if (total != 0) return std::nullopt;
      return h;
    }
    h.count_ = summary.at("count").get<std::uint64_t>();
    if (h.count_ != total) return std::nullopt;
    h.min_ = std::llround(summary.at("min").get<double>() * 1e3);
    h.max_ = std::llround(summary.at("max").get<double>() * 1e3);
    h.sum_ = summary.at("mean").get<double>() * 1e3 * static_cast<double>(h.count_);
    return h;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

nlohmann::json to_json(const Summary& s) {
  if (s.count == 0) return nullptr;
  return {{"count", s.count}, {"min", s.min},   {"mean", s.mean},   {"p50", s.p50}, {"p90", s.p90},
          {"p99", s.p99},     {"p999", s.p999}, {"p9999", s.p9999}, {"max", s.max}};
}

}  // namespace pushbench
