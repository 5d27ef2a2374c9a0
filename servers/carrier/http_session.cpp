#include "servers/carrier/http_session.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <cstring>

#include "core/base/text.hpp"
#include "core/codec/ws_handshake.hpp"
#include "servers/carrier/dispatch.hpp"
#include "servers/carrier/fail.hpp"
#include "servers/carrier/h2_connection.hpp"
#include "servers/carrier/sse_connection.hpp"
#include "servers/carrier/ws_connection.hpp"
#include "servers/carrier/ws_frame_connection.hpp"

namespace pushbench::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
}  // namespace

HttpSession::HttpSession(ThreadContext& ctx, asio::ip::tcp::socket socket)
    : ctx_(ctx),
      stream_(ctx.config->tls
                  ? ConnStream(std::make_unique<ConnStream::TlsStream>(std::move(socket),
                                                                      *ctx.config->tls))
                  : ConnStream(std::move(socket))),
      timer_(ctx.ioc) {}

HttpSession::~HttpSession() {
  if (!handed_off_) ctx_.stats.add(ctx_.stats.closed);
}

void HttpSession::arm_timeout() {
  timer_.expires_after(ctx_.config->request_timeout);
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self || self->handed_off_) return;
    // Expired in the same pass as the completion that re-armed it: not a timeout.
    if (self->timer_.expiry() > std::chrono::steady_clock::now()) return;
    self->stream_.close();
  });
}

void HttpSession::start() {
  drain_.enlist(ctx_.drain, weak_from_this());
  boost::system::error_code ignored;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  arm_timeout();
  if (auto* tls = stream_.tls()) {
    tls->async_handshake(asio::ssl::stream_base::server,
                         [self = shared_from_this()](boost::system::error_code ec) {
                           self->on_handshake(ec);
                         });
    return;
  }
  if (ctx_.config->http2) return do_sniff();
  do_read();
}

void HttpSession::go_away() {
  if (handed_off_ || going_away_) return;
  going_away_ = true;
  keep_alive_ = false;
  if (writing_) return;
  timer_.cancel();
  stream_.close();
}

void HttpSession::on_handshake(boost::system::error_code ec) {
  if (ec) {
    ctx_.stats.add(ctx_.stats.tls_failures);
    return stream_.close();
  }
  ctx_.stats.add(ctx_.stats.tls_handshakes);
  const unsigned char* alpn = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(stream_.tls()->native_handle(), &alpn, &len);
  if (ctx_.config->http2 && std::string_view(reinterpret_cast<const char*>(alpn), len) == "h2") {
    return start_h2();
  }
  do_read();
}

void HttpSession::do_sniff() {
  auto space = buffer_.prepare(kH2Preface.size() - buffer_.size());
  stream_.async_read_some(space, [self = shared_from_this()](boost::system::error_code ec,
                                                              std::size_t n) {
    self->on_sniff(ec, n);
  });
}

void HttpSession::on_sniff(boost::system::error_code ec, std::size_t n) {
  if (ec) return stream_.close();
  buffer_.commit(n);
  const std::string_view seen(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  if (kH2Preface.substr(0, seen.size()) != seen) return do_read();  // HTTP/1.1
  if (seen.size() < kH2Preface.size()) return do_sniff();
  start_h2();
}

void HttpSession::start_h2() {
  timer_.cancel();
  handed_off_ = true;
  std::string initial(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  std::make_shared<H2Connection>(ctx_, std::move(stream_), std::move(initial))->start();
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(ctx_.config->max_header_bytes));
  // Only POST /send carries a body (a chat message).
  parser_->body_limit(ctx_.config->max_message_bytes);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return;
  if (ec == http::error::header_limit) {
    return respond_error(http::status::request_header_fields_too_large,
                         "request header exceeds " +
                             std::to_string(ctx_.config->max_header_bytes) + " bytes");
  }
  if (ec == http::error::body_limit) {
    return respond_error(http::status::payload_too_large,
                         "request body exceeds " + std::to_string(ctx_.config->max_message_bytes) +
                             " bytes");
  }
  if (ec) {
    if (is_normal_close(ec)) return;
    return respond_error(http::status::bad_request, "malformed request: " + ec.message());
  }
  on_request();
}

void HttpSession::on_request() {
  auto& req = parser_->get();
  const auto last_event_id = req["Last-Event-ID"];
  const auto accept_encoding = req[http::field::accept_encoding];
  RequestHead head;
  head.method = std::string_view(req.method_string().data(), req.method_string().size());
  head.target = std::string_view(req.target().data(), req.target().size());
  head.last_event_id = std::string_view(last_event_id.data(), last_event_id.size());
  head.accept_encoding = std::string_view(accept_encoding.data(), accept_encoding.size());
  head.body = &req.body();
  dispatch_request(ctx_, head, *this);
}

void HttpSession::respond(int status, std::string_view content_type, std::string body,
                          bool keep_open) {
  http::response<http::string_body> res{static_cast<http::status>(status),
                                        parser_->get().version()};
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  // Only a chat client's POST /send keeps the connection for its next message.
  keep_alive_ = keep_open && !going_away_ && parser_->get().keep_alive();
  res.keep_alive(keep_alive_);
  res.prepare_payload();
  respond(std::move(res));
}

void HttpSession::respond_error(int status, std::string reason) {
  respond_error(static_cast<http::status>(status), std::move(reason));
}

void HttpSession::start_sse(StreamSpec spec, std::optional<compress::Format> coding) {
  timer_.cancel();
  handed_off_ = true;
  std::make_shared<SseConnection>(ctx_, std::move(stream_), std::move(spec), coding)->start();
}

void HttpSession::start_ws(StreamSpec spec) {
  auto& req = parser_->get();
  if (req.method() != http::verb::get) {
    return respond_error(http::status::method_not_allowed, "only GET is allowed here");
  }
  timer_.cancel();
  if (!beast::websocket::is_upgrade(req)) {
    return respond_error(http::status::upgrade_required,
                         "/ws needs a WebSocket upgrade request (RFC 6455)");
  }
  const auto offer = req[http::field::sec_websocket_extensions];
  const bool deflate_offered =
      std::string_view(offer.data(), offer.size()).find("permessage-deflate") !=
      std::string_view::npos;
  if (ctx_.config->compression && deflate_offered && ctx_.config->ws_pmd_beast &&
      !stream_.tls()) {
    // Beast negotiates and compresses (one message per write): the reference implementation.
    handed_off_ = true;
    std::make_shared<WsConnection>(ctx_, beast::tcp_stream(std::move(stream_.socket())),
                                   std::move(spec))
        ->start(parser_->release());
    return;
  }
  // Our own RFC 6455 handshake, framing and permessage-deflate, with gathered writes.
  const auto version = req[http::field::sec_websocket_version];
  const auto key = req[http::field::sec_websocket_key];
  if (std::string_view(version.data(), version.size()) != "13") {
    http::response<http::string_body> res{http::status::upgrade_required, 11};
    res.set(http::field::sec_websocket_version, "13");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "unsupported Sec-WebSocket-Version (this server speaks 13)\n";
    res.keep_alive(false);
    res.prepare_payload();
    ctx_.stats.add(ctx_.stats.bad_requests);
    return respond(std::move(res));
  }
  const std::string_view key_view(key.data(), key.size());
  if (!ws::is_valid_client_key(key_view)) {
    return respond_error(http::status::bad_request, "invalid Sec-WebSocket-Key");
  }
  handed_off_ = true;
  auto conn = std::make_shared<WsFrameConnection>(ctx_, std::move(stream_), std::move(spec),
                                                  std::string_view(offer.data(), offer.size()));
  conn->start("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: " + ws::accept_key(key_view) +
              "\r\nServer: pushbench\r\n\r\n");
}

void HttpSession::respond_error(http::status status, std::string reason) {
  ctx_.stats.add(ctx_.stats.bad_requests);
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(reason) + "\n";
  res.keep_alive(false);
  res.prepare_payload();
  respond(std::move(res));
}

void HttpSession::respond(http::response<http::string_body> res) {
  response_ = std::make_shared<http::response<http::string_body>>(std::move(res));
  arm_timeout();
  writing_ = true;
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
}

void HttpSession::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  timer_.cancel();
  if (keep_alive_ && !ec) {
    keep_alive_ = false;
    arm_timeout();
    return do_read();
  }
  stream_.shutdown_send();
}

}  // namespace pushbench::server
