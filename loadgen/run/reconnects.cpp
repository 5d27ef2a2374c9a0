#include "loadgen/run/reconnects.hpp"

namespace pushbench::loadgen {

Reconnects::Reconnects(const RunPlan& plan, WorkerStats& stats, std::uint64_t client_id)
    : plan_(plan), stats_(stats), id_(client_id) {}

bool Reconnects::may_reconnect(bool stopping) const {
  return !stopping && (plan_.count_mode || realtime_ns() < plan_.window_end_ns);
}

void Reconnects::count_loss(const std::string& kind) {
  ++stats_.disconnects[kind];
}

std::chrono::microseconds Reconnects::begin(std::optional<std::uint64_t> retry_ms,
                                            std::uint64_t attempt) {
  ++stats_.reconnects;
  recovering_since_ = SteadyClock::now();
  const auto delay_ms = static_cast<double>(
      retry_ms.value_or(static_cast<std::uint64_t>(plan_.reconnect_delay.count())));
  std::uint64_t x = (id_ + 1) * 0x9E3779B97F4A7C15ull ^ attempt * 0xBF58476D1CE4E5B9ull;
  x ^= x >> 31;
  const double jitter = 0.5 + static_cast<double>(x % 1000) / 1000.0;
  return std::chrono::microseconds(static_cast<std::int64_t>(delay_ms * jitter * 1000));
}

void Reconnects::on_event() {
  if (!recovering_since_) return;
  stats_.resume_recovery.record(
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - *recovering_since_)
          .count());
  recovering_since_.reset();
}

}  // namespace pushbench::loadgen
