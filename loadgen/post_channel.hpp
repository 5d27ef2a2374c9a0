#pragma once
// Chat over SSE on HTTP/1.1: the event stream's connection only carries the response, so a chat
// client POSTs its messages (POST /send?stream=<id>) on a second, keep-alive connection of its
// own, pipelined (open loop: a message never waits for the previous answer), as a browser's
// fetch() would on HTTP/1.1. The replies come back as events on the stream. A connection the
// server closes while no message awaits an answer (its keep-alive timeout) is reopened for the
// next message, as a browser would.
#include <boost/asio/io_context.hpp>
#include <array>
#include <functional>
#include <string>
#include <system_error>

#include "core/conn_stream.hpp"
#include "loadgen/plan.hpp"

namespace pushbench::loadgen {

class PostChannel {
 public:
  /// `on_error` is called once with the first error (connect, TLS, write, an answer other than
  /// 204, or the server closing with messages unanswered); the channel is closed after it.
  PostChannel(boost::asio::io_context& ioc, const RunPlan& plan, std::string stream_id,
              std::function<void(std::error_code)> on_error);
  /// Queues one message (connecting first if needed).
  void post(std::string_view message);
  /// Closes the connection; no callback afterwards.
  void close();
  /// Messages answered with 204 so far.
  std::uint64_t answered() const { return answered_; }
  /// Connections opened so far (more than one when the server closed an idle one).
  std::uint64_t connections() const { return connections_; }

 private:
  void connect();
  void on_ready();
  void do_write();
  void do_read();
  void fail(std::error_code ec);

  /// A fresh connection (TCP, or TLS over it) for this channel.
  ConnStream make_stream();

  boost::asio::io_context& ioc_;
  const RunPlan& plan_;
  ConnStream stream_;
  std::string request_head_;  ///< "POST /send?stream=<id> HTTP/1.1 ..." up to Content-Length
  std::string pending_;       ///< requests waiting for the write in flight
  std::string writing_buf_;   ///< the write in flight
  std::string answers_;       ///< unparsed response bytes
  std::array<char, 4096> read_buf_{};
  std::function<void(std::error_code)> on_error_;
  std::uint64_t answered_ = 0;
  std::uint64_t posted_ = 0;       ///< messages queued so far
  std::uint64_t connections_ = 0;
  bool connecting_ = false;
  bool stale_ = false;             ///< the server closed the idle connection: reopen on next post
  bool ready_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace pushbench::loadgen
