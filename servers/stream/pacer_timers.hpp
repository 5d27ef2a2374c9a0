#pragma once
// One timer per server thread for all of its paced streams: a min-heap of due times and one
// timerfd armed at the earliest. A waiting stream holds a heap slot (16 bytes) and an index
// instead of a timer object and a pending wait operation of its own (about 170 bytes).
//
// The timerfd is the thread's own (absolute CLOCK_MONOTONIC), waited on with async_wait, rather
// than an Asio timer: when an Asio timer expires, Asio re-arms its reactor's timerfd for the next
// timer (a timerfd_settime) before the handler runs, which puts a system call, and on a virtual
// machine a timer reprogramming, between the wake-up and the event's send. Here the re-arm comes
// after the due clients have run.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace pushbench::server {

class PacerTimers;

/// What a PacerTimers entry wakes; armed at most once at a time.
class TimerClient {
 public:
  TimerClient() = default;
  TimerClient(const TimerClient&) = delete;  ///< its heap slot points at this object
  TimerClient& operator=(const TimerClient&) = delete;
  /// The due time was reached; the entry is no longer armed. Runs on the timers' thread.
  virtual void on_due() = 0;

 protected:
  /// Disarms itself first.
  ~TimerClient();

 private:
  friend class PacerTimers;
  static constexpr std::size_t kUnarmed = std::numeric_limits<std::size_t>::max();
  PacerTimers* timers_ = nullptr;  ///< where it is armed, null when unarmed
  std::size_t slot_ = kUnarmed;    ///< its index in the heap
};

class PacerTimers {
 public:
  using Clock = std::chrono::steady_clock;
  /// `ioc` may be constructed later: open() registers the timer with it. Throws
  /// std::system_error when no timerfd can be made (no file descriptor left).
  explicit PacerTimers(boost::asio::io_context& ioc);
  /// Leaves the clients still armed unarmed; closes the timerfd unless open() took it.
  ~PacerTimers();
  /// Registers the timerfd with the io_context (once; arm() does it if needed). Throws
  /// std::system_error when the reactor refuses it, so that a server thread fails at its start
  /// (ThreadContext opens it there) rather than in a handler.
  void open();
  PacerTimers(const PacerTimers&) = delete;
  PacerTimers& operator=(const PacerTimers&) = delete;
  /// Wakes `client` at `due` (replacing a time it was armed for).
  void arm(TimerClient& client, Clock::time_point due);
  /// Disarms `client`; no effect when unarmed. The timer stays set for the old instant
  /// (one wake-up with nothing due when `client` was the earliest), which is cheaper than
  /// moving it for streams that end.
  void cancel(TimerClient& client);
  /// Before the io_context goes: closes the timer; arming still records, nothing wakes.
  void shutdown();
  /// Entries armed.
  std::size_t size() const { return heap_.size(); }

 private:
  /// A heap slot: a due time (steady-clock ns) and who waits for it.
  struct Slot {
    std::int64_t due_ns;  ///< when
    TimerClient* client;  ///< who (its slot_ is this slot's index)
  };
  using Timer = boost::asio::posix::basic_stream_descriptor<boost::asio::io_context::executor_type>;
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

  /// Wakes every client due by now, then re-arms for the earliest left.
  void on_timer();
  /// Arms the timerfd for the heap's top, unless it is already armed for that instant, and
  /// waits for it unless a wait is pending.
  void rearm();
  void place(std::size_t i, Slot s);
  void sift_up(std::size_t i, Slot s);
  void sift_down(std::size_t i, Slot s);
  void remove(std::size_t i);

  boost::asio::io_context& ioc_;
  std::vector<Slot> heap_;
  std::vector<TimerClient*> waking_;  ///< on_timer()'s due clients; null once cancelled
  int fd_ = -1;                       ///< the timerfd until open() hands it to timer_
  std::unique_ptr<Timer> timer_;      ///< made by open(); null after shutdown()
  std::int64_t armed_ns_ = kNever;    ///< the instant the timerfd is set for; kNever when idle
  bool waiting_ = false;              ///< an async_wait on timer_ is pending
  bool waking_now_ = false;           ///< on_timer() is waking clients (it re-arms after)
  bool shut_ = false;                 ///< shutdown() was called
};

}  // namespace pushbench::server
