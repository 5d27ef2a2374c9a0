// Graceful shutdown: a server told to stop (SIGTERM) ends every connection with its protocol's
// goodbye before it exits: HTTP/2 GOAWAY with NO_ERROR, WebSocket close 1001 (going away), the
// last chunk of an SSE response; and the load generator reports a GOAWAY by its kind.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <thread>

#include "core/codec/ws_frame.hpp"
#include "core/codec/ws_handshake.hpp"
#include "h2_client.hpp"
#include "helpers.hpp"

namespace pushbench::test {
namespace {

namespace asio = boost::asio;
using loadgen::ServerProcess;

/// Sends `request`, reads until `ready(bytes so far)`, SIGTERMs `pid`, then reads until the
/// server closes (or 5 s pass). Returns every byte received and whether the end was a clean EOF.
std::pair<std::string, bool> read_through_sigterm(
    std::uint16_t port, pid_t pid, const std::string& request,
    const std::function<bool(const std::string&)>& ready) {
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(s, asio::buffer(request));
  timeval tv{5, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  bool signalled = false;
  boost::system::error_code ec;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!signalled && ready(out)) {
      ::kill(pid, SIGTERM);
      signalled = true;
    }
    const auto n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  EXPECT_TRUE(signalled) << out;
  return {out, ec == asio::error::eof};
}

/// Waits (up to 5 s) for the server to exit by itself (a zombie), then reaps it; returns its
/// exit code, or -1 when it did not exit (or not normally).
int wait_exit(ServerProcess& server) {
  for (int i = 0; i < 500 && process_alive(server.pid()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (process_alive(server.pid())) return -1;
  const int status = server.terminate();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The close code of the first close frame in `frames` (server frames), if any.
std::optional<std::uint16_t> close_code(std::string_view frames) {
  struct Handler : ws::Handler {
    std::optional<std::uint16_t> code;
    void on_message(ws::Opcode, std::string_view, bool) override {}
    void on_control(ws::Opcode op, std::string_view payload) override {
      if (op != ws::Opcode::close || code || payload.size() < 2) return;
      code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                        static_cast<std::uint8_t>(payload[1]));
    }
  } h;
  ws::Decoder decoder(h, ws::Role::client, 1 << 20, false);
  EXPECT_FALSE(decoder.feed(frames)) << "the server's frames must be valid";
  return h.code;
}

TEST(Shutdown, Http2ConnectionGetsGoawayNoError) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const auto port = server.port();
  H2Client c(port);
  ASSERT_TRUE(c.wait_settings());
  const auto id = c.request(get(port, "/sse?rate=50&size=64"));
  ASSERT_GT(id, 0);
  ASSERT_TRUE(c.pump_until([&] { return !c.streams[id].data.empty(); }));
  ASSERT_EQ(::kill(server.pid(), SIGTERM), 0);
  ASSERT_TRUE(c.pump_until([&] { return c.goaway_error.has_value(); }));
  EXPECT_EQ(*c.goaway_error, static_cast<std::uint32_t>(NGHTTP2_NO_ERROR));
  // The GOAWAY is flushed before the end of the connection, and the server exits cleanly.
  c.pump_until([] { return false; }, std::chrono::seconds(3));
  EXPECT_TRUE(c.dead);
  EXPECT_EQ(wait_exit(server), 0);
}

std::string ws_upgrade(const std::string& path, bool deflate) {
  return "GET " + path +
         " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
         ws::make_client_key(7) + "\r\n" +
         (deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "") + "\r\n";
}

/// After the 101 head, at least one whole frame (2-byte header and a short payload) arrived.
bool has_frame(const std::string& bytes) {
  const auto end = bytes.find("\r\n\r\n");
  return end != std::string::npos && bytes.size() > end + 4 + 2;
}

TEST(Shutdown, WebSocketGetsCloseGoingAway) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const auto [bytes, eof] = read_through_sigterm(
      server.port(), server.pid(), ws_upgrade("/ws?rate=50&size=64", false), has_frame);
  ASSERT_EQ(bytes.rfind("HTTP/1.1 101", 0), 0u) << bytes;
  EXPECT_EQ(close_code(std::string_view(bytes).substr(bytes.find("\r\n\r\n") + 4)), 1001);
  EXPECT_TRUE(eof);
  EXPECT_EQ(wait_exit(server), 0);
}

TEST(Shutdown, BeastWebSocketGetsCloseGoingAway) {
  // Beast's engine sends the close frame compressed connections use (frames stay uncompressed).
  ServerProcess server(bin("pushbench-server"), "ws", 1, std::nullopt,
                       {"--ws-pmd-engine", "beast", "--pmd-min-size", "100000"});
  const auto [bytes, eof] = read_through_sigterm(
      server.port(), server.pid(), ws_upgrade("/ws?rate=50&size=64", true), has_frame);
  ASSERT_EQ(bytes.rfind("HTTP/1.1 101", 0), 0u) << bytes;
  EXPECT_NE(bytes.find("permessage-deflate"), std::string::npos) << "Beast's path not taken";
  EXPECT_EQ(close_code(std::string_view(bytes).substr(bytes.find("\r\n\r\n") + 4)), 1001);
  EXPECT_EQ(wait_exit(server), 0);
}

TEST(Shutdown, SseOverHttp11EndsWithTheLastChunk) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const auto [bytes, eof] = read_through_sigterm(
      server.port(), server.pid(), "GET /sse?rate=50&size=64 HTTP/1.1\r\nHost: x\r\n\r\n",
      [](const std::string& b) { return b.find("data:") != std::string::npos; });
  ASSERT_EQ(bytes.rfind("HTTP/1.1 200", 0), 0u) << bytes;
  EXPECT_GE(bytes.size(), 5u);
  EXPECT_EQ(bytes.substr(bytes.size() - 5), "0\r\n\r\n") << "no last chunk";
  EXPECT_TRUE(eof);
  EXPECT_EQ(wait_exit(server), 0);
}

TEST(Shutdown, LoadGeneratorCountsGoawayByKind) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/sse";
  std::pair<int, std::string> result;
  std::thread load([&] {
    result =
        run_command(bin("pushbench") + " load --url '" + url +
                    "' --http 2 -c 1 --streams 2 -r 50 -s 64 -w 0 -d 4 --json --progress never");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(server.pid(), SIGTERM);
  load.join();
  const auto report = nlohmann::json::parse(result.second, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << result.second;
  const auto& s = report["scenarios"][0];
  EXPECT_EQ(s["errors"].value("goaway", 0), 1) << s["errors"].dump();
  EXPECT_EQ(s["errors"].value("unexpected_eof", 0), 0) << s["errors"].dump();
  const auto cause = s["error_causes"].value("goaway", std::string());
  EXPECT_NE(cause.find("NO_ERROR"), std::string::npos) << s["error_causes"].dump();
}

}  // namespace
}  // namespace pushbench::test
