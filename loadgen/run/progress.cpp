#include "loadgen/run/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "loadgen/run/worker.hpp"

namespace pushbench::loadgen {

namespace {

/// `v` in [0, 999.5) with three significant digits.
std::string three_digits(double v) {
  char buf[32];
  const char* format = v < 9.995 ? "%.2f" : v < 99.95 ? "%.1f" : "%.0f";
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

/// Seconds with one decimal, or none when whole: "5", "1.5".
std::string seconds(double s) {
  char buf[32];
  const bool whole = s == static_cast<double>(static_cast<long long>(s));
  std::snprintf(buf, sizeof buf, whole ? "%.0f" : "%.1f", s);
  return buf;
}

}  // namespace

const char* phase_name(ProgressPhase phase) noexcept {
  switch (phase) {
    case ProgressPhase::warmup: return "warm-up";
    case ProgressPhase::measuring: return "measuring";
    case ProgressPhase::draining: return "draining";
  }
  return "";
}

std::string format_count(double n) {
  n = std::max(0.0, n);
  if (n < 999.5) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
  }
  static constexpr char kSuffixes[] = {'k', 'M', 'G'};
  for (std::size_t i = 0; i < sizeof kSuffixes; ++i) {
    n /= 1000;
    if (n < 999.5 || i + 1 == sizeof kSuffixes) return three_digits(n) + kSuffixes[i];
  }
  return {};
}

std::string format_latency_us(double us) {
  us = std::max(0.0, us);
  if (us < 999.5) return three_digits(us) + " us";
  if (us < 999.5e3) return three_digits(us / 1e3) + " ms";
  return three_digits(us / 1e6) + " s";
}

std::string format_progress(const ProgressSnapshot& s) {
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1f", s.elapsed_s);
  std::string text = std::string(phase_name(s.phase)) + " " + elapsed + "/" +
                     seconds(s.phase_length_s) + "s";
  if (s.phase != ProgressPhase::warmup) {
    text += "  " + format_count(s.events_per_s) + " ev/s  p99 " +
            (s.p99_us ? format_latency_us(*s.p99_us) : std::string("-"));
  }
  text += "  " + format_count(static_cast<double>(s.connections)) + " conn";
  if (s.errors > 0) text += "  " + format_count(static_cast<double>(s.errors)) + " err";
  return text;
}

bool stderr_is_tty() noexcept { return isatty(STDERR_FILENO) == 1; }

std::size_t stderr_line_columns() noexcept {
  constexpr std::size_t kMax = 100;
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) {
    // One column short of the width: a line that fills it wraps on some terminals.
    return std::min<std::size_t>(kMax, ws.ws_col - 1u);
  }
  return kMax;
}

ProgressLine::ProgressLine(std::ostream& out, bool enabled, std::size_t max_columns)
    : out_(out), enabled_(enabled), max_columns_(max_columns) {}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::draw(const std::string& text) {
  if (!enabled_) return;
  out_ << '\r' << text.substr(0, max_columns_) << "\x1b[K" << std::flush;
  drawn_ = true;
}

void ProgressLine::clear() {
  if (!enabled_ || !drawn_) return;
  out_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

ProgressReporter::ProgressReporter(const RunPlan& plan,
                                   const std::vector<std::unique_ptr<Worker>>& workers,
                                   double duration_s, ProgressFn fn)
    : plan_(plan),
      workers_(workers),
      duration_s_(duration_s),
      fn_(std::move(fn)),
      next_report_(plan.anchor.steady + kProgressInterval + kProgressInterval / 2) {}

void ProgressReporter::wait_until(SteadyClock::time_point t) {
  while (next_report_ < t) {
    std::this_thread::sleep_until(next_report_);
    report();
    advance();
  }
  std::this_thread::sleep_until(t);
}

void ProgressReporter::wait_finished() {
  std::unique_lock lock(mutex_);
  const auto all_exited = [this] { return exited_ == workers_.size(); };
  while (!exited_cv_.wait_until(lock, next_report_, all_exited)) {
    lock.unlock();
    report();
    advance();
    lock.lock();
  }
}

void ProgressReporter::worker_exited() {
  {
    std::lock_guard lock(mutex_);
    ++exited_;
  }
  exited_cv_.notify_all();
}

void ProgressReporter::advance() {
  next_report_ += kProgressInterval;
  const auto now = SteadyClock::now();
  if (next_report_ < now) next_report_ = now + kProgressInterval;
}

void ProgressReporter::report() {
  WorkerProgress total;
  for (const auto& w : workers_) w->read_progress(total);
  const std::int64_t now = plan_.anchor.realtime_ns_at(SteadyClock::now());
  ProgressSnapshot s;
  s.window_s = duration_s_;
  if (now < plan_.window_start_ns) {
    s.phase = ProgressPhase::warmup;
    s.elapsed_s = static_cast<double>(now - plan_.anchor.realtime) / 1e9;
    s.phase_length_s = static_cast<double>(plan_.window_start_ns - plan_.anchor.realtime) / 1e9;
  } else if (now < plan_.window_end_ns) {
    s.phase = ProgressPhase::measuring;
    s.elapsed_s = static_cast<double>(now - plan_.window_start_ns) / 1e9;
    s.phase_length_s = duration_s_;
  } else {
    s.phase = ProgressPhase::draining;
    s.elapsed_s = static_cast<double>(now - plan_.window_end_ns) / 1e9;
    s.phase_length_s = std::chrono::duration<double>(plan_.drain).count();
  }
  s.events = total.events;
  s.events_per_s = total.events_per_s;
  if (total.latency_corrected.count() > 0) {
    s.p99_us = total.latency_corrected.quantile_ns(0.99) / 1e3;
  }
  s.connections = total.connections;
  s.errors = total.errors;
  fn_(s);
}

}  // namespace pushbench::loadgen
