#pragma once
// The soak's misbehaving clients: connection churn (connect and close, read and close, abort a
// WebSocket frame half-way, reset with SO_LINGER 0), slow readers, and oversized, malformed and
// truncated requests, on blocking loopback sockets from one thread. Each kind counts how often it
// ran and how often the server's reaction was not the one the protocol requires.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// What one fault kind did.
struct FaultCount {
  std::uint64_t done = 0;        ///< times run
  std::uint64_t unexpected = 0;  ///< the server's reaction was wrong (no 431/400, no GOAWAY, ...)
};

class FaultClients {
 public:
  /// `sse_port` and `ws_port`: cleartext pushbench-servers of those transports on 127.0.0.1;
  /// `interval_ms` between two faults.
  FaultClients(std::uint16_t sse_port, std::uint16_t ws_port, unsigned interval_ms);
  ~FaultClients();
  FaultClients(const FaultClients&) = delete;
  FaultClients& operator=(const FaultClients&) = delete;
  /// Starts the thread.
  void start();
  /// Stops and joins it; every socket it opened is closed when this returns.
  void stop();
  /// {kind: {"done", "unexpected"}}.
  nlohmann::json counts() const;
  /// Faults whose reaction was wrong, over all kinds.
  std::uint64_t unexpected() const;

 private:
  void run();
  /// Runs fault number `n` (kinds in turn); returns its kind and whether the reaction was right.
  std::pair<const char*, bool> one(std::uint64_t n);

  std::uint16_t sse_port_, ws_port_;
  unsigned interval_ms_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;                     ///< guards counts_
  std::map<std::string, FaultCount> counts_;  ///< by kind
};

}  // namespace pushbench::loadgen
