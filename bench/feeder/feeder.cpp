// pushbench-feeder: a reference sender for measuring what one load-generator core absorbs.
//
// On a machine with two cores, one core is all a server has to feed the load generator's, and
// pushbench-server fills it before the load generator fills its own (results section 7). The
// feeder serves the same streams with the same bytes for a fraction of the CPU: one thread,
// epoll, a periodic tick (timerfd) at which every stream's due events are encoded into its
// buffer and written with one send(2). It takes the parts of pushbench-server's command line
// that `pushbench run` passes (`--transport`, `--listen` (IPv4 here), `--port-file`,
// `--threads 1`, `--quiet`, `--timer-slack-us` as its tick), so a suite can start it in the
// server's place (suite key `server`).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "bench/feeder/feed_stream.hpp"
#include "core/base/clock.hpp"

namespace pushbench::feeder {
namespace {

/// Unsent bytes at which a connection is dropped, as pushbench-server drops a client at its
/// queue limit: below it, due events wait (keeping their intended times, so the wait shows in
/// the receiver's latency).
constexpr std::size_t kMaxPending = 4 << 20;
/// Bytes encoded for one connection per tick at most, so that one stream cannot starve the rest.
constexpr std::size_t kMaxPerTick = 256 << 10;
/// A handshake must be complete, and a closing connection closed by its peer, within this.
constexpr std::chrono::seconds kGrace{10};
/// Reads of one connection per readiness, so that a client that keeps writing cannot hold the loop.
constexpr int kMaxReadsPerWake = 16;

/// The command line.
struct Options {
  std::string transport;               ///< sse | ws | raw
  std::string listen = "127.0.0.1:0";  ///< IPv4:PORT to bind (port 0: any)
  std::string port_file;               ///< written (atomically) with the bound port
  unsigned threads = 1;                ///< accepted for pushbench-server's command line; must be 1
  unsigned tick_us = 1000;             ///< --timer-slack-us: the sending period
  bool quiet = false;                  ///< no start-up line, no refusal or drop lines
};

/// One accepted connection.
struct Conn {
  int fd = -1;                       ///< the socket, non-blocking
  std::string in;                    ///< the handshake's bytes so far (at most kMaxHandshakeBytes)
  std::string out;                   ///< bytes not yet written, from out_at
  std::size_t out_at = 0;            ///< first unwritten byte of out
  std::optional<FeedStream> stream;  ///< once the handshake is accepted
  bool closing = false;              ///< rejected or ended: FIN once out is written, then wait
                                     ///< for the peer's close
  std::optional<SteadyClock::time_point> deadline;  ///< closed here if still in its handshake
                                                    ///< or closing by then (none: streaming)
};

class Feeder {
 public:
  Feeder(Framing framing, const Options& o) : framing_(framing), options_(o) {}
  /// Binds, writes the port file and serves until killed; returns an exit code on set-up errors.
  int run();

 private:
  bool listen_on(const std::string& host_port);
  void on_accept();
  void on_readable(Conn& c);
  /// Judges the handshake bytes read so far; starts the stream or queues the refusal.
  void on_handshake(Conn& c);
  void on_tick();
  /// Writes what the socket takes; closes the connection on an error or at kMaxPending.
  void flush(Conn& c);
  void close_conn(int fd);
  /// Takes the listener out of epoll (accept4 failed for want of descriptors) or back in.
  void pause_accepting(bool paused);

  Framing framing_;
  const Options& options_;
  int epoll_ = -1;              ///< the one epoll instance
  int listener_ = -1;           ///< the listening socket
  int timer_ = -1;              ///< the tick's timerfd
  bool accept_paused_ = false;  ///< the listener is out of epoll until a connection closes
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;  ///< by descriptor
};

bool Feeder::listen_on(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  std::uint16_t port = 0;
  const char* port_end = host_port.data() + host_port.size();
  const auto parsed = colon == std::string::npos
                          ? std::from_chars_result{port_end, std::errc::invalid_argument}
                          : std::from_chars(host_port.data() + colon + 1, port_end, port);
  if (parsed.ec != std::errc{} || parsed.ptr != port_end ||
      inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    std::cerr << "pushbench-feeder: --listen wants IPv4:PORT (port 0-65535), got '" << host_port
              << "'\n";
    return false;
  }
  addr.sin_port = htons(port);
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t len = sizeof addr;
  if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener_, 1024) != 0 ||
      getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::cerr << "pushbench-feeder: cannot listen on " << host_port << ": " << std::strerror(errno)
              << "\n";
    return false;
  }
  port = ntohs(addr.sin_port);
  if (!options_.port_file.empty()) {
    const std::string tmp = options_.port_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    if (std::rename(tmp.c_str(), options_.port_file.c_str()) != 0) {
      std::cerr << "pushbench-feeder: cannot write --port-file " << options_.port_file << "\n";
      return false;
    }
  }
  if (!options_.quiet) {
    std::cerr << "pushbench-feeder: " << options_.transport << " on " << host_port.substr(0, colon)
              << ":" << port << ", a tick every " << options_.tick_us << " us\n";
  }
  return true;
}

int Feeder::run() {
  if (!listen_on(options_.listen)) return 1;
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  const long tick_ns = static_cast<long>(options_.tick_us) * 1000;
  const itimerspec period{{tick_ns / 1'000'000'000, tick_ns % 1'000'000'000},
                          {tick_ns / 1'000'000'000, tick_ns % 1'000'000'000}};
  bool ok = epoll_ >= 0 && timer_ >= 0 && timerfd_settime(timer_, 0, &period, nullptr) == 0;
  for (const int fd : {listener_, timer_}) {
    epoll_event ev{EPOLLIN, {.fd = fd}};
    ok = ok && epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) == 0;
  }
  if (!ok) {
    std::cerr << "pushbench-feeder: cannot set up epoll and the tick: " << std::strerror(errno)
              << "\n";
    return 1;
  }
  epoll_event events[256];
  for (;;) {
    const int n = epoll_wait(epoll_, events, 256, -1);
    if (n < 0 && errno != EINTR) {
      std::cerr << "pushbench-feeder: epoll_wait: " << std::strerror(errno) << "\n";
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener_) {
        on_accept();
      } else if (fd == timer_) {
        std::uint64_t expirations = 0;
        if (read(timer_, &expirations, sizeof expirations) > 0) on_tick();
      } else if (auto it = conns_.find(fd); it != conns_.end()) {
        on_readable(*it->second);
      }
    }
  }
}

void Feeder::on_accept() {
  for (;;) {
    const int fd = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // The listener would stay readable and the loop spin: wait for a connection to close.
        if (!options_.quiet)
          std::cerr << "pushbench-feeder: accept: " << std::strerror(errno) << "\n";
        pause_accepting(true);
      }
      return;  // EAGAIN, or a connection that went away before it was taken
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event ev{EPOLLIN | EPOLLRDHUP, {.fd = fd}};
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close(fd);
      continue;
    }
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->deadline = SteadyClock::now() + kGrace;
    conns_[fd] = std::move(c);
  }
}

void Feeder::on_readable(Conn& c) {
  char buf[4096];
  for (int reads = 0; reads < kMaxReadsPerWake; ++reads) {
    const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n == 0 && !c.stream && !c.closing && !c.in.empty()) {
      // The request and the client's FIN came together: it still gets its refusal, if any.
      auto result = parse_handshake(framing_, c.in, realtime_ns());
      if (const auto* r = std::get_if<Rejected>(&result)) {
        [[maybe_unused]] const auto sent =
            send(c.fd, r->response.data(), r->response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      }
    }
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return close_conn(c.fd);
    if (n < 0) break;
    // Past the handshake the client's bytes (WebSocket pongs and its close) are read and dropped.
    if (c.stream || c.closing) continue;
    c.in.append(buf, std::min(static_cast<std::size_t>(n), kMaxHandshakeBytes - c.in.size()));
    if (c.in.size() >= kMaxHandshakeBytes) break;  // parse_handshake refuses it
  }
  if (!c.stream && !c.closing) on_handshake(c);
}

void Feeder::on_handshake(Conn& c) {
  auto result = parse_handshake(framing_, c.in, realtime_ns());
  if (std::holds_alternative<NeedMore>(result)) return;
  if (auto* r = std::get_if<Rejected>(&result)) {
    if (!options_.quiet) std::cerr << "pushbench-feeder: refused a stream: " << r->reason << "\n";
    c.out = std::move(r->response);
    c.closing = true;
    c.deadline = SteadyClock::now() + kGrace;
  } else {
    auto& a = std::get<Accepted>(result);
    c.out = std::move(a.response);
    c.stream.emplace(framing_, std::move(a.spec), realtime_ns());
    c.deadline.reset();
  }
  c.in.clear();
  c.in.shrink_to_fit();
  flush(c);
}

void Feeder::on_tick() {
  const auto now = SteadyClock::now();
  pause_accepting(false);  // after a failed accept4, try again once a tick
  for (auto it = conns_.begin(); it != conns_.end();) {
    Conn& c = *(it++)->second;  // flush() and close_conn() erase c, not the next one
    if (c.deadline && now >= *c.deadline) {
      close_conn(c.fd);
      continue;
    }
    bool ended_now = false;
    if (c.stream && !c.stream->ended()) {
      // One clock reading a batch: its events' `st`, and what is due by then.
      c.stream->append_due(c.out, realtime_ns(), c.out.size() + kMaxPerTick);
      if (c.stream->ended()) {
        c.closing = true;
        c.deadline = now + kGrace;
        ended_now = true;  // raw's end adds no bytes: flush() sends the FIN
      }
    }
    if (c.out_at < c.out.size() || ended_now) flush(c);
  }
}

void Feeder::flush(Conn& c) {
  while (c.out_at < c.out.size()) {
    const ssize_t n =
        send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) return close_conn(c.fd);
    c.out_at += static_cast<std::size_t>(n);
  }
  if (c.out_at == c.out.size()) {
    c.out.clear();
    c.out_at = 0;
    // The end is written: FIN after it; the client's close (or the deadline) ends the connection.
    if (c.closing) shutdown(c.fd, SHUT_WR);
    return;
  }
  if (c.out.size() - c.out_at >= kMaxPending) {
    if (!options_.quiet) {
      std::cerr << "pushbench-feeder: dropped a connection with " << (kMaxPending >> 20)
                << " MiB unsent (a client reading too slowly)\n";
    }
    return close_conn(c.fd);
  }
  if (c.out_at > (1u << 20) && c.out_at * 2 > c.out.size()) {
    c.out.erase(0, c.out_at);
    c.out_at = 0;
  }
}

void Feeder::close_conn(int fd) {
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  conns_.erase(fd);
  pause_accepting(false);
}

void Feeder::pause_accepting(bool paused) {
  if (paused == accept_paused_) return;
  epoll_event ev{EPOLLIN, {.fd = listener_}};
  epoll_ctl(epoll_, paused ? EPOLL_CTL_DEL : EPOLL_CTL_ADD, listener_, &ev);
  accept_paused_ = paused;
}

}  // namespace
}  // namespace pushbench::feeder

int main(int argc, char** argv) {
  using namespace pushbench::feeder;
  Options o;
  CLI::App app{
      "pushbench-feeder: paced streams with pushbench-server's bytes at a fraction of "
      "its CPU, to measure what one load-generator core absorbs"};
  app.add_option("--transport", o.transport, "sse | ws | raw")
      ->required()
      ->check(CLI::IsMember({"sse", "ws", "raw"}));
  app.add_option("--listen", o.listen, "IPv4:PORT to listen on (port 0: any)")
      ->capture_default_str();
  app.add_option("--port-file", o.port_file, "write the bound port to this file");
  app.add_option("--threads", o.threads, "threads (the feeder runs one)")
      ->check(CLI::Range(1u, 1u));
  app.add_option("--timer-slack-us", o.tick_us,
                 "the tick: every stream's due events are sent together this often (us)")
      ->capture_default_str()
      ->check(CLI::Range(10u, 1'000'000u));
  app.add_flag("--quiet", o.quiet, "no start-up line, no refusal or drop lines");
  CLI11_PARSE(app, argc, argv);
  const Framing framing = o.transport == "sse"  ? Framing::sse
                          : o.transport == "ws" ? Framing::ws
                                                : Framing::raw;
  Feeder feeder(framing, o);
  return feeder.run();
}
