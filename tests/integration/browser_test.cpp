// `pushbench browser` against our servers with the real headless Chromium (scripts/install-deps.sh
// installs it): exact counts for EventSource and WebSocket over HTTP/1.1 and HTTP/2 (TLS), the
// 6-per-origin cap over HTTP/1.1 and none over HTTP/2, RFC 8441, resume without loss, a stalling
// server in the corrected latency, a failing page as a clear error, and no Chromium left behind.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "helpers.hpp"

namespace pushbench::test {
namespace {

using loadgen::ServerProcess;

/// Chromium's processes still alive whose command line names our temporary profiles.
std::string leftover_chromium() {
  return run_command("sh -c \"pgrep -af pushbench-chromium- | grep -v pgrep || true\"", 5).second;
}

/// `pushbench browser ARGS` (no settle/idle unless ARGS say so); its scenario, or {} after a
/// failure is recorded.
nlohmann::json browser_scenario(const std::string& url, const std::string& args, int timeout = 28) {
  EXPECT_EQ(access("/usr/lib/chromium/chromium", X_OK), 0)
      << "chromium is not installed (scripts/install-deps.sh installs it)";
  const auto [status, out] =
      run_command(bin("pushbench") + " browser --url '" + url + "' " + args, timeout);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(leftover_chromium(), "");
  const auto report = nlohmann::json::parse(out, nullptr, false);
  if (report.is_discarded() || !report.contains("scenarios") || report["scenarios"].empty()) {
    ADD_FAILURE() << "no report: " << out;
    return nlohmann::json::object();
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("pushbench-browser-test-" + std::to_string(getpid()) + ".json");
  std::ofstream(path) << out;
  const auto [valid, why] =
      run_command("/usr/bin/python3 " + source("scripts/validate_report.py") + " " +
                  source("core/report.schema.json") + " " + path.string() + " 2>&1");
  EXPECT_EQ(valid, 0) << why;
  std::filesystem::remove(path);
  return report["scenarios"][0];
}

std::string origin(const std::string& scheme, const ServerProcess& s) {
  return scheme + "://127.0.0.1:" + std::to_string(s.port());
}

constexpr const char* kQuick = " --settle 0 --idle 0";

void expect_exact(const nlohmann::json& s, int subscriptions, int count) {
  ASSERT_TRUE(s.contains("events")) << s.dump();
  EXPECT_EQ(s["client"], "chromium");
  EXPECT_EQ(s["events"]["expected"], subscriptions * count);
  EXPECT_EQ(s["events"]["received"], subscriptions * count);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["duplicated"], 0);
  EXPECT_EQ(s["events"]["out_of_order"], 0);
  EXPECT_EQ(s["chromium"]["subscriptions_opened"], subscriptions);
  EXPECT_EQ(s["latency_us"]["corrected"]["count"], subscriptions * count);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  // Every subscription is on the run's one epoch; the typed sections are complete, and what a
  // browser run cannot measure is null, not absent.
  EXPECT_EQ(s.value("/schedule/phase"_json_pointer, ""), "aligned");
  EXPECT_TRUE(s.contains("/server/wakeups_per_event"_json_pointer) &&
              s.at("/server/wakeups_per_event"_json_pointer).is_null());
  EXPECT_TRUE(s.contains("/loadgen/wakeups_per_event"_json_pointer) &&
              s.at("/loadgen/wakeups_per_event"_json_pointer).is_null());
}

TEST(BrowserClient, EventSourceExactCountsOverHttp11AndHttp2) {
  ServerProcess plain(bin("pushbench-server"), "sse", 1);
  ServerProcess tls(bin("pushbench-server"), "sse", 1, std::nullopt, {"--tls"});
  const auto h1 = browser_scenario(origin("http", plain) + "/sse",
                                   "-n 3 --count 20 -r 100" + std::string(kQuick));
  expect_exact(h1, 3, 20);
  EXPECT_EQ(h1["http_version"], "1.1");
  EXPECT_EQ(h1["chromium"]["protocols"]["http/1.1"], 3);
  EXPECT_EQ(h1["chromium"]["page_source"], "origin");
  const auto h2 = browser_scenario(origin("https", tls) + "/sse",
                                   "-n 3 --count 20 -r 100 --http 2" + std::string(kQuick));
  expect_exact(h2, 3, 20);
  EXPECT_EQ(h2["http_version"], "2");
  EXPECT_EQ(h2["tls"], true);
  EXPECT_EQ(h2["chromium"]["protocols"]["h2"], 3);
}

TEST(BrowserClient, WebSocketExactCountsOverHttp11AndRfc8441) {
  ServerProcess plain(bin("pushbench-server"), "ws", 1);
  ServerProcess tls(bin("pushbench-server"), "ws", 1, std::nullopt, {"--tls"});
  const auto h1 =
      browser_scenario(origin("ws", plain) + "/ws", "-n 3 --count 20 -r 100" + std::string(kQuick));
  expect_exact(h1, 3, 20);
  EXPECT_EQ(h1["compression"]["algorithm"], "permessage-deflate");
  const auto h2 = browser_scenario(origin("wss", tls) + "/ws",
                                   "-n 3 --count 20 -r 100 --http 2" + std::string(kQuick));
  expect_exact(h2, 3, 20);
  EXPECT_EQ(h2["chromium"]["page_protocol"], "h2");
  // RFC 8441: every WebSocket was an HTTP/2 stream of the page's connection.
  EXPECT_EQ(h2["chromium"]["websocket_over_h2"], true);
  EXPECT_GE(h2["server_counters"]["h2_streams"].get<int>(), 3 + 1);
  EXPECT_EQ(h2["server_counters"]["streams_started"], 3);
}

TEST(BrowserClient, SixPerOriginStarvesEventSourcesOverHttp11Only) {
  ServerProcess plain(bin("pushbench-server"), "sse", 1);
  ServerProcess tls(bin("pushbench-server"), "sse", 1, std::nullopt, {"--tls"});
  const std::string args = "-n 10 -r 20 -d 1.5 -w 0.5" + std::string(kQuick);
  const auto h1 = browser_scenario(origin("http", plain) + "/sse", args);
  ASSERT_TRUE(h1.contains("browser")) << h1.dump();
  EXPECT_EQ(h1["chromium"]["subscriptions_opened"], 6);
  EXPECT_EQ(h1["browser"]["subscriptions_starved"], 4);
  EXPECT_EQ(h1["browser"]["max_connections_per_origin"], 6);
  int starved = 0;
  for (const auto& sub : h1["chromium"]["subscriptions"]) starved += sub["starved"].get<bool>();
  EXPECT_EQ(starved, 4);
  EXPECT_GT(h1["events"]["lost"].get<int>(), 0);  // what the starved four never got
  const auto h2 = browser_scenario(origin("https", tls) + "/sse", args + " --http 2");
  ASSERT_TRUE(h2.contains("browser")) << h2.dump();
  EXPECT_EQ(h2["chromium"]["subscriptions_opened"], 10);
  EXPECT_EQ(h2["browser"]["subscriptions_starved"], 0);
}

TEST(BrowserClient, ResumeAfterServerDropsLosesNothing) {
  ServerProcess sse(bin("pushbench-server"), "sse", 1);
  ServerProcess ws(bin("pushbench-server"), "ws", 1);
  for (const auto& url : {origin("http", sse) + "/sse", origin("ws", ws) + "/ws"}) {
    SCOPED_TRACE(url);
    const auto s = browser_scenario(
        url, "-n 2 --count 60 -r 50 --drop-after 0.5 --retry-ms 100" + std::string(kQuick));
    expect_exact(s, 2, 60);
    ASSERT_TRUE(s.contains("resume")) << s.dump();
    EXPECT_GE(s["resume"]["reconnects"].get<int>(), 2);
    EXPECT_EQ(s["workload"]["kind"], "resume");
    // The ids resumed after: real event ids, never the empty string.
    ASSERT_FALSE(s["chromium"]["last_event_ids_sent"].empty());
    for (const auto& id : s["chromium"]["last_event_ids_sent"]) EXPECT_NE(id, "");
  }
}

TEST(BrowserClient, ServerStallShowsInCorrectedLatency) {
  const int stall_ms = 150;
  ServerProcess server(bin("pushbench-server"), "sse", 1, std::nullopt,
                       {"--stall-ms", std::to_string(stall_ms), "--stall-every-ms", "400"});
  const auto s = browser_scenario(origin("http", server) + "/sse",
                                  "-n 2 --count 60 -r 50" + std::string(kQuick));
  expect_exact(s, 2, 60);
  // Events due during a stall leave late: their intended time tells, their send time hides it.
  const double corrected = s["latency_us"]["corrected"]["max"];
  const double uncorrected = s["latency_us"]["uncorrected"]["max"];
  EXPECT_GE(corrected, stall_ms * 1e3 / 2);
  EXPECT_LT(uncorrected, corrected / 2);
}

TEST(BrowserClient, CostIsSampledWithAnIdleBaseline) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const auto s = browser_scenario(origin("ws", server) + "/ws",
                                  "-n 2 --count 40 -r 50 --settle 0.3 --idle 0.5");
  ASSERT_TRUE(s.contains("chromium")) << s.dump();
  const auto& cost = s["chromium"]["cost"];
  EXPECT_GE(cost["idle_s"].get<double>(), 0.4);
  EXPECT_GE(cost["renderer"]["processes"].get<int>(), 1);
  EXPECT_EQ(cost["network"]["processes"], 1);
  EXPECT_GT(cost["network"]["rss_bytes_idle"].get<double>(), 0);
  EXPECT_TRUE(cost["renderer"]["cpu_ns_per_event"].is_number());
  EXPECT_GT(cost["total"]["cpu_s"].get<double>(), 0);
  EXPECT_TRUE(s["chromium"]["clock"]["granularity_us"].is_number());
}

TEST(BrowserClient, FailingPageIsAClearBoundedError) {
  // Nothing listens on a port we just released: the page cannot load.
  std::uint16_t closed = 0;
  {
    ServerProcess s(bin("pushbench-server"), "sse", 1);
    closed = s.port();
  }
  const auto [status, out] =
      run_command(bin("pushbench") + " browser --url http://127.0.0.1:" + std::to_string(closed) +
                      "/sse --page origin -n 1 --count 5 --load-timeout 3" + kQuick + " 2>&1",
                  20);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("pushbench: browser: the page sent no 'ready' in time"), std::string::npos)
      << out;
  // Served by the harness, the page loads and its EventSources cannot connect.
  const auto [status2, out2] =
      run_command(bin("pushbench") + " browser --url http://127.0.0.1:" + std::to_string(closed) +
                      "/sse --page harness -n 1 --count 5 -d 2" + kQuick + " 2>&1",
                  20);
  EXPECT_EQ(status2, 1) << out2;
  EXPECT_NE(out2.find("no subscription opened: EventSource/WebSocket failed to connect"),
            std::string::npos)
      << out2;
  EXPECT_EQ(leftover_chromium(), "");
}

}  // namespace
}  // namespace pushbench::test
