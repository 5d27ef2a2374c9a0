#pragma once
// An incremental HTTP/1.1 response reader that hands body bytes (de-chunked) to a callback as they
// arrive, without buffering the body: a streaming response never ends.
#include <boost/beast/http/basic_parser.hpp>
#include <functional>
#include <string>
#include <system_error>

#include "loadgen/protocol/session.hpp"

namespace pushbench::loadgen {

/// The response header limit of every HTTP/1.1 reader of the load generator (sessions, the chat
/// POST channel): a larger header is a parse error, not unbounded memory.
inline constexpr std::size_t kResponseHeaderLimit = 16 << 10;

class HttpResponseReader final : public boost::beast::http::basic_parser<false> {
 public:
  /// `on_body` receives body bytes; it returns an error to stop parsing.
  using BodyFn = std::function<std::error_code(std::string_view)>;
  HttpResponseReader(std::size_t header_limit, BodyFn on_body);

  /// Feeds received bytes (any split). Returns the number of bytes consumed, which is less than
  /// `bytes.size()` only for a header-only response (e.g. 101) that is complete: the rest belongs
  /// to the next protocol. Errors: Beast parse errors, or the body callback's error.
  std::size_t feed(std::string_view bytes, std::error_code& ec);
  /// The connection reached EOF; returns an error when the body was not complete.
  std::error_code on_eof();

  int status() const { return status_; }
  const std::string& content_type() const { return content_type_; }
  const std::string& upgrade() const { return upgrade_; }
  const std::string& websocket_accept() const { return ws_accept_; }
  const std::string& websocket_extensions() const { return ws_extensions_; }
  const std::string& content_encoding() const { return content_encoding_; }
  /// Via and Server of the response.
  const PeerHeaders& peer_headers() const { return peer_; }
  bool header_done() const { return is_header_done(); }
  bool body_done() const { return is_done(); }

 private:
  void on_request_impl(boost::beast::http::verb, boost::beast::string_view,
                       boost::beast::string_view, int, boost::beast::error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int,
                        boost::beast::error_code&) override {
    status_ = code;
  }
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view,
                     boost::beast::string_view value, boost::beast::error_code&) override;
  void on_header_impl(boost::beast::error_code&) override {}
  void on_body_init_impl(boost::optional<std::uint64_t> const&,
                         boost::beast::error_code&) override {}
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view,
                            boost::beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                 boost::beast::error_code& ec) override {
    return on_body_impl(body, ec);
  }
  void on_finish_impl(boost::beast::error_code&) override {}

  BodyFn on_body_;
  std::error_code body_error_;
  int status_ = 0;
  std::string content_type_, upgrade_, ws_accept_, ws_extensions_, content_encoding_;
  PeerHeaders peer_;     ///< Via and Server fields
  std::string pending_;  ///< bytes received but not yet consumed by the parser
};

}  // namespace pushbench::loadgen
