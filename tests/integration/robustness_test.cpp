// Bad input gets a clear error, never a crash or a hang: on the server and in the load generator.
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "helpers.hpp"
#include "core/measure/sysinfo.hpp"
#include "loadgen/run/load.hpp"

namespace pushbench::test {
namespace {

using loadgen::ServerProcess;

std::string http_get(std::uint16_t port, const std::string& target, const std::string& extra = "") {
  return http_exchange(port, "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n");
}

TEST(ServerBadInput, HttpErrorsAreClear) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const auto p = server.port();
  EXPECT_EQ(http_get(p, "/nope").rfind("HTTP/1.1 404", 0), 0u);
  auto r = http_get(p, "/sse?rate=-1");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  EXPECT_NE(r.find("rate must be"), std::string::npos);
  r = http_get(p, "/sse?bogus=1");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  EXPECT_NE(r.find("unknown parameter 'bogus'"), std::string::npos);
  EXPECT_EQ(http_get(p, "/sse?size=99999999").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(http_get(p, "/sse?rate=%zz").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(http_get(p, "/ws").rfind("HTTP/1.1 404", 0), 0u);  // transport sse serves no /ws
  r = http_get(p, "/sse", "X-Big: " + std::string(20000, 'a') + "\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 431", 0), 0u) << r.substr(0, 80);
  r = http_exchange(p, "POST /sse HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 405", 0), 0u) << r;
  r = http_exchange(p, "garbage\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  // The server is still healthy afterwards.
  EXPECT_NE(http_get(p, "/health").find("\"ok\":true"), std::string::npos);
}

TEST(ServerBadInput, WebSocketEndpointNeedsAnUpgrade) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const auto r = http_get(server.port(), "/ws");
  EXPECT_EQ(r.rfind("HTTP/1.1 426", 0), 0u) << r;
  const auto bad_version = http_get(server.port(), "/ws",
                                    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    "Sec-WebSocket-Version: 7\r\n");
  EXPECT_EQ(bad_version.rfind("HTTP/1.1 426", 0), 0u) << bad_version;
}

TEST(ServerBadInput, WebSocketFramingAnswersPingsAndDropsBadClients) {
  // The uncompressed path frames RFC 6455 itself: a ping gets a pong, an unmasked client frame
  // (a protocol error) ends the connection.
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  const std::string req =
      "GET /ws?rate=1&size=64 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
  asio::write(s, asio::buffer(req));
  timeval tv{5, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string got;
  char buf[4096];
  boost::system::error_code ec;
  while (got.find("\r\n\r\n") == std::string::npos && !ec) {
    got.append(buf, s.read_some(asio::buffer(buf), ec));
  }
  ASSERT_EQ(got.rfind("HTTP/1.1 101", 0), 0u) << got;
  EXPECT_NE(got.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos) << got;
  // A masked ping "hi" (mask 0): the pong carries the same payload.
  asio::write(s, asio::buffer(std::string("\x89\x82\x00\x00\x00\x00hi", 8)));
  while (got.find(std::string("\x8a\x02hi", 4)) == std::string::npos && !ec) {
    got.append(buf, s.read_some(asio::buffer(buf), ec));
  }
  EXPECT_NE(got.find(std::string("\x8a\x02hi", 4)), std::string::npos);
  // An unmasked text frame from a client violates RFC 6455: the server closes.
  asio::write(s, asio::buffer(std::string("\x81\x01x", 3)));
  while (!ec) s.read_some(asio::buffer(buf), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST(ServerBadInput, RawHandshakeErrors) {
  ServerProcess server(bin("pushbench-server"), "raw", 1);
  EXPECT_EQ(http_exchange(server.port(), "HELLO\n").rfind("ERROR ", 0), 0u);
  EXPECT_EQ(http_exchange(server.port(), "PUSHBENCH/1 rate=0\n").rfind("ERROR rate must be", 0), 0u);
  EXPECT_EQ(http_exchange(server.port(), std::string(5000, 'x')).rfind("ERROR handshake line", 0), 0u);
}

TEST(ServerBadInput, SlowClientIsDroppedNotBuffered) {
  // A client that never reads, asking for 64 KiB events at 2000/s: the server's queue (capped at
  // 256 KiB here) must fill and the server must drop it, with RSS staying bounded. RSS is compared
  // with the server's own before the client came (sanitizer builds start far larger).
  ServerProcess server(bin("pushbench-server"), "sse", 1, std::nullopt,
                       {"--max-queue-bytes", "262144"});
  ASSERT_NE(http_get(server.port(), "/stats").find("slow_clients_dropped"), std::string::npos);
  const auto before = sample_process(server.pid());
  ASSERT_TRUE(before);
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  s.open(asio::ip::tcp::v4());
  s.set_option(asio::socket_base::receive_buffer_size(4096));
  s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  const std::string req = "GET /sse?rate=2000&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(s, asio::buffer(req));
  std::string stats;
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stats = http_get(server.port(), "/stats");
    if (stats.find("\"slow_clients_dropped\":1") != std::string::npos) break;
  }
  EXPECT_NE(stats.find("\"slow_clients_dropped\":1"), std::string::npos) << stats;
  const auto sample = sample_process(server.pid());
  ASSERT_TRUE(sample);
  // Undropped, 2000 x 64 KiB/s would grow by 128 MB a second; dropped, it stays within a few MB
  // (the queue's 256 KiB, event buffers, and under ASan the quarantine of freed ones).
  EXPECT_LT(sample->rss_bytes, before->rss_bytes + (32u << 20))
      << "before " << before->rss_bytes << " after " << sample->rss_bytes;
}

/// A fake server that answers every connection with `response`, then keeps it open or closes it.
class FakeServer {
 public:
  FakeServer(std::string response, bool close_after)
      : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this, response, close_after] {
      boost::system::error_code ec;
      std::vector<boost::asio::ip::tcp::socket> open;
      while (!stop_) {
        boost::asio::ip::tcp::socket s(ioc_);
        acceptor_.accept(s, ec);
        if (ec || stop_) break;
        char buf[4096];
        s.read_some(boost::asio::buffer(buf), ec);
        boost::asio::write(s, boost::asio::buffer(response), ec);
        if (close_after) {
          s.close(ec);
        } else {
          open.push_back(std::move(s));
        }
      }
    });
  }
  ~FakeServer() {
    stop_ = true;
    boost::system::error_code ec;
    // Wake the blocking accept with one last connection.
    boost::asio::ip::tcp::socket s(ioc_);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

nlohmann::json load_against(const std::string& scheme, std::uint16_t port) {
  loadgen::LoadConfig lc;
  lc.url = scheme + "://127.0.0.1:" + std::to_string(port) + (scheme == "http" ? "/sse" : "/ws");
  lc.connections = 2;
  lc.warmup_s = 0;
  lc.duration_s = 0.5;
  lc.drain_s = 0.2;
  lc.connect_timeout_s = 1;
  return loadgen::run_load(lc);
}

TEST(LoadgenSurvivesMisbehavingServers, GarbageChunkIsAProtocolError) {
  FakeServer fake("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                  "Transfer-Encoding: chunked\r\n\r\nZZZ\r\n", false);
  const auto s = load_against("http", fake.port());
  EXPECT_EQ(s["errors"]["protocol_error"], 2) << s["errors"].dump();
}

TEST(LoadgenSurvivesMisbehavingServers, WrongContentTypeAndStatus) {
  FakeServer html("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nhi",
                  true);
  EXPECT_EQ(load_against("http", html.port())["errors"]["bad_content_type"], 2);
  FakeServer notfound("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", true);
  EXPECT_EQ(load_against("http", notfound.port())["errors"]["http_status"], 2);
}

TEST(LoadgenSurvivesMisbehavingServers, SilentServerTimesOut) {
  FakeServer silent("", false);
  const auto s = load_against("http", silent.port());
  EXPECT_EQ(s["errors"]["connect_timeout"], 2) << s["errors"].dump();
}

TEST(LoadgenSurvivesMisbehavingServers, BadWebSocketHandshakeAndFrames) {
  FakeServer bad_accept("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: nope\r\n\r\n",
                        false);
  EXPECT_EQ(load_against("ws", bad_accept.port())["errors"]["bad_handshake"], 2);
  FakeServer plain("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true);
  EXPECT_EQ(load_against("ws", plain.port())["errors"]["http_status"], 2);
}

TEST(LoadgenSurvivesMisbehavingServers, TruncatedChunkedStreamIsUnexpectedEof) {
  FakeServer cut("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n5\r\ndata:", true);
  EXPECT_EQ(load_against("http", cut.port())["errors"]["unexpected_eof"], 2);
}

// HTTP/2 garbage after a valid connection preface: that connection ends (GOAWAY), the server
// goes on serving others.
TEST(ServerBadInput, Http2GarbageAfterThePrefaceEndsOnlyThatConnection) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  const auto answer = http_exchange(server.port(), preface + std::string(64, '\xff'));
  EXPECT_FALSE(answer.empty());  // the server's SETTINGS and GOAWAY, then a close
  EXPECT_NE(http_exchange(server.port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                .find("{\"ok\":true}"),
            std::string::npos);
}

// Chat and resume inputs: an oversized message is refused with 413, a Last-Event-ID that is not
// one of our event numbers is ignored (the stream starts at event 0).
TEST(ServerBadInput, ChatAndResumeInputs) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  // The declared length is refused before the body arrives (so only a little of it is sent).
  const auto big = http_exchange(
      server.port(), "POST /send?stream=s HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                         std::to_string(70 << 10) + "\r\n\r\n" + std::string(1024, 'x'));
  EXPECT_EQ(big.rfind("HTTP/1.1 413", 0), 0u) << big.substr(0, 200);
  const auto resumed = http_exchange(
      server.port(),
      "GET /sse?stream=q&count=2&rate=100&size=16 HTTP/1.1\r\nHost: x\r\n"
      "Last-Event-ID: not-a-number\r\n\r\n");
  EXPECT_EQ(resumed.rfind("HTTP/1.1 200", 0), 0u) << resumed;
  EXPECT_NE(resumed.find("id: 0\n"), std::string::npos) << resumed;
  EXPECT_NE(resumed.find("id: 1\n"), std::string::npos) << resumed;
}

/// One chat client against a fake SSE server on `port`, at `rate` messages/s for `duration_s`.
nlohmann::json chat_against(std::uint16_t port, double rate, double duration_s, double drain_s) {
  loadgen::LoadConfig lc;
  lc.url = "http://127.0.0.1:" + std::to_string(port) + "/sse";
  lc.connections = 1;
  lc.chat = true;
  lc.spec.rate = rate;
  lc.warmup_s = 0;
  lc.duration_s = duration_s;
  lc.drain_s = drain_s;
  return loadgen::run_load(lc);
}

// Chat against a server that answers the POSTs with something other than 204: counted by kind.
TEST(LoadgenSurvivesMisbehavingServers, ChatPostsAnsweredWrongAreErrors) {
  FakeServer fake("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n", false);
  const auto s = chat_against(fake.port(), 50, 0.5, 0.2);
  EXPECT_EQ(s["errors"]["http_status"], 1) << s["errors"].dump();
  EXPECT_GT(s["events"]["lost"].get<std::uint64_t>(), 0u);
}

/// A fake SSE chat server: the event stream stays open and silent; the first POST connection
/// answers one request with 204, then closes as the next request arrives (a keep-alive timeout
/// racing the client's request); later POST connections answer every request.
class ClosingPostServer {
 public:
  ClosingPostServer() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] {
      for (int n = 0; !stop_; ++n) {
        auto s = std::make_shared<boost::asio::ip::tcp::socket>(ioc_);
        boost::system::error_code ec;
        acceptor_.accept(*s, ec);
        if (ec || stop_) break;
        timeval tv{0, 100000};
        setsockopt(s->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        handlers_.emplace_back([this, s] { serve(*s); });
      }
    });
  }
  ~ClosingPostServer() {
    stop_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket s(ioc_);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    accept_thread_.join();
    for (auto& t : handlers_) t.join();
  }
  std::uint16_t port() const { return port_; }
  int post_connections() const { return post_connections_; }

 private:
  void serve(boost::asio::ip::tcp::socket& s) {
    std::string in;
    char buf[4096];
    bool counted = false;                // this connection is counted as a POST connection
    bool first_post_connection = false;  // the one that closes after one answer
    int answered = 0;
    while (!stop_) {
      boost::system::error_code ec;
      const auto n = s.read_some(boost::asio::buffer(buf), ec);
      if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) continue;
      if (ec) return;
      in.append(buf, n);
      if (in.rfind("GET ", 0) == 0 && in.find("\r\n\r\n") != std::string::npos) {
        boost::asio::write(s, boost::asio::buffer(std::string(
                                  "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n")), ec);
        in.clear();
        continue;
      }
      if (!counted && in.rfind("POST ", 0) == 0) {
        counted = true;
        first_post_connection = post_connections_++ == 0;
      }
      // Every complete request (headers, then Content-Length bytes).
      for (;;) {
        const auto head = in.find("\r\n\r\n");
        if (head == std::string::npos) break;
        const auto cl = in.find("Content-Length: ");
        if (cl == std::string::npos || cl > head) return;
        const auto len = std::stoul(in.substr(cl + 16));
        if (in.size() < head + 4 + len) break;
        in.erase(0, head + 4 + len);
        if (first_post_connection && answered == 1) return;  // closes with this one unanswered
        boost::asio::write(s, boost::asio::buffer(std::string("HTTP/1.1 204 No Content\r\n\r\n")),
                           ec);
        ++answered;
      }
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> post_connections_{0};
  std::thread accept_thread_;
  std::vector<std::thread> handlers_;
};

TEST(LoadgenSurvivesMisbehavingServers, ChatPostRacingAnIdleCloseIsSentAgain) {
  ClosingPostServer fake;
  const auto s = chat_against(fake.port(), 20, 0.6, 0.3);
  const auto& chat = s["chat"];
  EXPECT_FALSE(s["errors"].contains("unexpected_eof")) << s["errors"].dump();
  EXPECT_FALSE(s["errors"].contains("read_error")) << s["errors"].dump();
  EXPECT_FALSE(s["errors"].contains("write_error")) << s["errors"].dump();
  EXPECT_GE(chat["posts_resent"].get<std::uint64_t>(), 1u) << chat.dump();
  EXPECT_EQ(chat["post_connections"], 2) << chat.dump();
  EXPECT_EQ(chat["posts_answered"], chat["messages_sent"]) << chat.dump();
  EXPECT_EQ(fake.post_connections(), 2);
}

}  // namespace
}  // namespace pushbench::test
