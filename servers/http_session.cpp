#include "servers/http_session.hpp"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>

#include "core/workload.hpp"
#include "servers/content_coding.hpp"
#include "servers/fail.hpp"
#include "core/ws_handshake.hpp"
#include "servers/sse_connection.hpp"
#include "servers/ws_frame_connection.hpp"
#include "servers/ws_connection.hpp"

namespace pushbench::server {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr auto kRequestTimeout = std::chrono::seconds(10);
}

HttpSession::HttpSession(ThreadContext& ctx, boost::asio::ip::tcp::socket socket)
    : ctx_(ctx), stream_(std::move(socket)) {}

HttpSession::~HttpSession() {
  if (!handed_off_) ctx_.stats.add(ctx_.stats.closed);
}

void HttpSession::start() { do_read(); }

void HttpSession::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(ctx_.config->max_header_bytes));
  parser_->body_limit(0);
  stream_.expires_after(kRequestTimeout);
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
    return respond_error(http::status::payload_too_large, "request bodies are not accepted");
  }
  if (ec == beast::error::timeout) return;
  if (ec) {
    if (is_normal_close(ec)) return;
    return respond_error(http::status::bad_request, "malformed request: " + ec.message());
  }
  auto& req = parser_->get();
  const std::string_view target(req.target().data(), req.target().size());
  const auto qpos = target.find('?');
  const auto path = target.substr(0, qpos);
  const auto query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  const Transport transport = ctx_.config->transport;

  if (path == "/health" || path == "/stats") {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = path == "/health" ? std::string("{\"ok\":true}\n")
                                   : ctx_.server->stats_json().dump() + "\n";
    res.keep_alive(false);
    res.prepare_payload();
    return respond(std::move(res));
  }
  const bool is_sse = path == "/sse";
  const bool is_ws = path == "/ws";
  if (!is_sse && !is_ws) return respond_error(http::status::not_found, "unknown path");
  if ((is_sse && transport != Transport::sse) || (is_ws && transport != Transport::ws)) {
    return respond_error(http::status::not_found, "this server serves the " +
                                                      std::string(to_string(transport)) +
                                                      " transport only");
  }
  if (req.method() != http::verb::get) {
    return respond_error(http::status::method_not_allowed, "only GET is allowed here");
  }
  auto parsed = StreamSpec::parse_query(query);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    return respond_error(http::status::bad_request, *err);
  }
  auto spec = std::get<StreamSpec>(std::move(parsed));
  if (auto err = check_spec(*ctx_.config, spec)) {
    return respond_error(http::status::bad_request, *err);
  }
  stream_.expires_never();
  handed_off_ = true;
  if (is_sse) {
    std::optional<compress::Format> coding;
    if (ctx_.config->compression) {
      const auto ae = req[http::field::accept_encoding];
      coding = choose_content_coding(std::string_view(ae.data(), ae.size()));
    }
    std::make_shared<SseConnection>(ctx_, stream_.release_socket(), std::move(spec), coding)
        ->start();
    return;
  }
  if (!beast::websocket::is_upgrade(req)) {
    return respond_error(http::status::upgrade_required,
                         "/ws needs a WebSocket upgrade request (RFC 6455)");
  }
  const auto offer = req[http::field::sec_websocket_extensions];
  const bool deflate_offered =
      std::string_view(offer.data(), offer.size()).find("permessage-deflate") !=
      std::string_view::npos;
  if (ctx_.config->compression && deflate_offered) {
    // permessage-deflate: Beast negotiates and compresses (one message per write).
    std::make_shared<WsConnection>(ctx_, std::move(stream_), std::move(spec))
        ->start(parser_->release());
    return;
  }
  // No compression: our own RFC 6455 handshake and framing, with gathered writes.
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
    handed_off_ = false;
    return respond(std::move(res));
  }
  const std::string_view key_view(key.data(), key.size());
  if (!ws::is_valid_client_key(key_view)) {
    handed_off_ = false;
    return respond_error(http::status::bad_request, "invalid Sec-WebSocket-Key");
  }
  auto conn = std::make_shared<WsFrameConnection>(ctx_, stream_.release_socket(), std::move(spec));
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
  stream_.expires_after(kRequestTimeout);
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
}

void HttpSession::on_write(beast::error_code ec, std::size_t) {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace pushbench::server
