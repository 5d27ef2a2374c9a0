// pushbench-feeder: a reference sender for measuring what one load-generator core absorbs.
//
// On a machine with two cores, one core is all a server has to feed the load generator's, and
// pushbench-server saturates it before the load generator saturates its own (results section 7).
// The feeder serves the same streams with the same bytes for a fraction of the CPU: one thread,
// epoll, a periodic tick (timerfd) at which every stream's due events are encoded into its
// buffer and written with one send(2). It takes pushbench-server's command line where it means
// the same (`--transport`, `--listen`, `--port-file`, `--threads 1`, `--quiet`,
// `--timer-slack-us` as its tick), so `pushbench run` can start it in the server's place.
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
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "bench/feeder/feed_stream.hpp"

namespace pushbench::feeder {
namespace {

/// Bytes a connection may hold unsent; while it holds more, its due events wait (they keep
/// their intended times, so the wait shows in the receiver's latency).
constexpr std::size_t kMaxPending = 4 << 20;
/// Bytes encoded for one connection per tick at most, so that one stream cannot starve the rest.
constexpr std::size_t kMaxPerTick = 256 << 10;

/// The command line.
struct Options {
  std::string transport;  ///< sse | ws | raw
  std::string listen = "127.0.0.1:0";
  std::string port_file;    ///< written (atomically) with the bound port
  unsigned threads = 1;     ///< accepted for pushbench-server's command line; must be 1
  unsigned tick_us = 1000;  ///< --timer-slack-us: the sending period
  bool quiet = false;
};

/// One accepted connection.
struct Conn {
  int fd = -1;
  std::string in;                    ///< the handshake's bytes so far
  std::string out;                   ///< bytes not yet written, from out_at
  std::size_t out_at = 0;            ///< first unwritten byte of out
  std::optional<FeedStream> stream;  ///< once the handshake is accepted
  bool closing = false;              ///< close once out is written (rejected, or ended)
};

std::int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

class Feeder {
 public:
  Feeder(Framing framing, const Options& o) : framing_(framing), options_(o) {}
  /// Binds, writes the port file and serves until killed; returns an exit code on set-up errors.
  int run();

 private:
  bool listen_on(const std::string& host_port);
  void on_accept();
  void on_readable(Conn& c);
  void on_tick();
  /// Writes what the socket takes; false when the connection is gone (closed here).
  bool flush(Conn& c);
  void close_conn(int fd);

  Framing framing_;
  const Options& options_;
  int epoll_ = -1;
  int listener_ = -1;
  int timer_ = -1;
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;
};

bool Feeder::listen_on(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  std::uint16_t port_in = 0;
  const char* port_end = host_port.data() + host_port.size();
  if (colon == std::string::npos ||
      std::from_chars(host_port.data() + colon + 1, port_end, port_in).ptr != port_end ||
      inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    std::cerr << "pushbench-feeder: --listen wants IPv4:PORT, got '" << host_port << "'\n";
    return false;
  }
  addr.sin_port = htons(port_in);
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener_, 1024) != 0) {
    std::cerr << "pushbench-feeder: cannot listen on " << host_port << ": " << std::strerror(errno)
              << "\n";
    return false;
  }
  socklen_t len = sizeof addr;
  getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  const unsigned port = ntohs(addr.sin_port);
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
  timerfd_settime(timer_, 0, &period, nullptr);
  for (const int fd : {listener_, timer_}) {
    epoll_event ev{EPOLLIN, {.fd = fd}};
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
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
    if (fd < 0) return;  // EAGAIN, or a connection that went away before it was taken
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event ev{EPOLLIN | EPOLLRDHUP, {.fd = fd}};
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    conns_.emplace(fd, std::move(c));
  }
}

void Feeder::on_readable(Conn& c) {
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return close_conn(c.fd);
    if (n < 0) break;
    // Past the handshake the client's bytes (WebSocket pongs and its close) are read and dropped.
    if (c.stream || c.closing) continue;
    c.in.append(buf, static_cast<std::size_t>(n));
  }
  if (c.stream || c.closing) return;
  auto result = parse_handshake(framing_, c.in);
  if (std::holds_alternative<NeedMore>(result)) return;
  if (auto* r = std::get_if<Rejected>(&result)) {
    if (!options_.quiet) std::cerr << "pushbench-feeder: refused a stream: " << r->reason << "\n";
    c.out = std::move(r->response);
    c.closing = true;
  } else {
    auto& a = std::get<Accepted>(result);
    c.out = std::move(a.response);
    c.stream.emplace(framing_, std::move(a.spec), realtime_ns());
  }
  c.in.clear();
  c.in.shrink_to_fit();
  flush(c);
}

void Feeder::on_tick() {
  for (auto it = conns_.begin(); it != conns_.end();) {
    Conn& c = *(it++)->second;  // flush() may erase c
    if (c.stream && !c.stream->ended() && c.out.size() - c.out_at < kMaxPending) {
      // One clock reading a batch: its events' `st`, and what is due by then.
      c.stream->append_due(c.out, realtime_ns(), c.out.size() + kMaxPerTick);
      if (c.stream->ended()) c.closing = true;
    }
    if (c.out_at < c.out.size()) flush(c);
  }
}

bool Feeder::flush(Conn& c) {
  while (c.out_at < c.out.size()) {
    const ssize_t n =
        send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) {
      close_conn(c.fd);
      return false;
    }
    c.out_at += static_cast<std::size_t>(n);
  }
  if (c.out_at == c.out.size()) {
    c.out.clear();
    c.out_at = 0;
    // The end is written: FIN after it; the client's close (or reset) ends the connection.
    if (c.closing) shutdown(c.fd, SHUT_WR);
  } else if (c.out_at > (1u << 20) && c.out_at * 2 > c.out.size()) {
    c.out.erase(0, c.out_at);
    c.out_at = 0;
  }
  return true;
}

void Feeder::close_conn(int fd) {
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  conns_.erase(fd);
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
  app.add_flag("--quiet", o.quiet, "no start-up line, no refusal lines");
  CLI11_PARSE(app, argc, argv);
  const Framing framing = o.transport == "sse"  ? Framing::sse
                          : o.transport == "ws" ? Framing::ws
                                                : Framing::raw;
  Feeder feeder(framing, o);
  return feeder.run();
}
