#include "servers/carrier/ws_connection.hpp"

#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/stream_base.hpp>

#include "servers/carrier/fail.hpp"
#include "servers/carrier/slow_client.hpp"

namespace pushbench::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

WsConnection::WsConnection(ThreadContext& ctx, beast::tcp_stream stream, StreamSpec spec)
    : ctx_(ctx),
      ws_(std::move(stream)),
      spec_(std::move(spec)),
      queue_(ctx.config->max_queue_bytes) {
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
}

WsConnection::~WsConnection() {
  ctx_.stats.add(ctx_.stats.closed);
}

void WsConnection::start(beast::http::request<beast::http::string_body> req) {
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "pushbench"); }));
  ws_.read_message_max(ctx_.config->max_message_bytes);
  if (const auto& c = *ctx_.config; c.compression) {
    // Accepted only when the client offers it (RFC 7692 negotiation inside Beast).
    websocket::permessage_deflate pmd;
    pmd.server_enable = true;
    pmd.server_max_window_bits = c.deflate_window_bits;
    pmd.server_no_context_takeover = c.pmd_server_no_context_takeover;
    pmd.client_no_context_takeover = c.pmd_client_no_context_takeover;
    pmd.compLevel = c.deflate_level;
    pmd.memLevel = c.deflate_mem_level;
    pmd.msg_size_threshold = c.pmd_min_size;
    ws_.set_option(pmd);
  }
  ws_.text(true);
  ws_.async_accept(req, beast::bind_front_handler(&WsConnection::on_accept, shared_from_this()));
}

void WsConnection::on_accept(beast::error_code ec) {
  if (ec) {
    ctx_.stats.add(ctx_.stats.bad_requests);
    return close(ec);
  }
  drain_.enlist(ctx_.drain, weak_from_this());
  do_read();
  source_ = start_events(ctx_, spec_, weak_from_this());
}

void WsConnection::go_away() {
  if (closed_ || finishing_) return;
  if (source_) source_->stop();
  close_code_ = websocket::close_code::going_away;
  finish();
}

SharedBuffer WsConnection::frame_event(std::uint64_t, std::string_view data) {
  return std::make_shared<const std::string>(data);
}

SendResult WsConnection::send(SharedBuffer framed) {
  if (closed_) return SendResult::dropped;
  const auto r = queue_.push(std::move(framed));
  if (r == SendResult::dropped) {
    abort_slow_client(ctx_, beast::get_lowest_layer(ws_).socket());
    close({});
    return r;
  }
  if (!writing_) do_write();
  return r;
}

void WsConnection::finish() {
  finishing_ = true;
  if (!writing_ && queue_.empty()) do_write();
}

void WsConnection::keepalive() {
  if (closed_ || writing_ || pinging_ || finishing_) return;
  pinging_ = true;
  ws_.async_ping({}, [self = shared_from_this()](beast::error_code ec) {
    self->pinging_ = false;
    if (ec) return self->close(ec);
    // A close deferred behind this ping (see do_write).
    if (self->finishing_ && !self->writing_) self->do_write();
  });
}

void WsConnection::do_write() {
  if (queue_.empty()) {
    // Beast allows one ping or close at a time: a ping in flight defers the close.
    if (!finishing_ || closed_ || pinging_) return;
    writing_ = true;
    ws_.async_close(close_code_, [self = shared_from_this()](beast::error_code ec) {
      self->writing_ = false;
      if (ec) self->close(ec);
    });
    return;
  }
  writing_ = true;
  const auto& msg = queue_.front();
  ws_.async_write(boost::asio::buffer(msg),
                  beast::bind_front_handler(&WsConnection::on_write, shared_from_this()));
}

void WsConnection::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) return close(ec);
  queue_.pop(1);
  if (!closed_) do_write();
}

void WsConnection::do_read() {
  ws_.async_read(read_buffer_,
                 beast::bind_front_handler(&WsConnection::on_read, shared_from_this()));
}

void WsConnection::on_read(beast::error_code ec, std::size_t) {
  if (ec) return close(ec);
  if (spec_.echo) {
    // Request-reply: the client's message comes back as an event.
    const auto data = read_buffer_.data();
    send(frame_event(0, std::string_view(static_cast<const char*>(data.data()), data.size())));
    ctx_.stats.add(ctx_.stats.events_sent);
  }
  read_buffer_.consume(read_buffer_.size());
  do_read();
}

void WsConnection::close(beast::error_code ec) {
  if (closed_) return;
  closed_ = true;
  if (ec && !is_normal_close(ec)) ctx_.stats.add(ctx_.stats.io_errors);
  if (source_) source_->stop();
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                                                 ignored);
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

}  // namespace pushbench::server
