// SlowReader (loadgen/run): the slow-consumer workload's token bucket of one connection.
#include "loadgen/run/slow_reader.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace pushbench::loadgen {
namespace {

using namespace std::chrono_literals;

TEST(SlowReader, ReadsATwentiethOfASecondAtATimeButNoLessThan512Bytes) {
  EXPECT_EQ(SlowReader(16384).max_read(), 819u);
  EXPECT_EQ(SlowReader(1e6).max_read(), 50000u);
  EXPECT_EQ(SlowReader(1000).max_read(), 512u);
}

TEST(SlowReader, PausesLongEnoughToKeepItsRate) {
  SlowReader slow(16384);
  EXPECT_EQ(slow.pause_after(16384), 1s);
  EXPECT_EQ(slow.pause_after(512), 31250us);
  EXPECT_EQ(slow.pause_after(0), 0ns);
  // 10 reads of max_read() bytes take max_read() * 10 / rate seconds of pauses in all.
  SlowReader r(20000);
  std::chrono::nanoseconds total{0};
  for (int i = 0; i < 10; ++i) total += r.pause_after(r.max_read());
  EXPECT_EQ(total, 500ms);
}

}  // namespace
}  // namespace pushbench::loadgen
