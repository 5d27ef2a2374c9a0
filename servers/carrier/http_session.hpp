#pragma once
// The first phase of every HTTP connection: the TLS handshake (when configured), then HTTP/2
// (ALPN h2, or the cleartext connection preface) is handed to H2Connection, and an HTTP/1.1
// request is read and routed: /sse to an SSE stream, /ws to a WebSocket, /stats, /health;
// anything else gets a clear HTTP error.
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "core/contract/workload.hpp"
#include "core/net/conn_stream.hpp"
#include "servers/carrier/dispatch.hpp"
#include "servers/stream/drain.hpp"
#include "servers/stream/context.hpp"

namespace pushbench::server {

class HttpSession : public Drainable,
                    public std::enable_shared_from_this<HttpSession>,
                    private RequestCarrier {
 public:
  HttpSession(ThreadContext& ctx, boost::asio::ip::tcp::socket socket);
  ~HttpSession() override;
  /// Begins with the TLS handshake, or with reading the first bytes.
  void start();
  /// Shutdown: a connection waiting for a request closes now; one writing a response closes
  /// after it (no keep-alive). Nothing once handed off (its new owner goes away itself).
  void go_away() override;

 private:
  void on_handshake(boost::system::error_code ec);
  /// Reads until the bytes tell HTTP/2's connection preface from an HTTP/1.1 request.
  void do_sniff();
  void on_sniff(boost::system::error_code ec, std::size_t n);
  void start_h2();
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t n);
  /// Dispatches a complete request header (servers/carrier/dispatch.hpp).
  void on_request();
  // The RequestCarrier calls (see dispatch.hpp).
  void respond(int status, std::string_view content_type, std::string body,
               bool keep_open) override;
  void respond_error(int status, std::string reason) override;
  void start_sse(StreamSpec spec, std::optional<compress::Format> coding) override;
  /// The RFC 6455 upgrade (GET, Upgrade, version 13, a valid key), or the refusal.
  void start_ws(StreamSpec spec) override;
  /// Answers with `status` and a one-line plain-text reason, then closes.
  void respond_error(boost::beast::http::status status, std::string reason);
  void respond(boost::beast::http::response<boost::beast::http::string_body> res);
  void on_write(boost::beast::error_code ec, std::size_t n);
  /// Closes the connection when the client takes longer than the request timeout.
  void arm_timeout();

  ThreadContext& ctx_;
  ConnStream stream_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> response_;
  bool handed_off_ = false;  ///< the socket now belongs to a stream or HTTP/2 connection
  bool keep_alive_ = false;  ///< read another request after this response (POST /send)
  bool writing_ = false;     ///< a response is being written
  bool going_away_ = false;  ///< go_away() was called
  DrainEntry drain_;         ///< membership of the thread's DrainSet
};

}  // namespace pushbench::server
