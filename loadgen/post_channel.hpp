#pragma once
// Chat over SSE on HTTP/1.1: the event stream's connection only carries the response, so a chat
// client POSTs its messages (POST /send?stream=<id>) on a second, keep-alive connection of its
// own, pipelined (open loop: a message never waits for the previous answer), as a browser's
// fetch() would on HTTP/1.1. The replies come back as events on the stream. When the server
// closes a connection that has answered before (its keep-alive timeout), the channel opens a new
// one and sends the unanswered messages again, as browsers retry requests on a reused idle socket.
#include <boost/asio/io_context.hpp>
#include <array>
#include <deque>
#include <functional>
#include <string>
#include <system_error>

#include "core/conn_stream.hpp"
#include "loadgen/plan.hpp"

namespace pushbench::loadgen {

class PostChannel {
 public:
  /// `on_error` is called once with the first error and its cause in words (connect, TLS, an
  /// answer other than 204, or a connection that ends before answering anything); the channel is
  /// closed after it.
  PostChannel(boost::asio::io_context& ioc, const RunPlan& plan, std::string stream_id,
              std::function<void(std::error_code, std::string_view)> on_error);
  /// Queues one message (connecting first if needed).
  void post(std::string_view message);
  /// Closes the connection; no callback afterwards.
  void close();
  /// Messages answered with 204 so far.
  std::uint64_t answered() const { return answered_; }
  /// Connections established so far (more than one when the server closed an idle one).
  std::uint64_t connections() const { return connections_; }
  /// Messages sent again on a new connection after the server closed the previous one unread.
  std::uint64_t resent() const { return resent_; }

 private:
  void connect();
  void on_ready();
  void do_write();
  void do_read();
  /// The server ended the connection (`ec`): reopen if it had answered before, else fail.
  void on_closed(boost::system::error_code ec, std::error_code as);
  /// Once no operation of the old connection is in flight, opens a new one (when messages wait).
  void reopen_when_idle();
  void fail(std::error_code ec, std::string_view cause = {});

  /// A fresh connection (TCP, or TLS over it) for this channel.
  ConnStream make_stream();

  boost::asio::io_context& ioc_;
  const RunPlan& plan_;
  ConnStream stream_;
  std::string request_head_;  ///< "POST /send?stream=<id> HTTP/1.1 ..." up to Content-Length
  std::deque<std::string> unanswered_;  ///< every request sent or queued, not yet answered
  std::size_t unwritten_ = 0;  ///< of unanswered_, the last ones not yet handed to a write
  std::string writing_buf_;    ///< the write in flight
  std::string answers_;        ///< unparsed response bytes
  std::array<char, 4096> read_buf_{};
  std::function<void(std::error_code, std::string_view)> on_error_;
  std::uint64_t answered_ = 0;
  std::uint64_t connections_ = 0;
  std::uint64_t resent_ = 0;
  std::uint64_t answered_here_ = 0;  ///< answers on the current connection
  bool connecting_ = false;    ///< connect or TLS handshake in flight
  bool ready_ = false;         ///< connected: writes may go
  bool reading_ = false;       ///< a read in flight
  bool writing_ = false;       ///< a write in flight
  bool reopening_ = false;     ///< the server closed: waiting for operations to end, then reopen
  bool closed_ = false;
};

}  // namespace pushbench::loadgen
