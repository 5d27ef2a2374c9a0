#include "servers/stream/pacer_timers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace pushbench::server {
namespace {

using Clock = PacerTimers::Clock;
using std::chrono::milliseconds;

/// Records its wake-ups in a shared log and runs `then` on each.
class Probe final : public TimerClient {
 public:
  Probe(int id, std::vector<int>& log) : id_(id), log_(log) {}
  ~Probe() = default;
  std::function<void()> then;  ///< run after logging, on every wake-up

 private:
  void on_due() override {
    log_.push_back(id_);
    if (then) then();
  }
  int id_;
  std::vector<int>& log_;
};

/// Runs `ioc` until `log` has `n` entries or a second passed.
void run_until(boost::asio::io_context& ioc, const std::vector<int>& log, std::size_t n) {
  const auto deadline = Clock::now() + std::chrono::seconds(1);
  while (log.size() < n && Clock::now() < deadline) {
    ioc.run_for(milliseconds(5));
    ioc.restart();
  }
}

TEST(PacerTimers, WakesEveryClientInDueOrderOnce) {
  boost::asio::io_context ioc;
  PacerTimers timers(ioc);
  std::vector<int> log;
  std::vector<std::unique_ptr<Probe>> probes;
  std::mt19937 rng(7);
  const auto base = Clock::now();
  std::vector<std::pair<int, int>> due;  // (ms, id)
  for (int i = 0; i < 200; ++i) {
    probes.push_back(std::make_unique<Probe>(i, log));
    due.emplace_back(static_cast<int>(rng() % 40), i);
  }
  // Armed twice: the second time replaces the first.
  for (auto [ms, id] : due) timers.arm(*probes[id], base + milliseconds(1000));
  for (auto [ms, id] : due) timers.arm(*probes[id], base + milliseconds(ms));
  EXPECT_EQ(timers.size(), 200u);
  run_until(ioc, log, 200);
  ASSERT_EQ(log.size(), 200u);
  std::vector<int> when;
  for (int id : log) when.push_back(due[id].first);
  EXPECT_TRUE(std::is_sorted(when.begin(), when.end())) << "woken in due order";
  EXPECT_EQ(timers.size(), 0u);
  ioc.run_for(milliseconds(30));
  EXPECT_EQ(log.size(), 200u) << "nobody twice";
}

TEST(PacerTimers, ACancelledOrDestroyedClientIsNotWoken) {
  boost::asio::io_context ioc;
  PacerTimers timers(ioc);
  std::vector<int> log;
  auto a = std::make_unique<Probe>(1, log), b = std::make_unique<Probe>(2, log);
  Probe c(3, log), d(4, log);
  const auto now = Clock::now();
  timers.arm(*a, now);
  timers.arm(*b, now);
  timers.arm(c, now);
  timers.arm(d, now + milliseconds(2));
  timers.cancel(c);
  timers.cancel(c);  // twice: no effect
  // Whichever of a and b wakes first destroys the other (one stream's drop ends its
  // connection's other streams in the same wake-up).
  a->then = [&] { b.reset(); };
  b->then = [&] { a.reset(); };
  run_until(ioc, log, 2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(log[0] == 1 || log[0] == 2);
  EXPECT_EQ(log[1], 4);
  EXPECT_EQ(timers.size(), 0u);
}

TEST(PacerTimers, AClientReArmedInThePastWaitsForTheNextTurnOfTheLoop) {
  boost::asio::io_context ioc;
  PacerTimers timers(ioc);
  std::vector<int> log;
  Probe busy(1, log);
  int io_turns = 0;
  int wakes = 0;
  busy.then = [&] {
    if (++wakes < 5) timers.arm(busy, Clock::now() - milliseconds(1));
  };
  // Other work of the same loop (I/O completions) runs between the client's wake-ups.
  std::function<void()> io = [&] {
    ++io_turns;
    if (wakes < 5) boost::asio::post(ioc, io);
  };
  boost::asio::post(ioc, io);
  timers.arm(busy, Clock::now());
  run_until(ioc, log, 5);
  EXPECT_EQ(wakes, 5);
  EXPECT_GE(io_turns, 4) << "the loop turned between wake-ups";
}

TEST(PacerTimers, NeverWakesAClientBeforeItsDueTime) {
  boost::asio::io_context ioc;
  PacerTimers timers(ioc);
  std::vector<int> log;
  std::vector<std::unique_ptr<Probe>> probes;
  std::vector<Clock::time_point> due, woken(100);
  std::mt19937 rng(11);
  const auto base = Clock::now();
  for (int i = 0; i < 100; ++i) {
    probes.push_back(std::make_unique<Probe>(i, log));
    due.push_back(base + std::chrono::microseconds(rng() % 20000));
    probes.back()->then = [&woken, i] { woken[i] = Clock::now(); };
    timers.arm(*probes.back(), due.back());
  }
  run_until(ioc, log, 100);
  ASSERT_EQ(log.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_GE(woken[i], due[i]) << "client " << i << " woke early";
}

TEST(PacerTimers, WakesAgainAfterItsQueueEmptied) {
  boost::asio::io_context ioc;
  PacerTimers timers(ioc);
  std::vector<int> log;
  Probe p(1, log);
  for (std::size_t round = 1; round <= 3; ++round) {
    timers.arm(p, Clock::now() + milliseconds(2));
    run_until(ioc, log, round);
    ASSERT_EQ(log.size(), round) << "round " << round;
    std::this_thread::sleep_for(milliseconds(5));  // idle, nothing armed
    ioc.restart();
    ioc.poll();
    EXPECT_EQ(log.size(), round) << "no wake-up while nothing is armed";
  }
}

TEST(PacerTimers, AnEarlierClientMovesTheWakeUpForward) {
  boost::asio::io_context ioc;
  PacerTimers timers(ioc);
  std::vector<int> log;
  Probe late(1, log), early(2, log);
  const auto start = Clock::now();
  timers.arm(late, start + std::chrono::seconds(30));
  ioc.run_for(milliseconds(2));  // the wait for the late one is pending
  ioc.restart();
  timers.arm(early, Clock::now() + milliseconds(3));
  run_until(ioc, log, 1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], 2);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(timers.size(), 1u) << "the late one still waits";
}

// Cancelling the earliest client leaves the timer set for its instant: that wake-up finds
// nothing due, and the timer must be set again for the next client, not left expired.
TEST(PacerTimers, AWakeUpWithNothingDueWaitsForTheNextClient) {
  boost::asio::io_context ioc;
  PacerTimers timers(ioc);
  std::vector<int> log;
  Probe first(1, log), second(2, log);
  const auto start = Clock::now();
  timers.arm(first, start + milliseconds(3));
  timers.arm(second, start + milliseconds(20));
  timers.cancel(first);
  ioc.run_for(milliseconds(10));  // past the cancelled instant
  ioc.restart();
  EXPECT_TRUE(log.empty()) << "nothing was due at 3 ms";
  run_until(ioc, log, 1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], 2);
  EXPECT_GE(Clock::now() - start, milliseconds(20));
}

// A timer set for an instant already past wakes at once, as an Asio timer would; so does the
// clock's epoch (a zero timerfd instant would disarm it instead).
TEST(PacerTimers, AnInstantInThePastWakesAtOnce) {
  for (const Clock::time_point due :
       {Clock::now() - std::chrono::seconds(1), Clock::time_point{}}) {
    boost::asio::io_context ioc;
    PacerTimers timers(ioc);
    std::vector<int> log;
    Probe p(1, log);
    const auto start = Clock::now();
    timers.arm(p, due);
    run_until(ioc, log, 1);
    EXPECT_EQ(log.size(), 1u);
    EXPECT_LT(Clock::now() - start, milliseconds(500)) << "woken at once, not at a later tick";
  }
}

TEST(PacerTimers, AfterShutdownArmingRecordsAndNothingWakes) {
  std::vector<int> log;
  Probe p(1, log);
  {
    boost::asio::io_context ioc;
    PacerTimers timers(ioc);
    timers.arm(p, Clock::now());
    timers.shutdown();
    timers.arm(p, Clock::now());
    ioc.run_for(milliseconds(10));
    EXPECT_TRUE(log.empty());
    EXPECT_EQ(timers.size(), 1u);
  }
  // The timers are gone and p, still armed there, was left unarmed: its destructor is safe.
  SUCCEED();
}

}  // namespace
}  // namespace pushbench::server
