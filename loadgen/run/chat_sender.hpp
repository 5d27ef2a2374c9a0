#pragma once
// The chat workload's sending side: each client sends spec.rate messages/s, open loop, message
// n due at start + n / rate, on the session's own connection (a WebSocket frame, an HTTP/2 POST
// stream) or, where the protocol cannot carry it (SSE over HTTP/1.1), on a POST channel.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "loadgen/measure/stats.hpp"
#include "loadgen/protocol/session.hpp"
#include "loadgen/run/plan.hpp"
#include "loadgen/run/post_channel.hpp"

namespace pushbench::loadgen {

class ChatSender {
 public:
  /// Bytes the session produced for the connection (written in order by the client).
  using FlushFn = std::function<void(std::string)>;
  /// A POST channel's error with its cause in words (counted by the client).
  using ErrorFn = std::function<void(std::error_code, std::string_view)>;

  /// `spec` is the client's (with its stream id); `plan`, `spec`, `session` and `stats` (the
  /// worker's: messages_sent and the POST channel's figures) must outlive the sender. Nothing is
  /// sent before start().
  ChatSender(boost::asio::io_context& ioc, const RunPlan& plan, const StreamSpec& spec,
             Session& session, std::size_t streams, WorkerStats& stats, FlushFn flush,
             ErrorFn on_error);
  /// Begins the schedule now, from a fresh handler (an HTTP/2 session must not send from its
  /// own callbacks). Once only.
  void start();
  /// Stops sending and adds the POST channel's figures to the stats. No callback afterwards.
  void close();

 private:
  /// Sends every message due by now (at most 256 at once) and waits for the next.
  void on_send_timer();

  boost::asio::io_context& ioc_;
  const RunPlan& plan_;
  const StreamSpec& spec_;
  Session& session_;
  std::size_t streams_;  ///< the connection's streams, each sending every message
  WorkerStats& stats_;
  FlushFn flush_;
  ErrorFn on_error_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<PostChannel> posts_;  ///< SSE over HTTP/1.1: the POST connection
  std::int64_t start_ns_ = 0;           ///< realtime when start() was called: message 0 due
  std::uint64_t next_ = 0;              ///< the next message's number
  std::string message_;                 ///< reused message buffer
  std::string out_;                     ///< bytes for the connection, flushed once per batch
  /// False once closed; a posted handler holds it weakly, so it also outlives nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace pushbench::loadgen
