#pragma once
// The loopback HTTP collector of `pushbench browser`: the page fetches its run configuration from
// it and posts its phase messages and results to it (CORS open, so a page of any origin may).
// It also serves the page itself (GET /page) for targets that cannot serve it.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

class BrowserCollector {
 public:
  /// Listens on 127.0.0.1 (ephemeral port) and serves `config` at GET /config?token=<token> and
  /// the page at GET /page; POST /msg bodies carrying `token` are queued for next_message().
  /// Throws std::runtime_error when it cannot listen.
  BrowserCollector(nlohmann::json config, std::string token);
  ~BrowserCollector();
  BrowserCollector(const BrowserCollector&) = delete;
  BrowserCollector& operator=(const BrowserCollector&) = delete;

  /// The port it listens on.
  std::uint16_t port() const { return port_; }
  /// "http://127.0.0.1:<port>".
  std::string origin() const;
  /// The next message the page posted, waiting until `deadline`; nullopt when none came.
  std::optional<nlohmann::json> next_message(std::chrono::steady_clock::time_point deadline);

  /// Largest request body accepted (a result of 1000 subscriptions fits many times over).
  static constexpr std::size_t kMaxBodyBytes = 4 << 20;
  /// Messages queued and not yet taken; further ones are refused (503), so a runaway page
  /// cannot grow the queue without bound.
  static constexpr std::size_t kMaxQueued = 10000;

  struct State;  ///< what the connection handlers share (the queue, the config, the token)

 private:
  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace pushbench::loadgen
