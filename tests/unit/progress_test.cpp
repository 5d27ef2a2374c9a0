#include "loadgen/run/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace pushbench::loadgen;

TEST(ProgressLine, DrawsCarriageReturnTextAndClearToEol) {
  std::ostringstream out;
  ProgressLine line(out, true);
  line.draw("hello");
  EXPECT_EQ(out.str(), "\rhello\x1b[K");
  line.draw("bye");
  EXPECT_EQ(out.str(), "\rhello\x1b[K\rbye\x1b[K");
}

TEST(ProgressLine, DisabledWritesNothing) {
  std::ostringstream out;
  {
    ProgressLine line(out, false);
    EXPECT_FALSE(line.enabled());
    line.draw("hello");
    line.clear();
  }
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressLine, ClearErasesOnlyADrawnLine) {
  std::ostringstream out;
  ProgressLine line(out, true);
  line.clear();
  EXPECT_EQ(out.str(), "");
  line.draw("x");
  out.str("");
  line.clear();
  EXPECT_EQ(out.str(), "\r\x1b[K");
  line.clear();
  EXPECT_EQ(out.str(), "\r\x1b[K");
}

TEST(ProgressLine, DestructorClearsADrawnLine) {
  std::ostringstream out;
  {
    ProgressLine line(out, true);
    line.draw("x");
  }
  EXPECT_EQ(out.str(), "\rx\x1b[K\r\x1b[K");
}

TEST(ProgressLine, TruncatesToMaxColumns) {
  std::ostringstream out;
  ProgressLine line(out, true, 5);
  line.draw("0123456789");
  EXPECT_EQ(out.str(), "\r01234\x1b[K");
}

TEST(ProgressFormat, CountsHaveThreeSignificantDigits) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(-3), "0");
  EXPECT_EQ(format_count(950), "950");
  EXPECT_EQ(format_count(999.4), "999");
  EXPECT_EQ(format_count(999.6), "1.00k");
  EXPECT_EQ(format_count(1234), "1.23k");
  EXPECT_EQ(format_count(10100), "10.1k");
  EXPECT_EQ(format_count(123456), "123k");
  EXPECT_EQ(format_count(999999), "1.00M");
  EXPECT_EQ(format_count(1.5e6), "1.50M");
  EXPECT_EQ(format_count(2.5e9), "2.50G");
}

TEST(ProgressFormat, LatencyInMicrosMillisOrSeconds) {
  EXPECT_EQ(format_latency_us(0), "0.00 us");
  EXPECT_EQ(format_latency_us(85.3), "85.3 us");
  EXPECT_EQ(format_latency_us(850), "850 us");
  EXPECT_EQ(format_latency_us(1070), "1.07 ms");
  EXPECT_EQ(format_latency_us(12'345), "12.3 ms");
  EXPECT_EQ(format_latency_us(999'700), "1.00 s");
  EXPECT_EQ(format_latency_us(2.5e6), "2.50 s");
}

TEST(ProgressFormat, MeasuringLine) {
  ProgressSnapshot s;
  s.phase = ProgressPhase::measuring;
  s.elapsed_s = 3.21;
  s.phase_length_s = 5;
  s.window_s = 5;
  s.events_per_s = 10'100;
  s.p99_us = 1070;
  s.connections = 100;
  EXPECT_EQ(format_progress(s), "measuring 3.2/5s  10.1k ev/s  p99 1.07 ms  100 conn");
  s.p99_us.reset();
  s.errors = 3;
  EXPECT_EQ(format_progress(s), "measuring 3.2/5s  10.1k ev/s  p99 -  100 conn  3 err");
}

TEST(ProgressFormat, WarmupAndDrainingLines) {
  ProgressSnapshot s;
  s.phase = ProgressPhase::warmup;
  s.elapsed_s = 0.5;
  s.phase_length_s = 1;
  s.connections = 10;
  EXPECT_EQ(format_progress(s), "warm-up 0.5/1s  10 conn");
  s.phase = ProgressPhase::draining;
  s.phase_length_s = 1.5;
  s.events_per_s = 12;
  s.p99_us = 250;
  EXPECT_EQ(format_progress(s), "draining 0.5/1.5s  12 ev/s  p99 250 us  10 conn");
}

TEST(ProgressFormat, PhaseNames) {
  EXPECT_STREQ(phase_name(ProgressPhase::warmup), "warm-up");
  EXPECT_STREQ(phase_name(ProgressPhase::measuring), "measuring");
  EXPECT_STREQ(phase_name(ProgressPhase::draining), "draining");
}
