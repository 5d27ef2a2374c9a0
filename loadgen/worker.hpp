#pragma once
// One load-generator thread: its own io_context, its clients and its stats (as h2load's Worker).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "loadgen/client.hpp"

namespace pushbench::loadgen {

class Worker {
 public:
  /// Prepares `connections` clients with ids from `first_id`; at most `max_open` of them are
  /// connected at a time (0: no limit), the others wait for a free connection (browser model).
  Worker(const RunPlan& plan, std::size_t first_id, std::size_t connections,
         std::size_t max_open = 0);
  /// The thread body: connects, measures, drains, closes; returns when every client is closed.
  void run();
  /// Valid after run() returns.
  const WorkerStats& stats() const { return stats_; }

 private:
  void on_window_start();
  void on_window_end();
  void check_done();
  void finish();
  /// Starts the next waiting client when a connection slot frees up.
  void start_waiting();

  const RunPlan& plan_;
  std::size_t first_id_;  ///< id of clients_[0]; ids order a connect storm
  boost::asio::io_context ioc_{1};
  WorkerStats stats_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::size_t max_open_ = 0;      ///< connection cap of the browser model (0: none)
  std::size_t next_waiting_ = 0;  ///< index of the next client waiting for a slot
  boost::asio::steady_timer phase_timer_;
  boost::asio::steady_timer poll_timer_;
  std::int64_t busy_start_ns_ = 0;
  SteadyClock::time_point drain_deadline_;
  bool window_started_ = false;
  bool window_ended_ = false;
  bool finished_ = false;
};

}  // namespace pushbench::loadgen
