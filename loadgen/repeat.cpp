#include "loadgen/repeat.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "loadgen/compare.hpp"

namespace pushbench::loadgen {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double hi = v[mid];
  if (v.size() % 2) return hi;
  return (hi + *std::max_element(v.begin(), v.begin() + mid)) / 2;
}

double median_absolute_deviation(const std::vector<double>& v) {
  const double m = median(v);
  std::vector<double> dev;
  dev.reserve(v.size());
  for (double x : v) dev.push_back(std::fabs(x - m));
  return median(dev);
}

nlohmann::json summarize_repetitions(const std::vector<nlohmann::json>& runs) {
  if (runs.empty()) throw std::invalid_argument("summarize_repetitions: no runs");
  if (runs.size() == 1) return runs.front();
  // The representative: the run closest to the median of the key figure.
  const char* key = "latency_us.corrected.p99";
  if (!number_at(runs.front(), key)) key = "throughput.events_per_s";
  std::vector<double> keys;
  for (const auto& r : runs) keys.push_back(number_at(r, key).value_or(0));
  const double key_median = median(keys);
  std::size_t representative = 0;
  for (std::size_t i = 1; i < runs.size(); ++i) {
    if (std::fabs(keys[i] - key_median) < std::fabs(keys[representative] - key_median)) {
      representative = i;
    }
  }
  nlohmann::json reps = {{"runs", runs.size()}, {"representative_run", representative}};
  for (const auto& fig : compared_figures()) {
    std::vector<double> values;
    for (const auto& r : runs) {
      if (auto v = number_at(r, fig.path)) values.push_back(*v);
    }
    if (values.empty()) continue;
    reps[fig.path] = {{"median", median(values)},
                      {"mad", median_absolute_deviation(values)},
                      {"values", values}};
  }
  nlohmann::json out = runs[representative];
  out["repetitions"] = std::move(reps);
  return out;
}

}  // namespace pushbench::loadgen
