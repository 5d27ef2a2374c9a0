#pragma once
// Clocks used by the wire contract and the pacing logic.
//
// The wire contract timestamps (`ts`, `st`) are CLOCK_REALTIME nanoseconds since the Unix epoch, so a
// server and a load generator on the same host read the same clock. Pacing and timeouts use the
// monotonic clock; realtime_ns_at() maps a monotonic instant to the realtime axis.
#include <chrono>
#include <cstdint>
#include <ctime>

namespace pushbench {

using SteadyClock = std::chrono::steady_clock;

/// Nanoseconds since the Unix epoch from CLOCK_REALTIME.
inline std::int64_t realtime_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// CPU time consumed by the calling thread, in nanoseconds.
inline std::int64_t thread_cpu_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// CPU time consumed by the whole process (all threads), in nanoseconds.
inline std::int64_t process_cpu_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// A pair of readings of both clocks taken together, to convert between them.
struct ClockAnchor {
  SteadyClock::time_point steady;  ///< monotonic reading
  std::int64_t realtime;           ///< CLOCK_REALTIME reading taken right after `steady`

  static ClockAnchor now() noexcept { return {SteadyClock::now(), realtime_ns()}; }

  /// The realtime nanoseconds corresponding to monotonic instant `t`.
  std::int64_t realtime_ns_at(SteadyClock::time_point t) const noexcept {
    return realtime + std::chrono::duration_cast<std::chrono::nanoseconds>(t - steady).count();
  }
  /// The monotonic instant corresponding to realtime nanoseconds `rt`.
  SteadyClock::time_point steady_at(std::int64_t rt) const noexcept {
    return steady + std::chrono::nanoseconds(rt - realtime);
  }
};

}  // namespace pushbench
