// Reverse proxies on loopback in front of our servers (issue 11): nginx, nginx-gzip, nghttpx and
// haproxy each relay SSE and WebSocket streams, HTTP/1.1 and HTTP/2 where their front end
// supports it, with every event accounted for; and `pushbench run --proxy` reports the proxy.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "helpers.hpp"
#include "loadgen/infra/proxy.hpp"

namespace pushbench::test {
namespace {

using loadgen::ProxyKind;
using loadgen::ProxyProcess;
using loadgen::ServerProcess;

struct ProxyCase {
  std::string name;  ///< test name suffix
  ProxyKind kind;
  std::string transport;  ///< sse | ws
  bool http2 = false;
  bool tls = false;
};

std::string scheme(const ProxyCase& c) {
  if (c.transport == "sse") return c.tls ? "https" : "http";
  return c.tls ? "wss" : "ws";
}

void PrintTo(const ProxyCase& c, std::ostream* os) { *os << c.name; }

class ThroughProxy : public ::testing::TestWithParam<ProxyCase> {};

TEST_P(ThroughProxy, EveryEventArrivesExactlyOnce) {
  const auto& c = GetParam();
  ServerProcess backend(bin("pushbench-server"), c.transport, 1);
  ProxyProcess proxy(c.kind, backend.port(), c.tls, c.http2);
  const std::string url =
      scheme(c) + "://127.0.0.1:" + std::to_string(proxy.port()) + "/" + c.transport;
  const std::string http = c.http2 ? " --http 2 --streams 2" : "";
  const auto s = load_scenario(url, "-c 2 -r 200 --count 50 -w 0 -d 10 --verify-payload" + http +
                                        " --server-pid " + std::to_string(backend.pid()));
  const int streams = c.http2 ? 4 : 2;
  EXPECT_EQ(s["events"]["expected"], streams * 50);
  EXPECT_EQ(s["events"]["received"], streams * 50);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["duplicated"], 0);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump() << s["error_causes"].dump();
  // The backend's books, read through the proxy (nginx's cleartext h2 listener has no
  // HTTP/1.1 for the /stats read).
  const bool stats_readable = !(c.http2 && !c.tls && (c.kind == ProxyKind::nginx));
  if (stats_readable) {
    EXPECT_EQ(s["accounting"]["server_sent"], streams * 50) << s["warnings"].dump();
    EXPECT_EQ(s["accounting"]["in_flight_or_dropped"], 0);
  }
  if (c.kind == ProxyKind::nghttpx) {
    ASSERT_FALSE(s["proxy_evidence"]["via"].empty()) << s["proxy_evidence"].dump();
    EXPECT_NE(s["proxy_evidence"]["via"][0].get<std::string>().find("nghttpx"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Proxies, ThroughProxy,
    ::testing::Values(ProxyCase{"nginx_sse", ProxyKind::nginx, "sse"},
                      ProxyCase{"nginx_ws", ProxyKind::nginx, "ws"},
                      ProxyCase{"nginx_sse_h2c", ProxyKind::nginx, "sse", true},
                      ProxyCase{"nginx_sse_h2_tls", ProxyKind::nginx, "sse", true, true},
                      ProxyCase{"nginx_ws_tls", ProxyKind::nginx, "ws", false, true},
                      ProxyCase{"nghttpx_sse", ProxyKind::nghttpx, "sse"},
                      ProxyCase{"nghttpx_ws", ProxyKind::nghttpx, "ws"},
                      ProxyCase{"nghttpx_sse_h2c", ProxyKind::nghttpx, "sse", true},
                      ProxyCase{"nghttpx_ws_h2c", ProxyKind::nghttpx, "ws", true},
                      ProxyCase{"nghttpx_ws_h2_tls", ProxyKind::nghttpx, "ws", true, true},
                      ProxyCase{"haproxy_sse", ProxyKind::haproxy, "sse"},
                      ProxyCase{"haproxy_ws", ProxyKind::haproxy, "ws"},
                      ProxyCase{"haproxy_sse_h2c", ProxyKind::haproxy, "sse", true},
                      ProxyCase{"haproxy_ws_h2c", ProxyKind::haproxy, "ws", true},
                      ProxyCase{"haproxy_sse_h2_tls", ProxyKind::haproxy, "sse", true, true},
                      ProxyCase{"haproxy_ws_h2_tls", ProxyKind::haproxy, "ws", true, true}),
    [](const auto& info) { return info.param.name; });

TEST(NginxGzip, CompressesEventsItselfByteForByte) {
  // The backend cannot compress: any gzip the client sees is nginx's.
  ServerProcess backend(bin("pushbench-server"), "sse", 1, std::nullopt, {"--no-compression"});
  ProxyProcess proxy(ProxyKind::nginx_gzip, backend.port(), false, false);
  const auto s = load_scenario("http://127.0.0.1:" + std::to_string(proxy.port()) + "/sse",
                               "-c 2 -r 200 --count 50 -w 0 -d 10 --payload text "
                               "--compression gzip --verify-payload");
  EXPECT_EQ(s["compression"]["negotiated_connections"], 2);
  EXPECT_EQ(s["events"]["received"], 100);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump() << s["error_causes"].dump();
  // Compressed on the wire: text events of 256 B take far fewer bytes each.
  EXPECT_LT(s["wire"]["bytes_per_event"].get<double>(), 200);
}

/// Writes a one-scenario suite and returns the scenarios of `pushbench run` on it.
nlohmann::json run_proxy_suite(const std::string& scenario, const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pushbench-proxy-suite-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "suite.json")
        << R"({"name": "proxy-test", "scenarios": [)" << scenario << "]}";
  }
  const auto out = (dir / "report.json").string();
  const auto [status, text] =
      run_command(bin("pushbench") + " run --suite " + (dir / "suite.json").string() + " --out " +
                      out + " --progress never " + args + " 2>&1",
                  90);
  EXPECT_EQ(status, 0) << text;
  std::ifstream in(out);
  const auto report = nlohmann::json::parse(in, nullptr, false);
  std::filesystem::remove_all(dir);
  if (report.is_discarded() || !report.contains("scenarios")) {
    ADD_FAILURE() << "no report: " << text;
    return nlohmann::json::array();
  }
  return report["scenarios"];
}

TEST(RunWithProxy, ReportsTheProxyAndTheBackendConnectionsItOpened) {
  const auto scenarios = run_proxy_suite(
      R"({"group": "p", "transports": ["sse", "ws"], "connections": 1, "http": "2",
          "streams": 4, "rate": 200, "count": 50, "warmup": 0, "duration": 10})",
      "--proxy nghttpx");
  ASSERT_EQ(scenarios.size(), 2u);
  for (const auto& s : scenarios) {
    ASSERT_TRUE(s.contains("proxy")) << s.dump();
    const auto& p = s["proxy"];
    EXPECT_EQ(p["name"], "nghttpx");
    EXPECT_NE(p["version"].get<std::string>().find("nghttp2/"), std::string::npos);
    EXPECT_GT(p["cpu_ns_per_event"].get<double>(), 0);
    EXPECT_GT(p["rss_bytes_peak"].get<double>(), 0);
    EXPECT_EQ(p["client_connections"], 1);
    EXPECT_EQ(p["client_streams"], 4);
    // nghttpx carries each HTTP/2 stream on a backend HTTP/1.1 connection of its own.
    EXPECT_GE(p["backend_connections"].get<int>(), 4) << p.dump();
    EXPECT_EQ(s["events"]["lost"], 0);
    EXPECT_EQ(s["events"]["received"], 200);
    EXPECT_TRUE(s["server"]["cpu_s"].is_number());  // the backend is still measured
  }
}

TEST(RunWithProxy, SaysWhatTheProxyCannotDo) {
  const auto scenarios = run_proxy_suite(
      R"({"group": "p", "transports": ["ws"], "connections": 1, "http": "2", "proxy": "nginx",
          "rate": 100, "count": 5, "warmup": 0, "duration": 2, "drain": 0.5})",
      "");
  ASSERT_EQ(scenarios.size(), 1u);
  const auto& s = scenarios[0];
  EXPECT_TRUE(has_warning(s, "RFC 8441")) << s["warnings"].dump();
  EXPECT_GT(s["errors"].value("no_extended_connect", 0), 0) << s["errors"].dump();
}

TEST(RunWithProxy, UnknownProxyIsAnError) {
  const auto [status, out] = run_command(bin("pushbench") + " run --proxy squid 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("squid"), std::string::npos) << out;
}

}  // namespace
}  // namespace pushbench::test
