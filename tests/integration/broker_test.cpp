// A real pub/sub broker on loopback (issue 11): nchan (nginx + libnginx-mod-nchan) started by the
// test on an ephemeral port, the load generator publishing every event with a pipelined POST
// (publish mode) while its subscribers receive them over SSE or WebSocket; exact accounting,
// publish errors by kind, latency from the intended publish time, and `pushbench run` with the
// `broker` key.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "helpers.hpp"
#include "loadgen/infra/broker.hpp"

namespace pushbench::test {
namespace {

using loadgen::ProxyKind;
using loadgen::ProxyProcess;

/// A loopback port nothing listens on (bound to port 0, then released).
std::uint16_t closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

std::string channel(const std::string& name) {
  return "test-" + std::to_string(getpid()) + "-" + name;
}

class ThroughNchan : public ::testing::TestWithParam<std::string> {};

TEST_P(ThroughNchan, EveryPublishedEventReachesEverySubscriberOnce) {
  const std::string transport = GetParam();
  ProxyProcess nchan(ProxyKind::nchan, 0, false, false);
  const auto urls = loadgen::broker_urls(ProxyKind::nchan, transport, nchan.port(),
                                         channel("exact-" + transport));
  const auto s = load_scenario(urls.subscribe, "--publish-url '" + urls.publish +
                                                   "' -c 5 -r 100 -s 512 -w 1 -d 2 --drain 1 "
                                                   "--verify-payload");
  const auto& p = s["publish"];
  EXPECT_TRUE(p["errors"].empty()) << p.dump();
  EXPECT_EQ(p["failed"], 0);
  EXPECT_GT(p["published_in_window"].get<int>(), 0);
  EXPECT_EQ(p["accepted_in_window"], p["published_in_window"]);
  EXPECT_EQ(p["accepted"], p["published"]);
  EXPECT_EQ(p["latency_us"]["count"], p["accepted_in_window"]);
  const auto expected = p["accepted_in_window"].get<std::uint64_t>() * 5;
  EXPECT_EQ(s["events"]["expected"], expected);
  EXPECT_EQ(s["events"]["received"], expected);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["duplicated"], 0);
  EXPECT_EQ(s["workload"]["kind"], "publish");
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump() << s["error_causes"].dump();
  EXPECT_TRUE(s["warnings"].empty()) << s["warnings"].dump();
}

INSTANTIATE_TEST_SUITE_P(Nchan, ThroughNchan, ::testing::Values("sse", "ws"),
                         [](const auto& info) { return info.param; });

TEST(PublishMode, RefusedPublishesAreErrorsByKind) {
  ProxyProcess nchan(ProxyKind::nchan, 0, false, false);
  const auto urls = loadgen::broker_urls(ProxyKind::nchan, "sse", nchan.port(), channel("refused"));
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(closed_port()) + "/pub";
  const auto s = load_scenario(urls.subscribe,
                               "--publish-url " + nowhere + " -c 2 -r 50 -w 0.5 -d 1 --drain 0.5");
  const auto& p = s["publish"];
  EXPECT_GT(p["published"].get<int>(), 0);
  EXPECT_EQ(p["errors"]["connect_failed"], p["published"]) << p.dump();
  EXPECT_EQ(p["failed"], p["published"]);
  EXPECT_EQ(p["accepted"], 0);
  EXPECT_EQ(s["events"]["expected"], 0);
  EXPECT_TRUE(has_warning(s, "publish(es) failed")) << s["warnings"].dump();
}

TEST(PublishMode, RejectedPublishesCountTheirStatus) {
  ProxyProcess nchan(ProxyKind::nchan, 0, false, false);
  const auto urls = loadgen::broker_urls(ProxyKind::nchan, "ws", nchan.port(), channel("404"));
  // nginx answers 404 to a POST on a location nchan does not serve, and keeps the connection.
  const std::string wrong = "http://127.0.0.1:" + std::to_string(nchan.port()) + "/nothing";
  const auto s = load_scenario(urls.subscribe,
                               "--publish-url " + wrong + " -c 1 -r 50 -w 0.5 -d 1 --drain 0.5");
  const auto& p = s["publish"];
  EXPECT_GT(p["published"].get<int>(), 0);
  EXPECT_EQ(p["errors"]["http_status"], p["published"]) << p.dump();
  EXPECT_NE(p["error_causes"]["http_status"].get<std::string>().find("404"), std::string::npos);
  EXPECT_EQ(p["connections"], 1);  // rejected on one keep-alive connection
  EXPECT_EQ(s["events"]["received"], 0);
}

TEST(PublishMode, AStalledPublisherShowsInLatencyFromTheIntendedTime) {
  ProxyProcess nchan(ProxyKind::nchan, 0, false, false);
  const auto urls = loadgen::broker_urls(ProxyKind::nchan, "sse", nchan.port(), channel("stall"));
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pushbench-broker-stall-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto out = (dir / "report.json").string();
  // The whole load generator is stopped for 400 ms inside the window (1 s warm-up, 3 s
  // window): events due meanwhile are published late, with their intended ts.
  const std::string cmd = "sh -c '" + bin("pushbench") + " load --url \"" + urls.subscribe +
                          "\" --publish-url \"" + urls.publish +
                          "\" -c 2 -r 200 -w 1 -d 3 --drain 1 --progress never --out " + out +
                          " >/dev/null 2>&1 & p=$!; sleep 2; kill -STOP $p; sleep 0.4; "
                          "kill -CONT $p; wait $p'";
  const auto [status, text] = run_command(cmd, 30);
  ASSERT_EQ(status, 0) << text;
  std::ifstream in(out);
  const auto report = nlohmann::json::parse(in, nullptr, false);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(report.is_discarded());
  const auto& s = report["scenarios"][0];
  // About 80 of 600 in-window events (13 %) were due during the stall: their latency from the
  // intended time spreads over (0, 400 ms], so the p99 is far above a stall-free run's.
  EXPECT_GT(s["latency_us"]["corrected"]["p99"].get<double>(), 200e3) << s["latency_us"].dump();
  EXPECT_GT(s["publish"]["latency_us"]["p99"].get<double>(), 200e3) << s["publish"].dump();
  // From the actual publish time, the stall is invisible to the subscribers.
  EXPECT_LT(s["latency_us"]["uncorrected"]["p99"].get<double>(), 100e3);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["received"], s["events"]["expected"]);
}

TEST(PublishMode, BadCombinationsAreErrors) {
  const auto [status, out] = run_command(
      bin("pushbench") +
      " load --url http://127.0.0.1:1/sse --publish-url http://127.0.0.1:1/pub --chat 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("--publish-url"), std::string::npos) << out;
  const auto [status2, out2] = run_command(
      bin("pushbench") + " load --url http://127.0.0.1:1/sse --publish-url ws://127.0.0.1:1/ 2>&1");
  EXPECT_NE(status2, 0);
  EXPECT_NE(out2.find("http://"), std::string::npos) << out2;
}

/// `pushbench run` on a one-scenario suite; returns {exit status, output, report}.
struct SuiteRun {
  int status = -1;
  std::string output;
  nlohmann::json report;
};
SuiteRun run_broker_suite(const std::string& scenario) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pushbench-broker-suite-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "suite.json")
      << R"({"name": "broker-test", "scenarios": [)" << scenario << "]}";
  const auto out = (dir / "report.json").string();
  SuiteRun r;
  std::tie(r.status, r.output) =
      run_command(bin("pushbench") + " run --suite " + (dir / "suite.json").string() + " --out " +
                      out + " --progress never 2>&1",
                  60);
  if (r.status == 0) {
    const auto [vrc, vout] =
        run_command("/usr/bin/python3 " + source("scripts/validate_report.py") + " " +
                    source("core/report.schema.json") + " " + out);
    EXPECT_EQ(vrc, 0) << vout;
    std::ifstream in(out);
    r.report = nlohmann::json::parse(in, nullptr, false);
  }
  std::filesystem::remove_all(dir);
  return r;
}

TEST(RunWithBroker, StartsNchanAndReportsItsCost) {
  const auto r = run_broker_suite(
      R"({"group": "b", "broker": "nchan", "transports": ["sse", "ws"], "connections": 3,
          "rate": 100, "warmup": 0.5, "duration": 1.5, "drain": 1})");
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_EQ(r.report["scenarios"].size(), 2u);
  for (const auto& s : r.report["scenarios"]) {
    ASSERT_TRUE(s.contains("broker")) << s.dump();
    EXPECT_EQ(s["broker"]["name"], "nchan");
    EXPECT_NE(s["broker"]["version"].get<std::string>().find("nchan"), std::string::npos);
    EXPECT_GT(s["broker"]["cpu_ns_per_event"].get<double>(), 0);
    EXPECT_GT(s["broker"]["rss_bytes_peak"].get<double>(), 0);
    EXPECT_TRUE(s["server"]["cpu_s"].is_number());  // the broker in the server's place
    EXPECT_GT(s["events"]["expected"].get<int>(), 0);
    EXPECT_EQ(s["events"]["received"], s["events"]["expected"]);
    EXPECT_EQ(s["publish"]["failed"], 0);
  }
}

TEST(RunWithBroker, RejectsWhatABrokerRunCannotBe) {
  const auto bad = run_broker_suite(R"({"group": "b", "broker": "nchan", "topic": "t"})");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.output.find("broker run"), std::string::npos) << bad.output;
  const auto unknown = run_broker_suite(R"({"group": "b", "broker": "kafka"})");
  EXPECT_NE(unknown.status, 0);
  EXPECT_NE(unknown.output.find("kafka"), std::string::npos) << unknown.output;
}

}  // namespace
}  // namespace pushbench::test
