#pragma once
// One load-generator thread: its own io_context, its clients and its stats (as h2load's Worker).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "loadgen/run/client.hpp"

namespace pushbench::loadgen {

/// A worker's figures as of its last progress publication (see RunPlan::progress).
struct WorkerProgress {
  std::uint64_t events = 0;            ///< in-window unique events
  double events_per_s = 0;             ///< in-window unique events per second since the previous
                                       ///< publication
  std::uint64_t connections = 0;       ///< connections established
  std::uint64_t errors = 0;            ///< errors, all kinds
  LatencyHistogram latency_corrected;  ///< in-window corrected latency
};

class Worker {
 public:
  /// Prepares `connections` clients with ids from `first_id`; at most `max_open` of them are
  /// connected at a time (0: no limit), the others wait for a free connection (browser model).
  Worker(const RunPlan& plan, std::size_t first_id, std::size_t connections,
         std::size_t max_open = 0);
  /// The thread body: connects, measures, drains, closes; returns when every client is closed.
  /// With RunPlan::busy_poll the thread never sleeps: it polls its io_context (epoll_wait with
  /// a zero timeout) until the run ends, and its busy share counts only the polls that ran a
  /// handler.
  void run();
  /// Valid after run() returns.
  const WorkerStats& stats() const { return stats_; }
  /// Thread-safe. Adds the last published progress to `total` (its events_per_s counts only
  /// while this worker runs). Nothing is published unless RunPlan::progress is set.
  void read_progress(WorkerProgress& total) const;
  /// Thread-safe. True once run() has returned.
  bool exited() const noexcept { return exited_.load(std::memory_order_acquire); }

 private:
  /// Busy-poll loop: returns when the io_context has stopped (no work left).
  void spin();
  /// What the busy share counts: thread CPU time, or under busy-poll the time in polls that ran
  /// a handler.
  std::int64_t busy_clock_ns() const;
  void on_window_start();
  void on_window_end();
  /// Ends the run when every client is done (done_now) or the drain deadline has passed;
  /// called once from run(), then on a client's change (post_check), at the window's end and
  /// at the deadline.
  void check_done();
  /// Runs check_done() once after the handler under way (a client's change notification comes
  /// from inside its own handlers, where it must not be stopped); several requests make one.
  void post_check();
  /// True when `c` lets the run end: closed while the run holds its connections, else done().
  bool done_now(const Client& c) const;
  /// The run ends at `at` at the latest.
  void arm_deadline(SteadyClock::time_point at);
  void finish();
  /// Starts the next waiting client when a connection slot frees up.
  void start_waiting();
  /// Copies the figures into progress_ and re-arms progress_timer_.
  void publish_progress();

  const RunPlan& plan_;
  std::size_t first_id_;  ///< id of clients_[0]; ids order a connect storm
  boost::asio::io_context ioc_{1};
  WorkerStats stats_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::size_t max_open_ = 0;      ///< connection cap of the browser model (0: none)
  std::size_t next_waiting_ = 0;  ///< index of the next client waiting for a slot
  boost::asio::steady_timer phase_timer_;
  boost::asio::steady_timer deadline_timer_;  ///< fires at drain_deadline_
  std::size_t scan_from_ = 0;                 ///< clients before it were done (check_done)
  bool check_posted_ = false;                 ///< a check_done() is posted (post_check)
  std::int64_t busy_start_ns_ = 0;            ///< busy_clock_ns() at the window's start
  std::int64_t poll_work_ns_ = 0;  ///< busy-poll: time in polls that ran a handler, so far
  SteadyClock::time_point drain_deadline_;
  bool window_started_ = false;
  bool window_ended_ = false;
  bool finished_ = false;
  // Progress publication: written by this worker's thread every kProgressInterval, read by
  // run_load's thread; the only state the two threads share while the run is under way.
  boost::asio::steady_timer progress_timer_;
  SteadyClock::time_point progress_at_;  ///< time of the previous publication
  mutable std::mutex progress_mutex_;
  WorkerProgress progress_;              ///< guarded by progress_mutex_
  std::atomic<bool> exited_{false};
};

}  // namespace pushbench::loadgen
