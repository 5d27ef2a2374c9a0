// The load generator's schedule reaches every transport: the same epoch gives the same intended
// send times on SSE, WebSocket and raw; numbers of any size survive the query; rejections say why.
#include <gtest/gtest.h>

#include <regex>

#include "core/base/clock.hpp"
#include "core/measure/sysinfo.hpp"
#include "helpers.hpp"
#include "loadgen/run/load.hpp"
#include "loadgen/run/server_process.hpp"

namespace pushbench::test {
namespace {

using loadgen::LoadConfig;
using loadgen::ServerProcess;

/// The request that asks `transport`'s server for `query` on a raw socket.
std::string request_for(const std::string& transport, const std::string& query) {
  if (transport == "raw") return "PUSHBENCH/1 " + query + "\n";
  std::string r = "GET /" + transport + "?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (transport == "ws") {
    r += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  }
  return r + "\r\n";
}

/// Every complete (seq, ts) header in `bytes` (server frames are unmasked, so WebSocket text is
/// readable as it is).
std::vector<std::pair<std::uint64_t, std::int64_t>> headers_in(const std::string& bytes) {
  std::vector<std::pair<std::uint64_t, std::int64_t>> out;
  static const std::regex re("\\{\"seq\":([0-9]+),\"ts\":([0-9]+),");
  for (std::sregex_iterator it(bytes.begin(), bytes.end(), re), end; it != end; ++it) {
    out.emplace_back(std::stoull((*it)[1]), std::stoll((*it)[2]));
  }
  return out;
}

class ScheduleByTransport : public ::testing::TestWithParam<std::string> {};

TEST_P(ScheduleByTransport, EventsFallOnTheEpochGridTheClientChose) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  constexpr std::int64_t kPeriod = 10'000'000;  // 100 events/s
  // An epoch in the past with an odd offset: the stream must take the next grid point.
  const std::int64_t now = realtime_ns();
  const std::int64_t epoch = now - 7 * kPeriod - 3'456'789;
  const std::string query = "rate=100&size=64&count=4&epoch=" + std::to_string(epoch);
  const auto bytes = http_exchange(server.port(), request_for(GetParam(), query), "\"seq\":3,");
  const auto headers = headers_in(bytes);
  ASSERT_GE(headers.size(), 3u) << bytes.substr(0, 400);
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const auto [seq, ts] = headers[i];
    EXPECT_EQ(seq, i);
    EXPECT_EQ((ts - epoch) % kPeriod, 0) << "seq " << seq << " is off the grid by "
                                          << (ts - epoch) % kPeriod << " ns";
  }
  EXPECT_GE(headers[0].second, now) << "event 0 must not be back-dated before the request";
  EXPECT_LT(headers[0].second, now + 2 * kPeriod + 500'000'000);
}

TEST_P(ScheduleByTransport, AnEpochFarFromTheServersClockIsABadRequest) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  const auto answer = http_exchange(server.port(), request_for(GetParam(), "rate=10&epoch=1"));
  EXPECT_NE(answer.find("epoch is more than a day away"), std::string::npos) << answer;
  EXPECT_NE(answer.find(GetParam() == "raw" ? "ERROR " : " 400 "), std::string::npos) << answer;
}

/// One short connection asking for payload=file from `server`, which has no --payload-file.
LoadConfig refused_payload_file_load(const std::string& transport, const ServerProcess& server) {
  LoadConfig lc;
  lc.url = url_for(transport, server.port());
  lc.spec.payload = PayloadKind::file;
  lc.connections = 1;
  lc.warmup_s = 0;
  lc.duration_s = 0.3;
  lc.drain_s = 0;
  return lc;
}

TEST_P(ScheduleByTransport, ARejectedStreamSaysWhyInErrorCauses) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  const auto s = loadgen::run_load(refused_payload_file_load(GetParam(), server));
  const std::string kind = GetParam() == "raw" ? "bad_handshake" : "http_status";
  ASSERT_TRUE(s["error_causes"].contains(kind)) << s["errors"].dump() << s["error_causes"].dump();
  const auto cause = s["error_causes"][kind].get<std::string>();
  EXPECT_NE(cause.find("payload=file needs a server started with --payload-file"),
            std::string::npos) << cause;
  if (GetParam() != "raw") {
    EXPECT_NE(cause.find("400"), std::string::npos) << cause;
  }
}

// The same refusal over HTTP/2 (SSE and WebSocket streams): the stream's status and body line.
TEST_P(ScheduleByTransport, ARejectedHttp2StreamSaysWhyInErrorCauses) {
  if (GetParam() == std::string("raw")) GTEST_SKIP() << "raw has no HTTP/2";
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  LoadConfig lc = refused_payload_file_load(GetParam(), server);
  lc.http = loadgen::HttpVersion::h2;
  lc.streams = 2;
  const auto s = loadgen::run_load(lc);
  ASSERT_TRUE(s["error_causes"].contains("http_status"))
      << s["errors"].dump() << s["error_causes"].dump();
  EXPECT_EQ(s["error_causes"]["http_status"].get<std::string>(),
            "HTTP/2 400: payload=file needs a server started with --payload-file");
}

TEST_P(ScheduleByTransport, RatesWhoseShortestFormHasAnExponentReachTheServer) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  LoadConfig lc;
  lc.url = url_for(GetParam(), server.port());
  lc.connections = 1;
  lc.spec.rate = 100000;  // shortest form "1e+05"
  lc.spec.size = 64;
  lc.spec.count = 2000;
  lc.warmup_s = 0;
  lc.duration_s = 10;
  const auto s = loadgen::run_load(lc);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump() << s["error_causes"].dump();
  EXPECT_EQ(s["events"]["received"], 2000);
  EXPECT_DOUBLE_EQ(s["workload"]["rate_per_stream"].get<double>(), 100000);
}

TEST_P(ScheduleByTransport, ReportNamesThePhaseAndCountsWakeups) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  for (auto phase : {loadgen::Phase::aligned, loadgen::Phase::spread}) {
    LoadConfig lc;
    lc.url = url_for(GetParam(), server.port());
    lc.connections = 20;
    lc.spec.rate = 100;
    lc.spec.size = 64;
    lc.warmup_s = 0.2;
    lc.duration_s = 0.6;
    lc.phase = phase;
    lc.server_pid = server.pid();
    const auto s = loadgen::run_load(lc);
    EXPECT_EQ(s["schedule"]["phase"], loadgen::to_string(phase));
    EXPECT_EQ(s["events"]["lost"], 0);
    ASSERT_TRUE(s["server"]["wakeups_per_event"].is_number()) << s["server"].dump();
    ASSERT_TRUE(s["loadgen"]["wakeups_per_event"].is_number());
    // Twenty streams due together are served in far fewer wake-ups than events.
    if (phase == loadgen::Phase::aligned) {
      EXPECT_LT(s["server"]["wakeups_per_event"].get<double>(), 0.5) << s["server"].dump();
    }
  }
}

TEST_P(ScheduleByTransport, LoadGeneratorWakesOncePerEventOnly) {
  // Nothing of the load generator's own (no completion poll, no RSS sampling thread while the
  // server's peak is the kernel's mark) wakes it between events: at 100 events/s a timer of
  // 50 wake-ups a second would add 0.5 per event.
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  if (!reset_peak_rss(server.pid())) GTEST_SKIP() << "clear_refs is not writable: RSS is sampled";
  LoadConfig lc;
  lc.url = url_for(GetParam(), server.port());
  lc.connections = 1;
  lc.spec.rate = 100;
  lc.spec.size = 64;
  lc.warmup_s = 0.2;
  lc.duration_s = 2;
  lc.server_pid = server.pid();
  const auto s = loadgen::run_load(lc);
  EXPECT_EQ(s["events"]["lost"], 0);
  ASSERT_TRUE(s["loadgen"]["wakeups_per_event"].is_number()) << s["loadgen"].dump();
  EXPECT_LT(s["loadgen"]["wakeups_per_event"].get<double>(), 1.25) << s["loadgen"].dump();
  EXPECT_GT(s["server"]["rss_bytes_peak"].get<double>(), 0) << s["server"].dump();
}

INSTANTIATE_TEST_SUITE_P(Transports, ScheduleByTransport, ::testing::Values("sse", "ws", "raw"));

}  // namespace
}  // namespace pushbench::test
