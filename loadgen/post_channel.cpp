#include "loadgen/post_channel.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include "loadgen/errors.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

PostChannel::PostChannel(asio::io_context& ioc, const RunPlan& plan, std::string stream_id,
                         std::function<void(std::error_code)> on_error)
    : ioc_(ioc),
      plan_(plan),
      stream_(make_stream()),
      request_head_("POST /send?stream=" + url_encode(stream_id) + " HTTP/1.1\r\nHost: " +
                    plan.target.host_header() +
                    "\r\nContent-Type: application/json\r\nContent-Length: "),
      on_error_(std::move(on_error)) {}

ConnStream PostChannel::make_stream() {
  return plan_.tls ? ConnStream(std::make_unique<ConnStream::TlsStream>(ioc_, *plan_.tls))
                   : ConnStream(asio::ip::tcp::socket(ioc_));
}

void PostChannel::post(std::string_view message) {
  if (closed_) return;
  ++posted_;
  pending_ += request_head_;
  pending_ += std::to_string(message.size());
  pending_ += "\r\n\r\n";
  pending_ += message;
  if (!ready_) return connect();
  do_write();
}

void PostChannel::connect() {
  if (connecting_) return;
  connecting_ = true;
  if (std::exchange(stale_, false)) {
    // Every operation of the old connection has completed (its read saw the close, and no
    // write was in flight with nothing to answer).
    stream_.close();
    stream_ = make_stream();
    answers_.clear();
  }
  ++connections_;
  stream_.socket().async_connect(plan_.endpoint, [this](boost::system::error_code ec) {
    if (closed_) return;
    if (ec) return fail(LoadErrc::connect_failed);
    boost::system::error_code ignored;
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    auto* tls = stream_.tls();
    if (!tls) return on_ready();
    tls->async_handshake(asio::ssl::stream_base::client, [this](boost::system::error_code ec) {
      if (closed_) return;
      if (ec) return fail(LoadErrc::tls_handshake);
      on_ready();
    });
  });
}

void PostChannel::on_ready() {
  connecting_ = false;
  ready_ = true;
  do_read();
  do_write();
}

void PostChannel::do_write() {
  if (writing_ || pending_.empty() || closed_) return;
  writing_ = true;
  writing_buf_ = std::exchange(pending_, {});
  asio::async_write(stream_, asio::buffer(writing_buf_),
                    [this](boost::system::error_code ec, std::size_t) {
                      if (closed_) return;
                      writing_ = false;
                      if (ec) return fail(LoadErrc::write_error);
                      do_write();
                    });
}

void PostChannel::do_read() {
  stream_.async_read_some(asio::buffer(read_buf_), [this](boost::system::error_code ec,
                                                          std::size_t n) {
    if (closed_) return;
    const bool closed_by_server =
        ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
    if (closed_by_server && answered_ == posted_ && answers_.empty()) {
      // The server's keep-alive timeout on an idle connection: reopen for the next message.
      ready_ = false;
      stale_ = true;
      return;
    }
    if (ec) return fail(LoadErrc::unexpected_eof);
    answers_.append(read_buf_.data(), n);
    // Every answer is a bodiless 204: a status line and headers up to the blank line.
    for (;;) {
      const auto end = answers_.find("\r\n\r\n");
      if (end == std::string::npos) break;
      if (answers_.compare(0, 13, "HTTP/1.1 204 ") != 0) return fail(LoadErrc::http_status);
      ++answered_;
      answers_.erase(0, end + 4);
    }
    if (answers_.size() > 16 << 10) return fail(LoadErrc::protocol_error);
    do_read();
  });
}

void PostChannel::fail(std::error_code ec) {
  if (closed_) return;
  close();
  if (on_error_) on_error_(ec);
}

void PostChannel::close() {
  closed_ = true;
  stream_.close();
}

}  // namespace pushbench::loadgen
