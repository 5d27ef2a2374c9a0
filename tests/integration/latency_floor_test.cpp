// The latency floor's tool (bench/floor): its pair and its minimal receiver in front of our raw
// server count exactly the events of their window and split each latency into its two parts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "helpers.hpp"

namespace pushbench::test {
namespace {

nlohmann::json floor_run(const std::string& args, int expect_status = 0) {
  const auto [status, out] = run_command(bin("pushbench-latency-floor") + " " + args, 20);
  EXPECT_EQ(status, expect_status) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

void expect_split(const nlohmann::json& r) {
  ASSERT_TRUE(r.contains("uncorrected_p50_us") && r.contains("sender_late_p50_us")) << r.dump();
  EXPECT_GT(r["p50_us"].get<double>(), 0.0);
  EXPECT_GE(r["sender_late_p50_us"].get<double>(), 0.0) << "sent before it was due";
  EXPECT_GT(r["uncorrected_p50_us"].get<double>(), 0.0);
  EXPECT_LE(r["uncorrected_p50_us"].get<double>(), r["p50_us"].get<double>() + 1.0)
      << "the part after the send exceeds the whole";
}

TEST(LatencyFloor, ThePairCountsEveryEventOfItsWindow) {
  const auto r = floor_run("200 1 0.2");
  EXPECT_EQ(r.value("events", 0), 200) << r.dump();
  expect_split(r);
}

TEST(LatencyFloor, TheMinimalReceiverReadsOurRawServer) {
  loadgen::ServerProcess server(bin("pushbench-server"), "raw", 1);
  const auto r = floor_run("receive " + std::to_string(server.port()) + " 200 1 0.2");
  // The 1 s window holds 200 intended times; one fewer when the stream began on a later grid
  // point than the receiver's epoch (a slow connection).
  EXPECT_GE(r.value("events", 0), 199) << r.dump();
  EXPECT_LE(r.value("events", 0), 200) << r.dump();
  EXPECT_EQ(r.value("malformed", -1), 0);
  expect_split(r);
}

TEST(LatencyFloor, BadArgumentsAreAUsageError) {
  const auto [status, out] = run_command(bin("pushbench-latency-floor") + " receive 0 2>&1", 5);
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("usage"), std::string::npos) << out;
  EXPECT_EQ(run_command(bin("pushbench-latency-floor") + " 2000000 2>/dev/null", 5).first, 2);
}

}  // namespace
}  // namespace pushbench::test
