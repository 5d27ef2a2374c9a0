#pragma once
// A reverse proxy process in front of one of our servers: configured in a temp dir, started on
// an ephemeral loopback port in its own process group, stopped by that group.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/measure/sysinfo.hpp"
#include "loadgen/infra/proxy_config.hpp"

namespace pushbench::loadgen {

class ProxyProcess {
 public:
  /// Writes the configuration of `kind` in front of 127.0.0.1:`backend_port` and starts the
  /// proxy on a free loopback port (picked by binding port 0; another port is tried when the
  /// proxy fails to bind it), pinned to `cpus` when given, then waits (up to 10 s) until it
  /// accepts connections and, on a cleartext HTTP/1.1 front, answers GET /health with 200.
  /// Throws std::runtime_error (with the proxy's error log) when it does not start.
  ProxyProcess(ProxyKind kind, std::uint16_t backend_port, bool tls, bool http2,
               const std::optional<std::vector<int>>& cpus = std::nullopt);
  ~ProxyProcess();
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;

  ProxyKind kind() const { return setup_.kind; }
  std::uint16_t port() const { return setup_.port; }
  pid_t pid() const { return pid_; }
  /// CPU time and RSS summed over every process of the proxy's process group.
  ProcessSample sample() const;
  /// SIGTERM to the process group, SIGKILL after 2 s.
  void stop();

 private:
  /// One start attempt on setup_.port: true once the proxy answers, false when it exited
  /// (e.g. the port was taken meanwhile); throws when it hangs without answering.
  bool try_start(const std::optional<std::vector<int>>& cpus);
  /// The tail of the proxy's error log, for messages.
  std::string error_log() const;

  ProxySetup setup_;
  pid_t pid_ = -1;
};

/// The peak summed RSS of a proxy's processes, sampled every 20 ms on a thread of its own.
class ProxyRssSampler {
 public:
  explicit ProxyRssSampler(const ProxyProcess& proxy);
  ~ProxyRssSampler() { stop(); }
  /// Stops sampling; returns the peak.
  std::uint64_t stop();

 private:
  const ProxyProcess& proxy_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> peak_{0};
  std::thread thread_;
};

/// "nginx/1.22.1", "nghttpx nghttp2/1.52.0", "HAProxy version 2.6.12-…" (the binary's own
/// version line), read once per kind; "unknown" when it cannot be run.
std::string proxy_version(ProxyKind kind);

}  // namespace pushbench::loadgen
