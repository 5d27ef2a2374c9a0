#include "loadgen/infra/proxy.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "core/net/tls.hpp"
#include "loadgen/run/server_process.hpp"

namespace pushbench::loadgen {

namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

/// A port the kernel had free a moment ago (bound to 127.0.0.1:0, then released).
std::uint16_t free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind an ephemeral loopback port");
  }
  close(fd);
  return ntohs(a.sin_port);
}

/// Connects to 127.0.0.1:port; when `request` is not empty, sends it and returns the first
/// bytes of the answer (empty on any failure, or "connected" without a request).
std::string probe(std::uint16_t port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    if (request.empty()) {
      out = "connected";
    } else if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(request.size())) {
      char buf[256];
      const auto n = recv(fd, buf, sizeof buf, 0);
      if (n > 0) out.assign(buf, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  return out;
}

/// Process ids whose process group is `pgid` (from /proc/<pid>/stat).
std::vector<pid_t> group_members(pid_t pgid) {
  std::vector<pid_t> out;
  for (const auto& entry :
       fs::directory_iterator("/proc", fs::directory_options::skip_permission_denied)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    // Fields after the parenthesised command: state ppid pgrp ...
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    long ppid = 0, pgrp = 0;
    if (rest >> state >> ppid >> pgrp && pgrp == pgid) out.push_back(std::stoi(name));
  }
  return out;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

ProxyProcess::ProxyProcess(ProxyKind kind, std::uint16_t backend_port, bool tls, bool http2,
                           const std::optional<std::vector<int>>& cpus) {
  static std::atomic<int> counter{0};
  setup_.kind = kind;
  setup_.backend_port = backend_port;
  setup_.tls = tls;
  setup_.http2 = http2;
  setup_.dir = fs::temp_directory_path() /
               ("pushbench-proxy-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(setup_.dir);
  if (tls) {
    const auto pair = tls::generate_self_signed();
    write_file(setup_.dir / "cert.pem", pair.cert_pem);
    write_file(setup_.dir / "key.pem", pair.key_pem);
    write_file(setup_.dir / "both.pem", pair.cert_pem + pair.key_pem);
  }
  // The port is free when picked, but another process may take it before the proxy binds it.
  for (int attempt = 0; attempt < 5; ++attempt) {
    setup_.port = free_loopback_port();
    if (try_start(cpus)) return;
  }
  const std::string log = error_log();
  std::error_code ignored;
  fs::remove_all(setup_.dir, ignored);
  throw std::runtime_error(std::string(to_string(kind)) + " did not start: " + log);
}

bool ProxyProcess::try_start(const std::optional<std::vector<int>>& cpus) {
  const auto [text, file] = proxy_config_file(setup_);
  const fs::path config = setup_.dir / file;
  write_file(config, text);
  const std::string log = (setup_.dir / "stderr.log").string();
  pid_ = spawn_process_group(proxy_command(setup_, config), cpus, log);
  // nginx's cleartext h2 listener does not speak HTTP/1.1, and TLS fronts need a handshake:
  // those are ready once they accept connections.
  const bool plain_h1 =
      !setup_.tls &&
      !(setup_.http2 && (setup_.kind == ProxyKind::nginx || setup_.kind == ProxyKind::nginx_gzip));
  const std::string request =
      plain_h1 ? "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" : "";
  const auto deadline = steady_clock::now() + seconds(10);
  while (steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    const auto answer = probe(setup_.port, request);
    if (plain_h1 ? answer.rfind("HTTP/1.1 200", 0) == 0 : !answer.empty()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  const std::string why = error_log();
  stop();
  throw std::runtime_error(std::string(to_string(setup_.kind)) +
                           " did not answer within 10 s: " + why);
}

std::string ProxyProcess::error_log() const {
  std::string out;
  for (const char* name : {"stderr.log", "error.log"}) {
    std::ifstream in(setup_.dir / name);
    std::string line;
    while (std::getline(in, line)) out = line;  // the last line says why
  }
  return out.empty() ? "(no error output)" : out;
}

ProcessSample ProxyProcess::sample() const {
  ProcessSample total;
  if (pid_ <= 0) return total;
  for (pid_t p : group_members(pid_)) {
    if (auto s = sample_process(p)) {
      total.cpu_s += s->cpu_s;
      total.rss_bytes += s->rss_bytes;
    }
  }
  return total;
}

void ProxyProcess::stop() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) break;
    std::this_thread::sleep_for(milliseconds(10));
    if (i == 199) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  // Workers that outlived their master (none expected) go with the group.
  kill(-pid_, SIGKILL);
  pid_ = -1;
}

ProxyProcess::~ProxyProcess() {
  stop();
  std::error_code ignored;
  fs::remove_all(setup_.dir, ignored);
}

ProxyRssSampler::ProxyRssSampler(const ProxyProcess& proxy) : proxy_(proxy) {
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      peak_.store(std::max(peak_.load(), proxy_.sample().rss_bytes));
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
}

std::uint64_t ProxyRssSampler::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return peak_.load();
}

std::string proxy_version(ProxyKind kind) {
  static std::mutex mutex;
  static std::map<ProxyKind, std::string> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(kind); it != cache.end()) return it->second;
  const char* command = kind == ProxyKind::nchan
                            ? "dpkg-query -W -f='nchan ${Version}' libnginx-mod-nchan 2>&1"
                        : kind == ProxyKind::nghttpx ? "nghttpx -v 2>&1"
                        : kind == ProxyKind::haproxy ? "haproxy -v 2>&1"
                                                     : "nginx -v 2>&1";
  std::string line = "unknown";
  if (FILE* p = popen(command, "r")) {
    char buf[256];
    if (fgets(buf, sizeof buf, p)) {
      line = buf;
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line.rfind("nginx version: ", 0) == 0) line = line.substr(15);
      if (const auto dash = line.find(" - "); dash != std::string::npos) line.resize(dash);
    }
    pclose(p);
  }
  return cache[kind] = line;
}

}  // namespace pushbench::loadgen
