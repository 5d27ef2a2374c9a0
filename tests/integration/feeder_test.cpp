// pushbench-feeder as a process: pushbench load reads its streams as it reads our server's (every
// event, exact bytes, both latencies), curl gets its refusals, and a suite starts it by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "helpers.hpp"

namespace pushbench::test {
namespace {

class FeederByTransport : public ::testing::TestWithParam<std::string> {};

TEST_P(FeederByTransport, LoadReadsEveryEventWithItsBytesAndBothLatencies) {
  loadgen::ServerProcess feeder(bin("pushbench-feeder"), GetParam(), 1, std::nullopt,
                                {"--timer-slack-us", "500"});
  const auto s = load_scenario(url_for(GetParam(), feeder.port()),
                               "-c 4 -r 2000 -s 256 --count 1000 -w 0 --verify-payload "
                               "--server-pid " +
                                   std::to_string(feeder.pid()));
  EXPECT_EQ(s["events"]["expected"], 4000) << s.dump();
  EXPECT_EQ(s["events"]["received"], 4000);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["duplicated"], 0);
  EXPECT_EQ(s["events"]["out_of_order"], 0);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  EXPECT_FALSE(s["latency_us"]["uncorrected"].is_null());  // the feeder sends `st`
  EXPECT_FALSE(s["server"]["cpu_ns_per_event"].is_null());
}

INSTANTIATE_TEST_SUITE_P(Transports, FeederByTransport, ::testing::Values("sse", "ws", "raw"),
                         [](const auto& info) { return info.param; });

TEST(Feeder, CurlGetsTheReasonForAStreamItDoesNotServe) {
  loadgen::ServerProcess feeder(bin("pushbench-feeder"), "sse", 1);
  const std::string base = "http://127.0.0.1:" + std::to_string(feeder.port());
  const auto [rc, out] =
      run_command("curl -s -i --max-time 5 '" + base + "/sse?topic=news&rate=10'", 10);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
  EXPECT_NE(out.find("the feeder serves private paced streams only"), std::string::npos) << out;
  const auto [rc2, stats] = run_command("curl -s -i --max-time 5 '" + base + "/stats'", 10);
  EXPECT_TRUE(stats.starts_with("HTTP/1.1 404")) << stats;
  // A served stream, read by curl to its end (count=3, then the last chunk).
  const auto [rc3, body] =
      run_command("curl -s -N --max-time 5 '" + base + "/sse?rate=100&size=64&count=3'", 10);
  EXPECT_EQ(rc3, 0) << body;
  EXPECT_NE(body.find("id: 2\ndata: {\"seq\":2,\"ts\":"), std::string::npos) << body;
}

TEST(Feeder, ARawStreamWithNothingLeftToSendStillEndsAtOnce) {
  // Raw's end adds no bytes (count=0: none at all): the FIN must still come at once (the feeder
  // closes a lingering connection only after 10 s).
  loadgen::ServerProcess feeder(bin("pushbench-feeder"), "raw", 1);
  const auto start = std::chrono::steady_clock::now();
  const std::string out = http_exchange(feeder.port(), "PUSHBENCH/1 rate=100&size=64&count=0\n");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out, "");
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(Feeder, BadCommandLinesAreRefused) {
  for (const char* args :
       {"--transport udp", "--transport raw --threads 2", "--transport raw --timer-slack-us 0",
        "--transport raw --tls", "--transport raw --listen nowhere"}) {
    const auto [rc, out] = run_command(bin("pushbench-feeder") + " " + args + " 2>&1", 5);
    EXPECT_NE(rc, 0) << args;
    EXPECT_FALSE(out.empty()) << args;
  }
}

TEST(Feeder, ASuiteStartsItByNameAndTheReportSaysSo) {
  const std::string dir = std::string(PUSHBENCH_BIN_DIR) + "/../feeder-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/suite.json") << R"({"name": "feeder-test", "scenarios": [
      {"group": "fed", "transports": ["raw", "ws"], "server": "pushbench-feeder",
       "timer_slack_us": 1000, "connections": 2, "rate": 1000, "size": 64, "duration": 0.5,
       "warmup": 0.2}]})";
  const auto [rc, out] = run_command(
      bin("pushbench") + " run --suite " + dir + "/suite.json --out " + dir + "/report.json 2>&1",
      60);
  ASSERT_EQ(rc, 0) << out;
  std::ifstream in(dir + "/report.json");
  const auto report = nlohmann::json::parse(in);
  ASSERT_EQ(report["scenarios"].size(), 2u);
  for (const auto& s : report["scenarios"]) {
    EXPECT_EQ(s["server_program"], "pushbench-feeder");
    EXPECT_EQ(s["events"]["lost"], 0);
    EXPECT_GT(s["events"]["received"].get<std::uint64_t>(), 0u);
  }
  const auto [vrc, vout] =
      run_command("/usr/bin/python3 " + source("scripts/validate_report.py") + " " +
                      source("core/report.schema.json") + " " + dir + "/report.json 2>&1",
                  30);
  EXPECT_EQ(vrc, 0) << vout;
  // --proxy cannot put a proxy in front of it: the suite is refused before its first run.
  const auto [prc, pout] =
      run_command(bin("pushbench") + " run --suite " + dir + "/suite.json --proxy nginx --out " +
                      dir + "/proxied.json 2>&1",
                  30);
  EXPECT_NE(prc, 0) << pout;
  EXPECT_NE(pout.find("pushbench-feeder is measured directly (no --proxy)"), std::string::npos)
      << pout;
  EXPECT_EQ(pout.find("fed raw ..."), std::string::npos) << pout;
}

}  // namespace
}  // namespace pushbench::test
