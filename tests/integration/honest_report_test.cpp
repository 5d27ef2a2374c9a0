// Reports that describe what was asked of the server and who answered (issue 11): workload
// parameters in the URL, /stats identity, the same SSE headers over HTTP/1.1 and HTTP/2, the
// `size` floor.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "helpers.hpp"

namespace pushbench::test {
namespace {

using loadgen::ServerProcess;

TEST(UrlWorkload, TheReportDescribesTheUrlsParameters) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) +
                          "/sse?rate=200&size=1024&payload=text&count=40";
  const auto s = load_scenario(url, "-c 2 -w 0 -d 5");
  EXPECT_EQ(s["workload"]["rate_per_stream"], 200);
  EXPECT_EQ(s["workload"]["payload_bytes"], 1024);
  EXPECT_EQ(s["workload"]["payload_kind"], "text");
  EXPECT_EQ(s["workload"]["count_per_stream"], 40);
  EXPECT_EQ(s["events"]["expected"], 80);
  EXPECT_EQ(s["events"]["received"], 80);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["workload"]["payload_bytes_delivered"], 1024);
  EXPECT_TRUE(s["warnings"].empty()) << s["warnings"].dump();
}

TEST(UrlWorkload, TimeModeExpectsTheUrlsRate) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const std::string url =
      "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws?rate=200&size=512";
  const auto s = load_scenario(url, "-c 2 -w 0.2 -d 1");
  EXPECT_EQ(s["workload"]["rate_per_stream"], 200);
  // 2 streams x 200/s x 1 s, within the window's rounding.
  EXPECT_NEAR(s["events"]["expected"].get<double>(), 400, 4);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_FALSE(has_warning(s, "more than was asked")) << s["warnings"].dump();
}

TEST(UrlWorkload, AUrlDurationEndsTheRunWithTheStreams) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) +
                          "/sse?rate=100&duration=0.5";
  const auto s = load_scenario(url, "-c 2 -w 0 -d 5");
  EXPECT_EQ(s["workload"]["stream_duration_s"], 0.5);
  EXPECT_EQ(s["events"]["expected"], 100);
  EXPECT_EQ(s["events"]["received"], 100);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  EXPECT_LT(s["workload"]["duration_s"].get<double>(), 2);  // not the 5 s window
}

TEST(UrlWorkload, AnExplicitFlagThatDisagreesIsAnError) {
  const auto [status, out] = run_command(
      bin("pushbench") + " load --url 'http://127.0.0.1:9/sse?rate=200' -r 100 -d 1 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("rate=200"), std::string::npos) << out;
  EXPECT_NE(out.find("rate=100"), std::string::npos) << out;
  // The same value twice is no conflict (the run then fails only to connect to port 9).
  const auto [same_status, same_out] =
      run_command(bin("pushbench") +
                  " load --url 'http://127.0.0.1:9/sse?rate=200' -r 200 -d 0.2 -w 0 "
                  "--drain 0 --json --progress never 2>&1");
  EXPECT_EQ(same_out.find("command line says"), std::string::npos) << same_out;
  // --find-max sets the rate itself.
  const auto [fm_status, fm_out] = run_command(
      bin("pushbench") + " load --url 'http://127.0.0.1:9/sse?rate=200' --find-max 2>&1");
  EXPECT_NE(fm_status, 0);
  EXPECT_NE(fm_out.find("--find-max sets the rate"), std::string::npos) << fm_out;
  // A malformed workload value in the URL is an error too.
  const auto [bad_status, bad_out] =
      run_command(bin("pushbench") + " load --url 'http://127.0.0.1:9/sse?size=lots' -d 1 2>&1");
  EXPECT_NE(bad_status, 0);
  EXPECT_NE(bad_out.find("size must be"), std::string::npos) << bad_out;
}

TEST(UrlWorkload, ReceivingMoreThanExpectedIsAWarning) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port()) + "/sse";
  // A topic takes its rate from its first subscriber: this one asks for 400/s ...
  const std::string first = "timeout 10 " + bin("pushbench") + " load --url " + base +
                            " --topic fast -r 400 -c 1 -w 0 -d 3 --progress never >/dev/null &";
  ASSERT_EQ(std::system(first.c_str()), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // ... so a later one that asks for 100/s gets four times what it expects.
  const auto s = load_scenario(base, "--topic fast -r 100 -c 1 -w 0.2 -d 1");
  EXPECT_GT(s["events"]["received"].get<double>(), 2 * s["events"]["expected"].get<double>());
  EXPECT_TRUE(has_warning(s, "more than was asked")) << s["warnings"].dump();
  std::this_thread::sleep_for(std::chrono::seconds(2));
}

TEST(ServerStats, NameTheirServerTransportAndPid) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const auto body =
      http_exchange(server.port(), "GET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto doc = nlohmann::json::parse(body.substr(body.find("\r\n\r\n") + 4));
  EXPECT_EQ(doc["server"], "pushbench-server");
  EXPECT_EQ(doc["transport"], "ws");
  EXPECT_EQ(doc["pid"], server.pid());
}

TEST(ServerStats, AnotherServersCountersAreOmittedWithAWarning) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  ServerProcess other(bin("pushbench-server"), "sse", 1);
  // --server-pid names another process than the one answering /stats.
  const auto s =
      load_scenario(url_for("sse", server.port()),
                    "-c 1 -r 100 --count 10 -w 0 -d 5 --server-pid " + std::to_string(other.pid()));
  EXPECT_TRUE(s["server_counters"].is_null()) << s["server_counters"].dump();
  EXPECT_TRUE(s["accounting"]["server_sent"].is_null());
  EXPECT_TRUE(has_warning(s, "server counters omitted: /stats belongs to pid")) << s["warnings"];
  // The same run with the right pid keeps them.
  const auto ok = load_scenario(
      url_for("sse", server.port()),
      "-c 1 -r 100 --count 10 -w 0 -d 5 --server-pid " + std::to_string(server.pid()));
  EXPECT_EQ(ok["accounting"]["server_sent"], 10);
  EXPECT_FALSE(ok["server_counters"].contains("pid"));
}

/// The response header names (lower case) of `curl ARGS URL`, but for those that differ by
/// carrier (framing, HTTP/2 pseudo-headers, dates).
std::set<std::string> header_names(const std::string& args, const std::string& url) {
  const auto [status, out] =
      run_command("curl -s -D - -o /dev/null --max-time 5 " + args + " '" + url + "'");
  EXPECT_EQ(status, 0) << out;
  std::set<std::string> names;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const auto end = out.find('\n', pos);
    const auto line = out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? out.size() : end + 1;
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name != "transfer-encoding" && name != "server" && name != "date") names.insert(name);
  }
  return names;
}

TEST(SseHeaders, SameOnHttp11AndHttp2) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string url = url_for("sse", server.port()) + "?count=1&rate=1000";
  for (const std::string coding : {"", "--compressed "}) {
    const auto h1 = header_names(coding + "--http1.1", url);
    const auto h2 = header_names(coding + "--http2-prior-knowledge", url);
    EXPECT_TRUE(h1.count("access-control-allow-origin"));
    EXPECT_EQ(h1, h2);
  }
}

TEST(SizeFloor, SmallerThanTheHeaderIsReportedAsDelivered) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const auto s = load_scenario(url_for("sse", server.port()),
                               "-c 1 -r 200 -s 8 --count 20 -w 0 -d 5 --verify-payload");
  EXPECT_EQ(s["workload"]["payload_bytes"], 8);
  EXPECT_GT(s["workload"]["payload_bytes_delivered"].get<double>(), 40);
  EXPECT_TRUE(has_warning(s, "size 8 is below the event header")) << s["warnings"].dump();
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
}

}  // namespace
}  // namespace pushbench::test
