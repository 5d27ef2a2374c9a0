// Compression end to end: gzip/deflate SSE, permessage-deflate WebSocket, external clients,
// corrupted streams, user payload files.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/contract/event.hpp"
#include "core/codec/sse_parser.hpp"
#include "helpers.hpp"
#include <thread>

#include "loadgen/run/load.hpp"

namespace pushbench::test {
namespace {

using loadgen::Compression;
using loadgen::LoadConfig;
using loadgen::ServerProcess;

struct Case {
  std::string transport;
  Compression algorithm;
  bool no_context_takeover;
  std::string name;
};

class CompressedLoad : public ::testing::TestWithParam<Case> {};

TEST_P(CompressedLoad, EveryEventInflatesToTheExactBytesAndTheWireShrinks) {
  const auto& c = GetParam();
  std::vector<std::string> server_args;
  if (c.no_context_takeover) {
    server_args = {"--sse-reset-per-event", "--pmd-server-no-context-takeover",
                   "--pmd-client-no-context-takeover"};
  }
  ServerProcess server(bin("pushbench-server"), c.transport, 1, std::nullopt, server_args);
  LoadConfig lc;
  lc.url = (c.transport == "sse" ? "http://" : "ws://") + std::string("127.0.0.1:") +
           std::to_string(server.port()) + (c.transport == "sse" ? "/sse" : "/ws");
  lc.connections = 4;
  lc.spec.rate = 300;
  lc.spec.size = 1024;
  lc.spec.count = 120;
  lc.warmup_s = 0;
  lc.duration_s = 20;
  lc.verify_payload = true;
  lc.compression.algorithm = c.algorithm;
  lc.compression.no_context_takeover = c.no_context_takeover;
  const auto s = loadgen::run_load(lc);
  EXPECT_EQ(s["events"]["expected"], 4 * 120);
  EXPECT_EQ(s["events"]["received"], 4 * 120);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  EXPECT_EQ(s["compression"]["algorithm"], std::string(loadgen::to_string(c.algorithm)));
  EXPECT_EQ(s["compression"]["negotiated_connections"], 4);
  // JSON ticker records compress well: far fewer wire bytes than payload bytes.
  EXPECT_LT(s["wire"]["bytes_per_event"].get<double>(), 1024.0 * 0.8) << s["wire"].dump();
}

INSTANTIATE_TEST_SUITE_P(
    Options, CompressedLoad,
    ::testing::Values(Case{"sse", Compression::gzip, false, "SseGzip"},
                      Case{"sse", Compression::deflate, false, "SseDeflate"},
                      Case{"sse", Compression::gzip, true, "SseGzipResetPerEvent"},
                      Case{"ws", Compression::permessage_deflate, false, "WsPmd"},
                      Case{"ws", Compression::permessage_deflate, true, "WsPmdNoContext"}),
    [](const auto& info) { return info.param.name; });

TEST(Compression, ContextTakeoverBeatsPerEventReset) {
  auto bytes_per_event = [](bool reset) {
    ServerProcess server(bin("pushbench-server"), "sse", 1, std::nullopt,
                         reset ? std::vector<std::string>{"--sse-reset-per-event"}
                               : std::vector<std::string>{});
    LoadConfig lc;
    lc.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/sse";
    lc.connections = 2;
    lc.spec.rate = 500;
    lc.spec.size = 512;
    lc.spec.count = 200;
    lc.warmup_s = 0;
    lc.compression.algorithm = Compression::gzip;
    return loadgen::run_load(lc)["wire"]["bytes_per_event"].get<double>();
  };
  EXPECT_LT(bytes_per_event(false), bytes_per_event(true));
}

TEST(Compression, ServerThatDeclinesIsReportedNotFatal) {
  ServerProcess server(bin("pushbench-server"), "ws", 1, std::nullopt, {"--no-compression"});
  LoadConfig lc;
  lc.url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws";
  lc.connections = 2;
  lc.spec.count = 20;
  lc.spec.rate = 500;
  lc.warmup_s = 0;
  lc.compression.algorithm = Compression::permessage_deflate;
  const auto s = loadgen::run_load(lc);
  EXPECT_EQ(s["compression"]["negotiated_connections"], 0);
  EXPECT_EQ(s["events"]["received"], 40);
  bool warned = false;
  for (const auto& w : s["warnings"]) warned |= w.get<std::string>().find("declined") != std::string::npos;
  EXPECT_TRUE(warned) << s["warnings"].dump();
}

TEST(Compression, MismatchedAlgorithmIsAConfigurationError) {
  LoadConfig lc;
  lc.url = "ws://127.0.0.1:1/ws";
  lc.compression.algorithm = Compression::gzip;
  EXPECT_THROW(loadgen::run_load(lc), std::runtime_error);
}

TEST(Compression, CurlCompressedReadsOurGzipStream) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(server.port()) + "/sse?rate=200&size=400&count=6";
  // -D - prints the response header first, so the test sees that gzip was really used.
  const auto [rc, out] = run_command("curl -sS -N --compressed -D - --max-time 10 '" + url + "'");
  ASSERT_EQ(rc, 0) << out;
  const auto body_at = out.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  EXPECT_NE(out.substr(0, body_at).find("Content-Encoding: gzip"), std::string::npos) << out;
  struct Collect final : sse::Handler {
    std::vector<std::string> data;
    void on_event(const sse::Event& ev) override { data.emplace_back(ev.data); }
  } c;
  sse::Parser parser(c);
  ASSERT_FALSE(parser.feed(std::string_view(out).substr(body_at + 4)));
  ASSERT_EQ(c.data.size(), 6u);
  for (std::size_t i = 0; i < c.data.size(); ++i) {
    EXPECT_EQ(parse_event_header(c.data[i])->seq, i);
    EXPECT_TRUE(verify_event_data(c.data[i], PayloadKind::json, 400));
  }
}

TEST(Compression, PythonWebsocketsNegotiatesPermessageDeflate) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const std::string url =
      "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws?rate=500&size=700&count=15";
  const auto [rc, out] = run_command("/usr/bin/python3 " + source("tests/ws_client.py") +
                                     " --deflate '" + url + "' 15");
  ASSERT_EQ(rc, 0) << out;
  std::istringstream lines(out);
  std::string line;
  std::size_t i = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(parse_event_header(line)->seq, i++);
    EXPECT_TRUE(verify_event_data(line, PayloadKind::json, 700)) << line;
  }
  EXPECT_EQ(i, 15u);
}

TEST(Compression, CorruptedGzipStreamIsADecompressError) {
  // A valid gzip header, then bytes that are not a deflate stream.
  std::string body = std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + "\xff\xfe garbage";
  std::string chunk;
  char hex[16];
  std::snprintf(hex, sizeof hex, "%zx", body.size());
  chunk = std::string(hex) + "\r\n" + body + "\r\n";
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" + chunk;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  std::thread fake([&] {
    for (int i = 0; i < 2; ++i) {
      boost::asio::ip::tcp::socket s(ioc);
      boost::system::error_code ec;
      acceptor.accept(s, ec);
      if (ec) return;
      char buf[4096];
      const auto n = s.read_some(boost::asio::buffer(buf), ec);
      // The load generator's probe for our servers' counters: not one of the two streams.
      if (std::string_view(buf, n).starts_with("GET /stats ")) {
        --i;
        continue;
      }
      boost::asio::write(s, boost::asio::buffer(response), ec);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  LoadConfig lc;
  lc.url = "http://127.0.0.1:" + std::to_string(port) + "/sse";
  lc.connections = 2;
  lc.warmup_s = 0;
  lc.duration_s = 0.5;
  lc.drain_s = 0.1;
  lc.compression.algorithm = Compression::gzip;
  const auto s = loadgen::run_load(lc);
  fake.join();
  EXPECT_EQ(s["errors"]["decompress_error"], 2) << s["errors"].dump();
}

TEST(PayloadFile, ServerReplaysTheUsersMessagesAndTheLoadgenVerifiesThem) {
  const std::string path = std::string(PUSHBENCH_BIN_DIR) + "/../payload-sample.txt";
  {
    std::ofstream out(path);
    out << "{\"type\":\"trade\",\"sym\":\"AAPL\",\"px\":187.2}\n"
        << "plain text, not JSON \"quoted\"\n\n"
        << "{\"type\":\"quote\",\"bid\":1,\"ask\":2}\r\n";
  }
  ServerProcess server(bin("pushbench-server"), "sse", 1, std::nullopt, {"--payload-file", path});
  LoadConfig lc;
  lc.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/sse";
  lc.connections = 2;
  lc.spec.rate = 500;
  lc.spec.count = 30;
  lc.spec.payload = PayloadKind::file;
  lc.warmup_s = 0;
  lc.verify_payload = true;
  auto lines = read_payload_lines(path);
  ASSERT_TRUE(std::holds_alternative<PayloadLines>(lines));
  EXPECT_EQ(std::get<PayloadLines>(lines).size(), 3u);
  lc.payload_lines = std::make_shared<const PayloadLines>(std::get<PayloadLines>(lines));
  const auto s = loadgen::run_load(lc);
  EXPECT_EQ(s["events"]["received"], 60);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  EXPECT_EQ(s["workload"]["payload_kind"], "file");
  // A server without the file refuses payload=file with a clear 400.
  ServerProcess plain(bin("pushbench-server"), "sse", 1);
  const auto r = http_exchange(plain.port(), "GET /sse?payload=file HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  EXPECT_NE(r.find("--payload-file"), std::string::npos);
}

}  // namespace
}  // namespace pushbench::test

namespace pushbench::test {
namespace {

// A broadcast without context takeover compressed once for every subscriber: the frames are
// shared, yet every subscriber inflates the exact bytes, over HTTP/1.1 and HTTP/2 (RFC 8441).
TEST(Compression, SharedBroadcastFramesInflateExactlyForEverySubscriber) {
  loadgen::ServerProcess server(bin("pushbench-server"), "ws", 1, std::nullopt,
                                {"--pmd-shared-broadcast", "--pmd-server-no-context-takeover"});
  for (const auto http : {loadgen::HttpVersion::h1, loadgen::HttpVersion::h2}) {
    loadgen::LoadConfig lc;
    lc.url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws";
    lc.http = http;
    lc.connections = 6;
    lc.spec.rate = 200;
    lc.spec.size = 1024;
    lc.spec.count = 100;
    lc.spec.topic = http == loadgen::HttpVersion::h1 ? "shared-h1" : "shared-h2";
    lc.warmup_s = 0;
    lc.duration_s = 20;
    lc.verify_payload = true;
    lc.compression.algorithm = loadgen::Compression::permessage_deflate;
    lc.compression.no_context_takeover = true;
    const auto s = loadgen::run_load(lc);
    EXPECT_EQ(s["events"]["lost"], 0) << s["events"].dump();
    EXPECT_GT(s["events"]["received"].get<std::uint64_t>(), 0u);
    EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
    EXPECT_EQ(s["compression"]["negotiated_connections"], 6);
    EXPECT_LT(s["wire"]["bytes_per_event"].get<double>(), 1024.0 * 0.8) << s["wire"].dump();
  }
}

}  // namespace
}  // namespace pushbench::test
