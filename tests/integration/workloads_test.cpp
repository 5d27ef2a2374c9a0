// Workloads beyond a steady stream: connect storms and the saturation search, on real servers.
#include <gtest/gtest.h>

#include "helpers.hpp"
#include "loadgen/run/find_max.hpp"
#include "loadgen/run/load.hpp"

namespace pushbench::test {
namespace {

using loadgen::LoadConfig;
using loadgen::ServerProcess;


class Workloads : public ::testing::TestWithParam<std::string> {};

TEST_P(Workloads, ConnectStormOpensAtTheTargetRate) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  LoadConfig lc;
  lc.url = url_for(GetParam(), server.port());
  lc.connections = 30;
  lc.connect_rate = 50;  // 0.6 s to open them all
  lc.spec.rate = 100;
  lc.warmup_s = 0.2;
  lc.duration_s = 1.0;
  const auto s = loadgen::run_load(lc);
  EXPECT_EQ(s["workload"]["kind"], "storm");
  EXPECT_EQ(s["storm"]["established"], 30);
  EXPECT_EQ(s["storm"]["failed"], 0);
  EXPECT_NEAR(s["storm"]["achieved_connects_per_s"].get<double>(), 50, 10);
  EXPECT_EQ(s["first_event_us"]["count"], 30);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["received"], s["events"]["expected"]);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
}

// A count-mode storm ends when every stream has its count, not before the later connections'
// turn comes (they counted as done while waiting, and the run ended at once with nothing).
TEST_P(Workloads, CountModeStormWaitsForEveryConnection) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  LoadConfig lc;
  lc.url = url_for(GetParam(), server.port());
  lc.connections = 5;
  lc.connect_rate = 20;  // the last one opens 0.2 s after the first
  lc.spec.rate = 100;
  lc.spec.count = 20;
  lc.warmup_s = 0;
  lc.duration_s = 10;
  const auto s = loadgen::run_load(lc);
  EXPECT_EQ(s["storm"]["established"], 5) << s["storm"].dump();
  EXPECT_EQ(s["events"]["received"], 100) << s["events"].dump();
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
}

TEST_P(Workloads, FindMaxReportsEveryStepAndASustainableRate) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  LoadConfig lc;
  lc.url = url_for(GetParam(), server.port());
  lc.connections = 2;
  lc.spec.rate = 100;
  lc.warmup_s = 0.2;
  lc.duration_s = 0.5;
  loadgen::FindMaxOptions fo;
  fo.p99_bound_ms = 200;
  fo.step_factor = 4;
  fo.max_steps = 3;
  const auto s = loadgen::find_max(lc, fo, loadgen::run_load);
  EXPECT_EQ(s["workload"]["kind"], "find-max");
  const auto& fm = s["find_max"];
  ASSERT_GE(fm["steps"].size(), 1u);
  // 2 x 100/s is far below what any transport sustains on loopback.
  EXPECT_TRUE(fm["steps"][0]["sustainable"].get<bool>()) << fm.dump();
  EXPECT_GE(fm["max_sustainable_events_per_s"].get<double>(), 190.0);
  EXPECT_FALSE(fm["stopped_because"].get<std::string>().empty());
}

TEST_P(Workloads, IdleConnectionsAreHeldWithKeepalives) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  LoadConfig lc;
  lc.url = url_for(GetParam(), server.port());
  lc.connections = 300;
  lc.spec.rate = 0.01;  // one event at connect, the next 100 s later: idle
  lc.spec.keepalive_s = 0.2;
  lc.warmup_s = 0.3;
  lc.duration_s = 1.2;
  lc.drain_s = 0.2;
  lc.server_pid = server.pid();
  const auto s = loadgen::run_load(lc);
  EXPECT_EQ(s["workload"]["kind"], "idle");
  EXPECT_EQ(s["idle"]["connections_held"], 300);
  EXPECT_GT(s["idle"]["fd_limit"].get<double>(), 300);
  EXPECT_TRUE(s["idle"]["server_cpu_s_per_connection_per_s"].is_number());
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  EXPECT_EQ(s["events"]["received"], 0);
  // The keep-alives are on the wire (and WebSocket pings are answered with pongs).
  EXPECT_GT(s["wire"]["bytes_received"].get<double>(), 300 * 4);
  if (GetParam() == "ws") {
    EXPECT_GT(s["wire"]["bytes_sent"].get<double>(), 300 * 4);
  }
  EXPECT_TRUE(s["server"]["rss_bytes_per_connection"].is_number());
  // What the held connections keep in anonymous memory (heap) at the window's end: some, and
  // far below a page-sized buffer per connection.
  ASSERT_TRUE(s["server"]["rss_anon_bytes_per_connection"].is_number());
  EXPECT_GT(s["server"]["rss_anon_bytes_per_connection"].get<double>(), 256);
  EXPECT_LT(s["server"]["rss_anon_bytes_per_connection"].get<double>(), 64 << 10);
}

TEST(WorkloadsConfig, StormThatCannotOpenInTimeIsRejected) {
  LoadConfig lc;
  lc.url = "http://127.0.0.1:1/sse";
  lc.connections = 100;
  lc.connect_rate = 10;  // 10 s needed
  lc.warmup_s = 1;
  lc.duration_s = 2;
  EXPECT_THROW(loadgen::run_load(lc), std::runtime_error);
  lc.connect_rate = 0;
  lc.connections = 100000000;  // beyond any file descriptor limit here
  EXPECT_THROW(loadgen::run_load(lc), std::runtime_error);
}

INSTANTIATE_TEST_SUITE_P(AllTransports, Workloads, ::testing::Values("sse", "ws", "raw"));

}  // namespace
}  // namespace pushbench::test
