// Reconnects (loadgen/run): the resume workload's side of one client: when a lost connection is
// reopened, the jittered wait, and the recovery time and counters it reports.
#include "loadgen/run/reconnects.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

namespace pushbench::loadgen {
namespace {

using namespace std::chrono_literals;

RunPlan resume_plan() {
  RunPlan plan;
  plan.resume = true;
  plan.reconnect_delay = std::chrono::milliseconds(1000);
  plan.window_start_ns = realtime_ns() - 1'000'000'000;
  plan.window_end_ns = realtime_ns() + 60'000'000'000;
  return plan;
}

TEST(Reconnects, WaitsTheServersRetryOrTheDelayWithinHalfAndOneAndAHalfTimes) {
  const RunPlan plan = resume_plan();
  WorkerStats stats;
  std::set<std::int64_t> waits;
  for (std::uint64_t id = 0; id < 50; ++id) {
    Reconnects r(plan, stats, id);
    for (std::uint64_t attempt = 1; attempt <= 4; ++attempt) {
      const auto wait = r.begin(std::nullopt, attempt);
      EXPECT_GE(wait, 500ms) << id << " " << attempt;
      EXPECT_LT(wait, 1500ms) << id << " " << attempt;
      waits.insert(wait.count());
      const auto retry = r.begin(200, attempt);
      EXPECT_GE(retry, 100ms);
      EXPECT_LT(retry, 300ms);
      // Fixed by client and attempt: the same run gives the same waits.
      EXPECT_EQ(Reconnects(plan, stats, id).begin(std::nullopt, attempt), wait);
    }
  }
  // Spread, not in lockstep: 200 (client, attempt) pairs fall on many different waits.
  EXPECT_GT(waits.size(), 150u);
  EXPECT_EQ(stats.reconnects, 50u * 4 * 3);
}

TEST(Reconnects, TheJitterIsTheFormulaEarlierRunsUsed) {
  // Values of the hash reports have been made with since the resume workload landed (client id,
  // attempt): a change to it changes every resume run's schedule and must be deliberate.
  const RunPlan plan = resume_plan();
  WorkerStats stats;
  EXPECT_EQ(Reconnects(plan, stats, 0).begin(std::nullopt, 1), 600ms);
  EXPECT_EQ(Reconnects(plan, stats, 3).begin(std::nullopt, 2), 509ms);
  EXPECT_EQ(Reconnects(plan, stats, 41).begin(std::nullopt, 7), 667ms);
}

TEST(Reconnects, NoReconnectWhenStoppingOrOnceTheWindowEnded) {
  RunPlan plan = resume_plan();
  WorkerStats stats;
  Reconnects r(plan, stats, 0);
  EXPECT_TRUE(r.may_reconnect(false));
  EXPECT_FALSE(r.may_reconnect(true));
  plan.window_end_ns = realtime_ns() - 1;
  EXPECT_FALSE(r.may_reconnect(false));
  plan.count_mode = true;  // counted streams reconnect until they end
  EXPECT_TRUE(r.may_reconnect(false));
  EXPECT_FALSE(r.may_reconnect(true));
}

TEST(Reconnects, CountsLossesByKindAndTimesTheRecoveryToTheFirstEvent) {
  const RunPlan plan = resume_plan();
  WorkerStats stats;
  Reconnects r(plan, stats, 7);
  r.on_event();  // no reconnect yet: nothing to time
  EXPECT_EQ(stats.resume_recovery.count(), 0u);
  r.count_loss("unexpected_eof");
  r.count_loss("unexpected_eof");
  r.count_loss("server_closed");
  EXPECT_EQ(stats.disconnects["unexpected_eof"], 2u);
  EXPECT_EQ(stats.disconnects["server_closed"], 1u);
  r.begin(std::nullopt, 1);
  std::this_thread::sleep_for(20ms);
  r.on_event();
  r.on_event();  // the second event after it is not a recovery
  ASSERT_EQ(stats.resume_recovery.count(), 1u);
  EXPECT_GE(stats.resume_recovery.max_ns(), 20e6);
  EXPECT_EQ(stats.reconnects, 1u);
}

}  // namespace
}  // namespace pushbench::loadgen
