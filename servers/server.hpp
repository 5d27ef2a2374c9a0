#pragma once
// pushbench-server: one transport per process, N threads each running its own io_context.
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "servers/stream/context.hpp"

namespace pushbench::server {

class Server {
 public:
  /// Binds the listening socket (throws boost::system::system_error on failure).
  explicit Server(ServerConfig config);
  ~Server();
  /// The bound port.
  std::uint16_t port() const { return port_; }
  /// Serves until stop() or SIGINT/SIGTERM (when handle_signals); returns after all threads joined.
  void run(bool handle_signals);
  /// Thread-safe; makes run() return. The first call stops accepting and asks every connection
  /// to go away (see DrainSet), each thread stopping once its connections closed or after
  /// ServerConfig::shutdown_grace; a second call stops every thread at once.
  void stop();
  /// Aggregated counters of all threads.
  nlohmann::json stats_json() const;

 private:
  void do_accept();
  /// Arms the next injected stall on thread `t` (see ServerConfig::stall_ms).
  void schedule_stall(ThreadContext& t, std::shared_ptr<boost::asio::steady_timer> timer);
  /// Stops thread `t`'s io_context once its connections are gone or at `deadline`.
  static void stop_when_drained(ThreadContext& t, std::chrono::steady_clock::time_point deadline,
                                std::shared_ptr<boost::asio::steady_timer> timer);
  ServerConfig config_;
  std::vector<std::unique_ptr<ThreadContext>> threads_;
  std::unique_ptr<class TopicRegistry> topics_;
  std::unique_ptr<class ResumeRegistry> resumes_;
  std::unique_ptr<class EchoRegistry> echoes_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::size_t next_thread_ = 0;
  bool stopping_ = false;  ///< stop() was called once (read and written on thread 0)
};

}  // namespace pushbench::server
