// Connection (loadgen/net): the load generator's connection driver, over real loopback sockets:
// the connect step (a refused address named, the next address tried), the write queue, the read
// loop with the peer's end, paused reads, deadlines, detach, the cleartext goodbye and the TLS
// step (ALPN check, http/1.1 offered alone over a context that offers h2).
#include "loadgen/net/connection.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/net/tls.hpp"

// A named namespace: unity batches merge the anonymous namespaces of several test files.
namespace pushbench::loadgen::connection_test {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

/// Runs `ioc` until `done()` holds or `bound` passes; returns done().
bool run_until(asio::io_context& ioc, const std::function<bool()>& done,
               std::chrono::milliseconds bound = 5s) {
  const auto end = std::chrono::steady_clock::now() + bound;
  while (!done() && std::chrono::steady_clock::now() < end) {
    ioc.restart();
    ioc.run_one_for(10ms);
  }
  return done();
}

/// Runs `ioc` for `span` (what must not happen in it).
void run_for(asio::io_context& ioc, std::chrono::milliseconds span) {
  run_until(
      ioc, [] { return false; }, span);
}

/// Records every call the connection makes; hooks let a test act inside a call.
struct Recorder : ConnectionHandler {
  int connected = 0;                                      ///< on_connected calls
  int opened = 0;                                         ///< on_open calls
  std::optional<OpenFailure> failure;                     ///< on_open_failed's argument
  std::string read;                                       ///< every byte read, in order
  std::vector<std::size_t> chunks;                        ///< the size of each read
  std::optional<boost::system::error_code> read_end;      ///< on_read_end's argument
  std::optional<boost::system::error_code> held;          ///< on_error_while_paused's argument
  std::optional<boost::system::error_code> write_failed;  ///< on_write_failed's argument
  int write_failures = 0;                                 ///< on_write_failed calls
  int deadlines_after_failure = 0;  ///< on_deadline calls after on_open_failed
  int written = 0;                  ///< on_written calls
  int deadlines = 0;                ///< on_deadline calls
  std::size_t read_limit = std::numeric_limits<std::size_t>::max();  ///< next_read_size()
  std::vector<std::chrono::steady_clock::time_point> read_times;     ///< when each read came
  std::function<void()> open_hook;                                   ///< run inside on_open
  std::function<ReadNext()> read_hook;  ///< decides on_read's answer if set

  void on_connected() override { ++connected; }
  void on_open() override {
    ++opened;
    if (open_hook) open_hook();
  }
  void on_open_failed(const OpenFailure& f) override { failure = f; }
  ReadNext on_read(std::string_view bytes) override {
    read.append(bytes);
    chunks.push_back(bytes.size());
    read_times.push_back(std::chrono::steady_clock::now());
    return read_hook ? read_hook() : ReadNext::more;
  }
  void on_read_end(boost::system::error_code ec) override { read_end = ec; }
  void on_error_while_paused(boost::system::error_code ec) override { held = ec; }
  void on_write_failed(boost::system::error_code ec) override {
    write_failed = ec;
    ++write_failures;
  }
  void on_written() override { ++written; }
  void on_deadline() override {
    ++deadlines;
    if (failure) ++deadlines_after_failure;
  }
  std::size_t next_read_size() const override { return read_limit; }
};

/// A loopback peer for one connection: reads everything it is sent; sends `reply` when asked.
struct Peer {
  explicit Peer(asio::io_context& ioc)
      : acceptor(ioc, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)), socket(ioc) {
    acceptor.async_accept(socket, [this](boost::system::error_code ec) {
      accepted = !ec;
      if (accepted) do_read();
    });
  }
  void do_read() {
    socket.async_read_some(asio::buffer(buf), [this](boost::system::error_code ec, std::size_t n) {
      if (ec) {
        ended = true;
        return;
      }
      received.append(buf.data(), n);
      do_read();
    });
  }
  /// Writes `bytes`, then closes the socket if `close` is set.
  void send(std::string bytes, bool close) {
    auto owned = std::make_shared<std::string>(std::move(bytes));
    asio::async_write(socket, asio::buffer(*owned),
                      [this, owned, close](boost::system::error_code, std::size_t) {
                        boost::system::error_code ignored;
                        if (close) socket.close(ignored);
                      });
  }
  tcp::endpoint endpoint() const { return acceptor.local_endpoint(); }

  tcp::acceptor acceptor;
  tcp::socket socket;
  std::array<char, 4096> buf{};
  std::string received;   ///< what the connection wrote
  bool accepted = false;  ///< a connection came in
  bool ended = false;     ///< the connection's side ended (EOF or error)
};

/// A socket bound to a loopback port and not listening: a connect to its address is refused,
/// and no other process can take the port while it is held.
tcp::socket unlistened(asio::io_context& ioc) {
  tcp::socket socket(ioc, tcp::v4());
  socket.bind(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  return socket;
}

ConnectionOptions cleartext(std::vector<tcp::endpoint> endpoints) {
  ConnectionOptions options;
  options.endpoints = std::move(endpoints);
  return options;
}

/// One cleartext connection to a Peer, with its recorder.
class CleartextConnection : public testing::Test {
 protected:
  /// Opens the connection to `endpoints`, the peer's own address if none are given.
  void open(std::vector<tcp::endpoint> endpoints = {}) {
    if (endpoints.empty()) endpoints = {peer.endpoint()};
    c = ConnectionRef(Connection::open(ioc, cleartext(std::move(endpoints)), r));
  }

  asio::io_context ioc;
  Peer peer{ioc};
  Recorder r;
  ConnectionRef c;  ///< last: detached before the recorder goes
};

TEST(Connection, ARefusedConnectNamesTheAddress) {
  asio::io_context ioc;
  const tcp::socket held = unlistened(ioc);
  const tcp::endpoint refused = held.local_endpoint();
  Recorder r;
  ConnectionRef c(Connection::open(ioc, cleartext({refused}), r));
  ASSERT_TRUE(run_until(ioc, [&] { return r.failure.has_value(); }));
  EXPECT_EQ(r.failure->stage, OpenFailure::Stage::connect);
  EXPECT_NE(r.failure->cause.find("127.0.0.1:" + std::to_string(refused.port())), std::string::npos)
      << r.failure->cause;
  EXPECT_EQ(r.opened, 0);
  EXPECT_EQ(r.connected, 0);
  EXPECT_FALSE(r.read_end);
}

TEST(Connection, NoAddressIsAFailureNotAHang) {
  asio::io_context ioc;
  Recorder r;
  ConnectionRef c(Connection::open(ioc, cleartext({}), r));
  EXPECT_FALSE(r.failure) << "reported from within open()";
  ASSERT_TRUE(run_until(ioc, [&] { return r.failure.has_value(); }));
  EXPECT_NE(r.failure->cause.find("no address"), std::string::npos) << r.failure->cause;
}

TEST_F(CleartextConnection, TriesTheNextAddressWhenOneIsRefused) {
  const tcp::socket held = unlistened(ioc);
  open({held.local_endpoint(), peer.endpoint()});
  ASSERT_TRUE(run_until(ioc, [&] { return r.opened == 1 || r.failure; }));
  ASSERT_FALSE(r.failure) << r.failure->cause;
  EXPECT_EQ(r.connected, 1);
  EXPECT_TRUE(c->connected());
  EXPECT_TRUE(c->is_open());
  EXPECT_FALSE(c->tls());
}

TEST_F(CleartextConnection, WritesGoOutInOrderAndWrittenIsReported) {
  open();
  // Queued before the connection is open, then more while a write is in flight.
  c->write("one ");
  c->write("two ");
  c->write("");
  r.open_hook = [&] {
    c->write("three ");
    c->write(std::string(64 << 10, 'x'));
    EXPECT_TRUE(c->writing());
    c->write(" four");
  };
  const std::string expected = "one two three " + std::string(64 << 10, 'x') + " four";
  ASSERT_TRUE(run_until(ioc, [&] { return peer.received.size() >= expected.size(); }));
  EXPECT_EQ(peer.received, expected);
  ASSERT_TRUE(run_until(ioc, [&] { return r.written > 0 && !c->writing(); }));
  EXPECT_FALSE(r.write_failed);
}

TEST_F(CleartextConnection, ReadsUntilThePeerEnds) {
  open();
  r.open_hook = [&] { peer.send("hello, reader", true); };
  ASSERT_TRUE(run_until(ioc, [&] { return r.read_end.has_value(); }));
  EXPECT_EQ(r.read, "hello, reader");
  EXPECT_TRUE(Connection::is_end_of_stream(*r.read_end)) << r.read_end->message();
}

TEST_F(CleartextConnection, APausedReadResumesWithinTheReadSize) {
  r.read_limit = 3;
  open();
  r.open_hook = [&] { peer.send("abcdefghij", true); };
  r.read_hook = [&] {
    c->resume_reading_after(20ms);
    return ReadNext::paused;
  };
  ASSERT_TRUE(run_until(ioc, [&] { return r.read_end.has_value(); }));
  EXPECT_EQ(r.read, "abcdefghij");
  ASSERT_GE(r.chunks.size(), 4u);
  for (std::size_t n : r.chunks) EXPECT_LE(n, 3u);
  // No read while paused: each came a whole pause after the one before.
  for (std::size_t i = 1; i < r.read_times.size(); ++i) {
    EXPECT_GE(r.read_times[i] - r.read_times[i - 1], 20ms) << "read " << i;
  }
  EXPECT_TRUE(Connection::is_end_of_stream(*r.read_end)) << r.read_end->message();
  EXPECT_FALSE(r.held) << "the peer's end after a pause is a plain end, not a held error";
}

TEST_F(CleartextConnection, AResetEndsAPausedReadBeforeTheBytesAheadOfIt) {
  r.read_limit = 3;
  open();
  r.open_hook = [&] { peer.send("abcdefghij", false); };
  r.read_hook = [&] {
    // The peer resets while this reader waits: abortive close (SO_LINGER 0).
    peer.socket.set_option(asio::socket_base::linger(true, 0));
    boost::system::error_code ignored;
    peer.socket.close(ignored);
    c->resume_reading_after(50ms);
    return ReadNext::paused;
  };
  ASSERT_TRUE(run_until(ioc, [&] { return r.held.has_value(); }));
  EXPECT_EQ(r.read, "abc") << "the reset counts when it arrives";
  EXPECT_EQ(*r.held, asio::error::connection_reset) << r.held->message();
  EXPECT_FALSE(r.read_end) << "a held error is reported once, as held";
}

TEST_F(CleartextConnection, StopEndsTheReadLoop) {
  r.read_limit = 2;
  open();
  r.open_hook = [&] { peer.send("abcdef", true); };
  r.read_hook = [] { return ReadNext::stop; };
  run_for(ioc, 100ms);
  EXPECT_EQ(r.read, "ab");
  EXPECT_FALSE(r.read_end) << "no read was in flight to end";
}

TEST_F(CleartextConnection, DetachEndsEveryCallToTheHandler) {
  open();
  ASSERT_TRUE(run_until(ioc, [&] { return r.opened == 1 && peer.accepted; }));
  run_for(ioc, 20ms);
  // A read, a write and a deadline are pending: each completes after the detach, aborted.
  c->write(std::string(4 << 20, 'x'));
  c->set_deadline(std::chrono::steady_clock::now() + 1ms);
  c.reset();
  peer.send("unread", false);
  ASSERT_TRUE(run_until(ioc, [&] { return peer.ended; }));
  run_for(ioc, 50ms);
  EXPECT_EQ(r.opened, 1);
  EXPECT_EQ(r.read, "");
  EXPECT_FALSE(r.read_end);
  EXPECT_EQ(r.deadlines, 0);
  EXPECT_EQ(r.written, 0);
  EXPECT_FALSE(r.write_failed);
  EXPECT_FALSE(r.failure);
}

TEST(Connection, DetachWhileConnectingReportsNothing) {
  asio::io_context ioc;
  const tcp::socket held = unlistened(ioc);
  Recorder r;
  ConnectionRef c(Connection::open(ioc, cleartext({held.local_endpoint()}), r));
  c.reset();
  run_for(ioc, 50ms);
  EXPECT_FALSE(r.failure);
  EXPECT_EQ(r.opened, 0);
}

TEST_F(CleartextConnection, ADeadlineFiresOnceUnlessClearedOrReplaced) {
  open();
  const auto now = std::chrono::steady_clock::now();
  c->set_deadline(now + 5ms);
  ASSERT_TRUE(run_until(ioc, [&] { return r.deadlines == 1; }));
  // Cleared: never fires.
  c->set_deadline(std::chrono::steady_clock::now() + 5ms);
  c->clear_deadline();
  run_for(ioc, 50ms);
  EXPECT_EQ(r.deadlines, 1);
  // Replaced by a later one: fires once, at the later time.
  const auto start = std::chrono::steady_clock::now();
  c->set_deadline(start + 5ms);
  c->set_deadline(start + 60ms);
  ASSERT_TRUE(run_until(ioc, [&] { return r.deadlines == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 60ms);
  run_for(ioc, 30ms);
  EXPECT_EQ(r.deadlines, 2);
}

TEST_F(CleartextConnection, ADeadlineAlreadyDueIsStillClearedOrReplaced) {
  open();
  ASSERT_TRUE(run_until(ioc, [&] { return r.opened == 1; }));
  // The deadline's wait has completed (its handler is queued) when the owner, in a handler run
  // just before it, clears or replaces it: the queued call must not count.
  asio::steady_timer first(ioc);
  auto due_together = [&](std::function<void()> act) {
    const auto now = std::chrono::steady_clock::now();
    first.expires_at(now + 1ms);
    first.async_wait([act](boost::system::error_code ec) {
      if (!ec) act();
    });
    c->set_deadline(now + 2ms);
    std::this_thread::sleep_for(10ms);  // both due before the reactor looks again
  };
  due_together([&] { c->clear_deadline(); });
  run_for(ioc, 30ms);
  EXPECT_EQ(r.deadlines, 0) << "cleared after its wait completed";
  const auto start = std::chrono::steady_clock::now();
  due_together([&] { c->set_deadline(std::chrono::steady_clock::now() + 200ms); });
  run_for(ioc, 30ms);
  EXPECT_EQ(r.deadlines, 0) << "replaced by a later one after its wait completed";
  ASSERT_TRUE(run_until(ioc, [&] { return r.deadlines == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
}

/// TCP_QUICKACK as the kernel reports it: 0 in delayed-ACK (pingpong) mode.
int quickack(Connection& c) {
  int on = -1;
  socklen_t len = sizeof on;
  EXPECT_EQ(getsockopt(c.socket().native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, &len), 0);
  return on;
}

TEST(Connection, DelayedAcksAreAskedOnlyWhenSet) {
  asio::io_context ioc;
  Peer peer(ioc);
  Recorder plain, delayed;
  ConnectionOptions options = cleartext({peer.endpoint()});
  ConnectionRef a(Connection::open(ioc, options, plain));
  options.delayed_acks = true;
  Peer other(ioc);
  options.endpoints = {other.endpoint()};
  ConnectionRef b(Connection::open(ioc, options, delayed));
  ASSERT_TRUE(run_until(ioc, [&] { return plain.opened == 1 && delayed.opened == 1; }));
  EXPECT_EQ(quickack(*a), 1) << "the kernel's default";
  EXPECT_EQ(quickack(*b), 0);
}

TEST(Connection, DelayedAcksAreAskedAgainAfterAnIdleGapNotOnEveryRead) {
  asio::io_context ioc;
  Peer peer(ioc);
  Recorder r;
  ConnectionOptions options = cleartext({peer.endpoint()});
  options.delayed_acks = true;
  ConnectionRef c(Connection::open(ioc, options, r));
  ASSERT_TRUE(run_until(ioc, [&] { return r.opened == 1 && peer.accepted; }));
  peer.send("a", false);
  ASSERT_TRUE(run_until(ioc, [&] { return r.read == "a"; }));
  // What a kernel's delayed-ACK timer does when it leaves the mode.
  const int on = 1;
  setsockopt(c->socket().native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
  peer.send("b", false);
  ASSERT_TRUE(run_until(ioc, [&] { return r.read == "ab"; }));
  if (r.read_times[1] - r.read_times[0] < 40ms) {
    EXPECT_EQ(quickack(*c), 1) << "a read soon after the last one sets nothing";
  }
  run_for(ioc, 60ms);
  peer.send("c", false);
  ASSERT_TRUE(run_until(ioc, [&] { return r.read == "abc"; }));
  EXPECT_EQ(quickack(*c), 0) << "the first read after an idle gap asks again";
}

TEST_F(CleartextConnection, WriteNowSendsAGoodbyeWithoutWaiting) {
  open();
  EXPECT_FALSE(c->write_now("too early")) << "not open yet";
  ASSERT_TRUE(run_until(ioc, [&] { return r.opened == 1; }));
  c->write(std::string(4 << 20, 'x'));
  EXPECT_FALSE(c->write_now("inside")) << "a queued write is unfinished";
  ASSERT_TRUE(run_until(ioc, [&] { return r.written == 1; }));
  EXPECT_TRUE(c->write_now("bye"));
  c.reset();
  ASSERT_TRUE(run_until(ioc, [&] { return peer.ended; }));
  EXPECT_EQ(peer.received, std::string(4 << 20, 'x') + "bye");
}

TEST_F(CleartextConnection, AFailedWriteIsReportedOnceAndEndsWriting) {
  open();
  ASSERT_TRUE(run_until(ioc, [&] { return r.opened == 1; }));
  // The peer resets (SO_LINGER 0): a write after the reset has come back fails.
  ASSERT_TRUE(run_until(ioc, [&] { return peer.accepted; }));
  peer.socket.set_option(asio::socket_base::linger(true, 0));
  boost::system::error_code ignored;
  peer.socket.close(ignored);
  ASSERT_TRUE(run_until(ioc, [&] {
    if (!c->writing()) c->write("x");
    return r.write_failed.has_value();
  }));
  c->write("after the failure");
  run_for(ioc, 50ms);
  EXPECT_EQ(r.write_failures, 1);
  EXPECT_FALSE(c->writing()) << "nothing written after the failure";
  EXPECT_FALSE(c->write_now("bye"));
}

/// A TLS peer that completes the handshake with `alpn`, then sends `reply` and closes TCP
/// without close_notify (how our servers end a TLS stream).
struct TlsPeer {
  TlsPeer(asio::io_context& ioc, const std::vector<std::string>& alpn)
      : ctx([&] {
          tls::ServerOptions options;
          options.alpn = alpn;
          return tls::make_server_context(options);
        }()),
        acceptor(ioc, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)),
        stream(ioc, *ctx) {
    acceptor.async_accept(stream.next_layer(), [this](boost::system::error_code ec) {
      if (ec) return;
      stream.async_handshake(asio::ssl::stream_base::server, [this](boost::system::error_code e) {
        if (e) return;
        asio::async_write(stream, asio::buffer(reply), [this](boost::system::error_code, auto) {
          boost::system::error_code ignored;
          stream.next_layer().close(ignored);
        });
      });
    });
  }
  std::shared_ptr<asio::ssl::context> ctx;
  tcp::acceptor acceptor;
  ConnStream::TlsStream stream;
  std::string reply = "over tls";  ///< sent once the handshake is done
};

ConnectionOptions over_tls(const TlsPeer& peer, bool h2, bool offer_http11_only) {
  ConnectionOptions options;
  options.endpoints = {peer.acceptor.local_endpoint()};
  options.tls = tls::make_client_context({"h2", "http/1.1"}, false, "");
  options.host = "127.0.0.1";
  options.h2 = h2;
  options.offer_http11_only = offer_http11_only;
  return options;
}

TEST(Connection, TlsOpensReadsAndEndsAsAStream) {
  asio::io_context ioc;
  TlsPeer peer(ioc, {"h2", "http/1.1"});
  Recorder r;
  ConnectionRef c(Connection::open(ioc, over_tls(peer, true, false), r));
  ASSERT_TRUE(run_until(ioc, [&] { return r.read_end.has_value() || r.failure; }));
  ASSERT_FALSE(r.failure) << r.failure->cause;
  EXPECT_EQ(r.connected, 1);
  EXPECT_EQ(r.opened, 1);
  EXPECT_EQ(r.read, "over tls");
  EXPECT_TRUE(Connection::is_end_of_stream(*r.read_end)) << r.read_end->message();
  EXPECT_FALSE(c->write_now("bye")) << "a goodbye is cleartext only";
}

TEST(Connection, AnotherProtocolThanAskedIsATlsAlpnFailure) {
  asio::io_context ioc;
  TlsPeer peer(ioc, {"http/1.1"});
  Recorder r;
  ConnectionRef c(Connection::open(ioc, over_tls(peer, true, false), r));
  c->set_deadline(std::chrono::steady_clock::now() + 50ms);
  ASSERT_TRUE(run_until(ioc, [&] { return r.failure.has_value() || r.opened; }));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->stage, OpenFailure::Stage::tls);
  EXPECT_TRUE(r.failure->alpn);
  EXPECT_EQ(r.connected, 1);
  EXPECT_EQ(r.opened, 0);
  // Nothing follows a failure, though the owner has not detached: no deadline, no read end. (A
  // handshake slowed past the deadline by a loaded machine counts one before the failure.)
  EXPECT_FALSE(c->connected());
  run_for(ioc, 100ms);
  EXPECT_EQ(r.deadlines_after_failure, 0);
  EXPECT_FALSE(r.read_end);
}

TEST(Connection, OfferingHttp11AloneOverAnH2ContextGetsHttp11) {
  // The context offers h2 first and the server prefers it: without offer_http11_only an
  // HTTP/1.1 caller would get h2 and fail the ALPN check.
  asio::io_context ioc;
  TlsPeer refused(ioc, {"h2", "http/1.1"});
  Recorder without;
  ConnectionRef a(Connection::open(ioc, over_tls(refused, false, false), without));
  ASSERT_TRUE(run_until(ioc, [&] { return without.failure.has_value() || without.opened; }));
  ASSERT_TRUE(without.failure);
  EXPECT_TRUE(without.failure->alpn) << without.failure->cause;

  TlsPeer peer(ioc, {"h2", "http/1.1"});
  Recorder r;
  ConnectionRef c(Connection::open(ioc, over_tls(peer, false, true), r));
  ASSERT_TRUE(run_until(ioc, [&] { return r.read_end.has_value() || r.failure; }));
  ASSERT_FALSE(r.failure) << r.failure->cause;
  EXPECT_EQ(r.read, "over tls");
}

}  // namespace
}  // namespace pushbench::loadgen::connection_test
