#include "loadgen/measure/expected.hpp"

#include <algorithm>
#include <limits>

namespace pushbench::loadgen {

namespace {

/// Ceiling of a / b for b > 0, any sign of a.
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

}  // namespace

std::int64_t first_seq_due(std::int64_t start_ns, std::int64_t period_ns, std::int64_t t_ns) {
  return ceil_div(t_ns - start_ns, period_ns);
}

std::uint64_t expected_in_window(const StreamSpec& spec, std::int64_t start_ns,
                                 std::uint64_t base_seq, std::int64_t window_start_ns,
                                 std::int64_t window_end_ns, bool count_mode) {
  const std::int64_t period = spec.period_ns();
  std::int64_t lo = std::max<std::int64_t>(static_cast<std::int64_t>(base_seq),
                                           first_seq_due(start_ns, period, window_start_ns));
  std::int64_t hi = count_mode ? std::numeric_limits<std::int64_t>::max()
                               : first_seq_due(start_ns, period, window_end_ns);
  if (spec.count) hi = std::min(hi, static_cast<std::int64_t>(*spec.count));
  if (spec.duration_s) {
    hi = std::min(hi, ceil_div(static_cast<std::int64_t>(*spec.duration_s * 1e9), period));
  }
  lo = std::max<std::int64_t>(lo, 0);
  return hi > lo ? static_cast<std::uint64_t>(hi - lo) : 0;
}

}  // namespace pushbench::loadgen
