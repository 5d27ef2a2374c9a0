// Fuzzes the servers' connection handling with arbitrary client bytes over a real loopback TCP
// connection: the HTTP/1.1 request head (Beast's parser, our routing, the workload query, the
// WebSocket upgrade and then frames, POST /send) and, with the connection preface prepended, the
// HTTP/2 connection (nghttp2 plus our request handling, extended CONNECT, WebSocket frames in
// DATA). The SSE and WebSocket servers are in-process (HttpSession on one io_context, as a
// pushbench-server thread runs it); the input is written in random chunks, then the client
// half-closes, reads what comes back (bounded), and closes.
// Invariants: (1) an HTTP/1.x answer starts with "HTTP/1.1 " (or "HTTP/1.0 " to an HTTP/1.0
// request); an HTTP/2 one with the server's
// SETTINGS frame; (2) every connection the server accepted is closed within 2 s of the client
// closing (no connection or stream outlives its client).
#include <boost/asio/write.hpp>
#include <chrono>

#include "servers/server.hpp"
#include "servers/stream/echo_registry.hpp"
#include "servers/carrier/http_session.hpp"
#include "servers/stream/resume_registry.hpp"
#include "servers/stream/topic.hpp"
#include "servers/codec/ws_compressor.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

namespace asio = boost::asio;
namespace server = pushbench::server;
using pushbench::Transport;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// One in-process server thread of a transport, accepting on a loopback port.
struct Env {
  explicit Env(Transport t) {
    config.transport = t;
    config.request_timeout = std::chrono::milliseconds(500);
    config.max_resumable_streams = 64;
    config.resume_history = 64;
    server::WsCompressor::configure_shared(config);
    stats_source = std::make_unique<server::Server>(config);  // answers /stats
    ctx.config = &config;
    ctx.topics = &topics;
    ctx.resumes = &resumes;
    ctx.echoes = &echoes;
    ctx.server_stats = [s = stats_source.get()] { return s->stats_json(); };
    acceptor.open(tcp::v4());
    acceptor.bind({asio::ip::address_v4::loopback(), 0});
    acceptor.listen();
  }
  server::ServerConfig config;
  server::ThreadContext ctx;
  server::TopicRegistry topics{{&ctx}};
  server::ResumeRegistry resumes{64, 64};
  server::EchoRegistry echoes{64};
  std::unique_ptr<server::Server> stats_source;
  tcp::acceptor acceptor{ctx.ioc};
  std::uint64_t accepted = 0;  ///< connections handed to an HttpSession
};

/// Never destroyed: connections still queued on an io_context at exit refer to the registries.
Env& env(Transport t) {
  static Env* const sse = new Env(Transport::sse);
  static Env* const ws = new Env(Transport::ws);
  return t == Transport::sse ? *sse : *ws;
}

/// Runs handlers until `done()` or `deadline`.
template <typename Done>
void run_until(Env& e, Done done, Clock::time_point deadline) {
  while (!done() && Clock::now() < deadline) {
    e.ctx.ioc.restart();
    e.ctx.ioc.run_one_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = pushbench::fuzz::as_view(data, size);
  const std::uint8_t knobs = pushbench::fuzz::take_byte(in);
  Env& e = env((knobs & 1) ? Transport::ws : Transport::sse);
  const bool h2 = knobs & 2;
  const std::uint64_t seed = knobs >> 2;
  std::string bytes = h2 ? std::string(kPreface) : std::string();
  bytes.append(in);

  // libFuzzer's timeout timer (SIGALRM) can interrupt the blocking connect and accept: retry.
  tcp::socket client(e.ctx.ioc);
  boost::system::error_code cec;
  for (int tries = 0; tries < 1000; ++tries) {
    client.connect(e.acceptor.local_endpoint(), cec);
    if (cec != asio::error::interrupted && cec != asio::error::already_started) break;
  }
  if (cec && cec != asio::error::already_connected) return 0;  // no connection: nothing to test
  tcp::socket accepted(e.ctx.ioc);
  for (int tries = 0; tries < 1000; ++tries) {
    e.acceptor.accept(accepted, cec);
    if (cec != asio::error::interrupted) break;
  }
  if (cec) return 0;
  ++e.accepted;
  e.ctx.stats.add(e.ctx.stats.accepted);
  std::make_shared<server::HttpSession>(e.ctx, std::move(accepted))->start();

  boost::system::error_code ec;
  for (auto chunk : pushbench::fuzz::split(bytes, seed)) {
    asio::write(client, asio::buffer(chunk.data(), chunk.size()), ec);
    if (ec) break;
    e.ctx.ioc.restart();
    e.ctx.ioc.poll();
  }
  client.shutdown(tcp::socket::shutdown_send, ec);

  // Read the answer: until EOF, 256 KiB (a stream that goes on) or 100 ms.
  std::string answer;
  std::array<char, 16384> buf{};
  bool reading = true;
  std::function<void()> read_more = [&] {
    client.async_read_some(asio::buffer(buf), [&](boost::system::error_code rec, std::size_t n) {
      answer.append(buf.data(), n);
      if (rec || answer.size() >= (256u << 10)) {
        reading = false;
        return;
      }
      read_more();
    });
  };
  read_more();
  run_until(e, [&] { return !reading; }, Clock::now() + std::chrono::milliseconds(100));
  client.close();
  run_until(e, [&] { return !reading; }, Clock::now() + std::chrono::seconds(1));  // the abort

  if (!answer.empty()) {
    if (bytes.starts_with(kPreface)) {  // the knob's, or one the input wrote itself
      FUZZ_CHECK(answer.size() >= 9 && answer[3] == 4);  // SETTINGS first
    } else {
      if (!answer.starts_with("HTTP/1.")) pushbench::fuzz::print_escaped("answer", answer);
      FUZZ_CHECK(answer.starts_with("HTTP/1.1 ") || answer.starts_with("HTTP/1.0 "));
    }
  }
  run_until(e, [&] { return e.ctx.stats.closed.load() == e.accepted; },
            Clock::now() + std::chrono::seconds(2));
  FUZZ_CHECK(e.ctx.stats.closed.load() == e.accepted);
  return 0;
}
