#pragma once
// Reads one HTTP/1.1 request and routes it: /sse to an SSE stream, /ws to a WebSocket, /stats,
// /health; anything else gets a clear HTTP error.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "servers/server.hpp"

namespace pushbench::server {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(ThreadContext& ctx, boost::asio::ip::tcp::socket socket);
  ~HttpSession();
  void start();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t n);
  /// Answers with `status` and a one-line plain-text reason, then closes.
  void respond_error(boost::beast::http::status status, std::string reason);
  void respond(boost::beast::http::response<boost::beast::http::string_body> res);
  void on_write(boost::beast::error_code ec, std::size_t n);

  ThreadContext& ctx_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> parser_;
  std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> response_;
  bool handed_off_ = false;  ///< the socket now belongs to a stream connection
};

}  // namespace pushbench::server
