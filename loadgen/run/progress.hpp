#pragma once
// Live progress of a load run: the snapshot the main thread merges from the workers' published
// figures, its text, and a single self-overwriting terminal line to show it on.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/base/clock.hpp"

namespace pushbench::loadgen {

class Worker;
struct RunPlan;

/// The phase a load run is in.
enum class ProgressPhase { warmup, measuring, draining };

/// "warm-up", "measuring" or "draining".
const char* phase_name(ProgressPhase phase) noexcept;

/// A load run's figures so far, summed over its workers.
struct ProgressSnapshot {
  ProgressPhase phase = ProgressPhase::warmup;  ///< where the run is
  double elapsed_s = 0;          ///< seconds since the phase began
  double phase_length_s = 0;     ///< planned length of the phase: warm-up, window (a cap in
                                 ///< count mode), or the drain's cap
  double window_s = 0;           ///< planned measurement window (a cap in count mode)
  std::uint64_t events = 0;      ///< unique in-window events so far
  double events_per_s = 0;       ///< unique in-window events per second over the last interval
  std::optional<double> p99_us;  ///< corrected latency p99 so far in the window (none before the
                                 ///< first in-window event)
  std::uint64_t connections = 0; ///< connections established so far
  std::uint64_t errors = 0;      ///< errors so far, all kinds
};

/// Called with each snapshot, on run_load's calling thread.
using ProgressFn = std::function<void(const ProgressSnapshot&)>;

/// How often workers publish and the reporter wakes.
inline constexpr std::chrono::milliseconds kProgressInterval{250};

/// A count with three significant digits and a k/M/G suffix: "950", "1.23k", "10.1k", "123k",
/// "1.50M".
std::string format_count(double n);
/// A latency given in microseconds, three significant digits in us, ms or s: "850 us", "1.07 ms",
/// "2.50 s".
std::string format_latency_us(double us);
/// The snapshot as one line without a prefix, e.g.
/// "measuring 3.2/5s  10.1k ev/s  p99 1.07 ms  100 conn" (plus "  3 err" when errors occurred).
std::string format_progress(const ProgressSnapshot& s);

/// True when stderr is a terminal.
bool stderr_is_tty() noexcept;
/// Columns a progress line on stderr may use: 100, or fewer on a narrower terminal.
std::size_t stderr_line_columns() noexcept;

/// One terminal line rewritten in place. Draws nothing unless enabled.
class ProgressLine {
 public:
  /// Draws on `out` when `enabled`, truncating text to `max_columns` characters.
  ProgressLine(std::ostream& out, bool enabled, std::size_t max_columns = 100);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  /// Clears a line still drawn.
  ~ProgressLine();

  bool enabled() const noexcept { return enabled_; }
  /// Replaces the line with `text`: writes "\r" + text + "\x1b[K" and flushes.
  void draw(const std::string& text);
  /// Erases the drawn line ("\r\x1b[K") so other output starts at column 0; writes nothing when
  /// no line is drawn.
  void clear();

 private:
  std::ostream& out_;
  bool enabled_;
  std::size_t max_columns_;
  bool drawn_ = false;
};

/// run_load's main thread while a run with progress is under way: sleeps in steps of
/// kProgressInterval, and at each step merges the workers' published figures into a snapshot
/// and calls the callback. Workers publish on a grid of kProgressInterval from the run's start;
/// the reporter wakes half an interval after each publication.
class ProgressReporter {
 public:
  /// `workers` must outlive the reporter; `duration_s` is the planned measurement window.
  ProgressReporter(const RunPlan& plan, const std::vector<std::unique_ptr<Worker>>& workers,
                   double duration_s, ProgressFn fn);
  /// Returns at `t` (no earlier, no later than a sleep_until would), reporting on the way.
  void wait_until(SteadyClock::time_point t);
  /// Returns as soon as worker_exited() has been called once per worker, reporting on the way.
  void wait_finished();
  /// Thread-safe: each worker thread calls it once, after its run() returns.
  void worker_exited();

 private:
  /// Merges the workers' published figures and calls fn_.
  void report();
  /// Moves next_report_ one interval on, or past now when reporting fell behind.
  void advance();

  const RunPlan& plan_;
  const std::vector<std::unique_ptr<Worker>>& workers_;
  double duration_s_;
  ProgressFn fn_;
  SteadyClock::time_point next_report_;
  std::mutex mutex_;
  std::condition_variable exited_cv_;
  std::size_t exited_ = 0;  ///< workers whose run() returned; guarded by mutex_
};

}  // namespace pushbench::loadgen
