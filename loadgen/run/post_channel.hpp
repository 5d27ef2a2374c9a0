#pragma once
// POSTs over one HTTP/1.1 keep-alive connection, pipelined (open loop: a message never waits for
// the previous answer), as a browser's fetch() would on HTTP/1.1. Used by chat over SSE (POST
// /send?stream=<id> on a second connection; the replies come back as events on the stream) and
// by publish mode (each event POSTed to a broker's publisher URL). When the server closes a
// connection that has answered before (its keep-alive timeout or request limit), the channel
// opens a new one and sends the unanswered messages again, as browsers retry requests on a
// reused idle socket.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "loadgen/net/connection.hpp"
#include "loadgen/protocol/http_response_reader.hpp"
#include "loadgen/run/plan.hpp"

namespace pushbench::loadgen {

/// Where a PostChannel sends its requests.
struct PostTarget {
  boost::asio::ip::tcp::endpoint endpoint;         ///< resolved address
  std::shared_ptr<boost::asio::ssl::context> tls;  ///< TLS when set (https://)
  std::string host;                                ///< server name for SNI and verification
  std::string host_header;                         ///< the Host header value
  std::string request_target;                      ///< path?query of every POST
  /// Chat's POST /send?stream=<id> on `plan`'s server.
  static PostTarget chat(const RunPlan& plan, std::string_view stream_id);
};

class PostChannel final : private ConnectionHandler {
 public:
  /// Called for every answer, in request order, with its HTTP status.
  using AnswerFn = std::function<void(int status)>;
  /// `on_error` is called once with the first error and its cause in words (connect, TLS, a
  /// malformed answer, a connection that ends before answering anything, or, without
  /// `on_answer`, an answer other than 204); the channel is closed after it. With `on_answer`,
  /// every complete answer goes to it, whatever its status.
  PostChannel(boost::asio::io_context& ioc, PostTarget target,
              std::function<void(std::error_code, std::string_view)> on_error,
              AnswerFn on_answer = {});
  ~PostChannel() override;
  /// Queues one message (connecting first if needed).
  void post(std::string_view message);
  /// Requests sent or queued and not yet answered.
  std::size_t unanswered() const { return unanswered_.size(); }
  /// Closes the connection; no callback afterwards.
  void close();
  /// Messages answered with 204 so far.
  std::uint64_t answered() const { return answered_; }
  /// Connections established so far (more than one when the server closed an idle one).
  std::uint64_t connections() const { return connections_; }
  /// Messages sent again on a new connection after the server closed the previous one unread.
  std::uint64_t resent() const { return resent_; }

 private:
  /// Opens a connection (TLS too when the target has it); the unwritten requests go once open.
  void connect();
  /// Writes every request not yet written, as one batch, unless a write is in flight.
  void do_write();
  /// The server ended the connection (`ec`): reopen if it had answered before, else fail.
  void on_closed(boost::system::error_code ec, std::error_code as);
  void fail(std::error_code ec, std::string_view cause = {});
  /// Parses the received bytes into answers; an error (already reported) stops the channel.
  bool parse_answers(std::string_view bytes);

  void on_open() override;
  void on_open_failed(const OpenFailure& failure) override;
  ReadNext on_read(std::string_view bytes) override;
  void on_read_end(boost::system::error_code ec) override;
  void on_write_failed(boost::system::error_code ec) override;
  void on_written() override { do_write(); }

  boost::asio::io_context& ioc_;
  PostTarget target_;
  std::string request_head_;            ///< "POST <target> HTTP/1.1 ..." up to Content-Length
  std::deque<std::string> unanswered_;  ///< every request sent or queued, not yet answered
  std::size_t unwritten_ = 0;           ///< of unanswered_, the last ones not yet handed to a write
  std::optional<HttpResponseReader> answer_;  ///< the answer being read (one per response)
  std::function<void(std::error_code, std::string_view)> on_error_;
  AnswerFn on_answer_;
  std::uint64_t answered_ = 0;
  std::uint64_t connections_ = 0;
  std::uint64_t resent_ = 0;
  std::uint64_t answered_here_ = 0;  ///< answers on the current connection
  bool closed_ = false;
  ConnectionRef conn_;  ///< the connection of this attempt (none before the first post)
};

}  // namespace pushbench::loadgen
