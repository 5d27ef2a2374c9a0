#include "core/measure/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace pushbench {

namespace bh = boost::histogram;

LatencyHistogram::LatencyHistogram()
    : hist_(bh::make_histogram_with(bh::dense_storage<std::uint64_t>(),
                                    Axis(8 * kBinsPerDecade, kLowestNs, kHighestNs))) {}

void LatencyHistogram::record(std::int64_t ns) noexcept {
  if (ns < 0) ns = 0;
  hist_(static_cast<double>(ns));
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
