#include "loadgen/soak/soak_faults.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <deque>

namespace pushbench::loadgen {

namespace {

/// A blocking loopback socket with 2 s timeouts; -1 when the connect fails.
int dial(std::uint16_t port, int rcvbuf = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const auto n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

/// Reads until `until` appears, the peer closes, or the 2 s timeout; returns what arrived
/// (at most 64 KiB).
std::string read_until(int fd, const std::string& until) {
  std::string out;
  char buf[4096];
  while (out.size() < (64 << 10) && out.find(until) == std::string::npos) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

/// Closes with SO_LINGER 0: the peer sees a reset, not a FIN.
void reset_close(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

const std::string kSse = "GET /sse?rate=200&size=256 HTTP/1.1\r\nHost: soak\r\n\r\n";

std::string ws_upgrade() {
  return "GET /ws?rate=200&size=256 HTTP/1.1\r\nHost: soak\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
         "Sec-WebSocket-Key: c29ha3NvYWtzb2Frc29haw==\r\n\r\n";
}

/// Requests, reads a first event, then closes (politely or with a reset).
bool read_then_close(std::uint16_t port, bool reset) {
  const int fd = dial(port);
  if (fd < 0) return false;
  const bool ok = send_all(fd, kSse) && read_until(fd, "data:").find("data:") != std::string::npos;
  reset ? reset_close(fd) : static_cast<void>(::close(fd));
  return ok;
}

/// Sends `request` and expects the answer to start with `status_line`.
bool expect_status(std::uint16_t port, const std::string& request, const std::string& status_line) {
  const int fd = dial(port);
  if (fd < 0) return false;
  const bool ok = send_all(fd, request) && read_until(fd, "\r\n").rfind(status_line, 0) == 0;
  ::close(fd);
  return ok;
}

/// A WebSocket that sends half a masked frame (header says 100 bytes, 10 follow) and aborts.
bool ws_abort_mid_frame(std::uint16_t port) {
  const int fd = dial(port);
  if (fd < 0) return false;
  bool ok = send_all(fd, ws_upgrade()) && read_until(fd, "\r\n\r\n").rfind("HTTP/1.1 101", 0) == 0;
  std::string partial = {'\x81', static_cast<char>(0x80 | 100), 1, 2, 3, 4};
  partial.append(10, 'x');
  ok = ok && send_all(fd, partial);
  reset_close(fd);
  return ok;
}

/// The HTTP/2 preface, then a frame of an unknown stream state: the server answers GOAWAY.
bool h2_garbage(std::uint16_t port) {
  const int fd = dial(port);
  if (fd < 0) return false;
  // A DATA frame on stream 1 before any HEADERS: a connection error (RFC 9113 6.1).
  const std::string bytes = std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") +
                            std::string("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9) +
                            std::string(
                                "\x00\x00\x04\x00\x00\x00\x00\x00\x01"
                                "abcd",
                                13);
  bool ok = send_all(fd, bytes);
  // Read to the end: a GOAWAY frame (type 7) must be among the server's frames.
  std::string got;
  char buf[4096];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  bool goaway = false;
  for (std::size_t i = 0; i + 9 <= got.size();) {
    const std::size_t len = (static_cast<unsigned char>(got[i]) << 16) |
                            (static_cast<unsigned char>(got[i + 1]) << 8) |
                            static_cast<unsigned char>(got[i + 2]);
    goaway |= got[i + 3] == 7;
    i += 9 + len;
  }
  return ok && goaway;
}

}  // namespace

FaultClients::FaultClients(std::uint16_t sse_port, std::uint16_t ws_port, unsigned interval_ms)
    : sse_port_(sse_port), ws_port_(ws_port), interval_ms_(interval_ms) {}

FaultClients::~FaultClients() {
  stop();
}

void FaultClients::start() {
  thread_ = std::thread([this] { run(); });
}

void FaultClients::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::pair<const char*, bool> FaultClients::one(std::uint64_t n) {
  switch (n % 8) {
    case 0: {
      const int fd = dial(sse_port_);
      if (fd >= 0) ::close(fd);
      return {"connect_close", fd >= 0};
    }
    case 1: {
      const int fd = dial(sse_port_);
      const bool ok = fd >= 0 && send_all(fd, "GET /sse?rate=1 HTTP/1.1\r\nHo");
      if (fd >= 0) ::close(fd);
      return {"truncated_request", ok};
    }
    case 2:
      return {"read_close", read_then_close(sse_port_, false)};
    case 3:
      return {"reset", read_then_close(sse_port_, true)};
    case 4:
      return {"ws_abort_mid_frame", ws_abort_mid_frame(ws_port_)};
    case 5:
      return {"oversized_header", expect_status(sse_port_,
                                                "GET /sse HTTP/1.1\r\nHost: soak\r\nX-Big: " +
                                                    std::string(16 << 10, 'b') + "\r\n\r\n",
                                                "HTTP/1.1 431")};
    case 6:
      return {"malformed_request",
              expect_status(sse_port_, "GET /sse HTTP/1.1\r\nHost soak\r\n\r\n", "HTTP/1.1 400")};
    default:
      return {"h2_protocol_error", h2_garbage(sse_port_)};
  }
}

void FaultClients::run() {
  // Slow readers: a tiny receive buffer, a fast stream, never read; each held for 3 s.
  std::deque<std::pair<int, std::chrono::steady_clock::time_point>> slow;
  for (std::uint64_t n = 0; !stop_; ++n) {
    const auto now = std::chrono::steady_clock::now();
    while (!slow.empty() && now - slow.front().second > std::chrono::seconds(3)) {
      ::close(slow.front().first);
      slow.pop_front();
    }
    if (n % 16 == 0 && slow.size() < 4) {
      const int fd = dial(sse_port_, 4096);
      const bool ok = fd >= 0 && send_all(fd, kSse);
      if (fd >= 0) slow.emplace_back(fd, now);
      std::lock_guard lock(mu_);
      auto& c = counts_["slow_reader"];
      ++c.done;
      c.unexpected += !ok;
    }
    const auto [kind, ok] = one(n);
    {
      std::lock_guard lock(mu_);
      auto& c = counts_[kind];
      ++c.done;
      c.unexpected += !ok;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms_));
  }
  for (auto& [fd, t] : slow) ::close(fd);
}

nlohmann::json FaultClients::counts() const {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [kind, c] : counts_)
    out[kind] = {{"done", c.done}, {"unexpected", c.unexpected}};
  return out;
}

std::uint64_t FaultClients::unexpected() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& [kind, c] : counts_) n += c.unexpected;
  return n;
}

}  // namespace pushbench::loadgen
