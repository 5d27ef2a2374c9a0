// What a stream's schedule promises inside the window (loadgen/measure/expected.hpp).
#include "loadgen/measure/expected.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace pushbench::loadgen {
namespace {

constexpr std::int64_t kMs = 1'000'000;

StreamSpec every_10ms() {
  StreamSpec spec;
  spec.rate = 100;  // period 10 ms
  return spec;
}

TEST(ExpectedEvents, FirstSeqDueRoundsUpAndGoesNegativeBeforeTheStart) {
  EXPECT_EQ(first_seq_due(1000 * kMs, 10 * kMs, 1000 * kMs), 0);
  EXPECT_EQ(first_seq_due(1000 * kMs, 10 * kMs, 1000 * kMs + 1), 1);
  EXPECT_EQ(first_seq_due(1000 * kMs, 10 * kMs, 1030 * kMs), 3);
  EXPECT_EQ(first_seq_due(1000 * kMs, 10 * kMs, 975 * kMs), -2);  // seq -2 due at 980 ms
}

TEST(ExpectedEvents, CountsTheDueTimesInsideAHalfOpenWindow) {
  // Start 0, window [1 s, 2 s): seq 100 .. 199 fall due inside it.
  EXPECT_EQ(expected_in_window(every_10ms(), 0, 0, 1000 * kMs, 2000 * kMs, false), 100u);
  // A stream that starts 5 ms into the window: due at 1005, 1015, ..., 1995 ms.
  EXPECT_EQ(expected_in_window(every_10ms(), 1005 * kMs, 0, 1000 * kMs, 2000 * kMs, false), 100u);
  // Started after the window ended: nothing promised.
  EXPECT_EQ(expected_in_window(every_10ms(), 2500 * kMs, 0, 1000 * kMs, 2000 * kMs, false), 0u);
}

TEST(ExpectedEvents, AResumedStreamStartsAtItsBaseSeq) {
  // Seq 150 onwards can arrive on this connection: 150 .. 199.
  EXPECT_EQ(expected_in_window(every_10ms(), 0, 150, 1000 * kMs, 2000 * kMs, false), 50u);
}

TEST(ExpectedEvents, CountAndDurationCapTheStream) {
  StreamSpec spec = every_10ms();
  spec.count = 120;
  EXPECT_EQ(expected_in_window(spec, 0, 0, 1000 * kMs, 2000 * kMs, false), 20u);
  // Count mode: the window has no end, the count ends the stream.
  EXPECT_EQ(expected_in_window(spec, 0, 0, 1000 * kMs, std::numeric_limits<std::int64_t>::max(),
                               true),
            20u);
  StreamSpec timed = every_10ms();
  timed.duration_s = 1.5;  // seq 0 .. 149
  EXPECT_EQ(expected_in_window(timed, 0, 0, 1000 * kMs, std::numeric_limits<std::int64_t>::max(),
                               true),
            50u);
}

}  // namespace
}  // namespace pushbench::loadgen
