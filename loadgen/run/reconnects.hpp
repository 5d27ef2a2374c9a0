#pragma once
// The resume workload's side of one client (--resume): whether a lost connection is reopened,
// after how long, and how long the stream took to recover. Losses are counted as disconnects,
// by kind, apart from errors: the server drops connections on purpose in this workload.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/base/clock.hpp"
#include "loadgen/measure/stats.hpp"
#include "loadgen/run/plan.hpp"

namespace pushbench::loadgen {

class Reconnects {
 public:
  /// For client `client_id` of `plan` (which must ask for resume), counting into `stats`.
  Reconnects(const RunPlan& plan, WorkerStats& stats, std::uint64_t client_id);
  /// A lost connection is reopened: the run is still on (in count mode, until the streams end)
  /// and the client is not `stopping`.
  bool may_reconnect(bool stopping) const;
  /// Counts a lost connection under `kind` (what ended it).
  void count_loss(const std::string& kind);
  /// A reconnect begins; `attempt` counts the attempts so far (1 for the first reconnect).
  /// Counts it, starts timing the recovery and returns the wait before connecting: the server's
  /// `retry:` (`retry_ms`) or --reconnect-ms, times a jitter in [0.5, 1.5) fixed by client and
  /// attempt, so that dropped clients do not reconnect in lockstep.
  std::chrono::microseconds begin(std::optional<std::uint64_t> retry_ms, std::uint64_t attempt);
  /// An event arrived: the first since a reconnect began records the recovery time.
  void on_event();

 private:
  const RunPlan& plan_;
  WorkerStats& stats_;
  std::uint64_t id_;                                         ///< the client's id
  std::optional<SteadyClock::time_point> recovering_since_;  ///< disconnected, no event since
};

}  // namespace pushbench::loadgen
