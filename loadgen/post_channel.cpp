#include "loadgen/post_channel.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include "core/tls.hpp"
#include "loadgen/errors.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

PostChannel::PostChannel(asio::io_context& ioc, const RunPlan& plan, std::string stream_id,
                         std::function<void(std::error_code, std::string_view)> on_error)
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
  std::string request = request_head_;
  request += std::to_string(message.size());
  request += "\r\n\r\n";
  request += message;
  unanswered_.push_back(std::move(request));
  ++unwritten_;
  if (reopening_) return;  // sent once the new connection is up
  if (!ready_) return connect();
  do_write();
}

void PostChannel::connect() {
  if (connecting_ || closed_) return;
  connecting_ = true;
  stream_.socket().async_connect(plan_.endpoint, [this](boost::system::error_code ec) {
    if (closed_) return;
    if (ec) return fail(LoadErrc::connect_failed, ec.message());
    boost::system::error_code ignored;
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    auto* tls = stream_.tls();
    if (!tls) return on_ready();
    tls::prepare_client(tls->native_handle(), plan_.target.host);
    tls->async_handshake(asio::ssl::stream_base::client, [this](boost::system::error_code ec) {
      if (closed_) return;
      if (ec) {
        return fail(LoadErrc::tls_handshake,
                    tls::handshake_error_text(stream_.tls()->native_handle(), ec.message()));
      }
      on_ready();
    });
  });
}

void PostChannel::on_ready() {
  connecting_ = false;
  ready_ = true;
  answered_here_ = 0;
  ++connections_;
  do_read();
  do_write();
}

void PostChannel::do_write() {
  if (writing_ || unwritten_ == 0 || !ready_ || reopening_ || closed_) return;
  writing_buf_.clear();
  for (auto it = unanswered_.end() - static_cast<std::ptrdiff_t>(unwritten_);
       it != unanswered_.end(); ++it) {
    writing_buf_ += *it;
  }
  unwritten_ = 0;
  writing_ = true;
  asio::async_write(stream_, asio::buffer(writing_buf_),
                    [this](boost::system::error_code ec, std::size_t) {
                      writing_ = false;
                      if (closed_) return;
                      if (reopening_) return reopen_when_idle();
                      if (ec) return on_closed(ec, LoadErrc::write_error);
                      do_write();
                    });
}

void PostChannel::do_read() {
  reading_ = true;
  stream_.async_read_some(asio::buffer(read_buf_), [this](boost::system::error_code ec,
                                                          std::size_t n) {
    reading_ = false;
    if (closed_) return;
    if (reopening_) return reopen_when_idle();
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      return on_closed(ec, LoadErrc::unexpected_eof);
    }
    if (ec) return on_closed(ec, LoadErrc::read_error);
    answers_.append(read_buf_.data(), n);
    // Every answer is a bodiless 204: a status line and headers up to the blank line.
    for (;;) {
      const auto end = answers_.find("\r\n\r\n");
      if (end == std::string::npos) break;
      if (answers_.compare(0, 13, "HTTP/1.1 204 ") != 0) {
        return fail(LoadErrc::http_status, answers_.substr(0, answers_.find("\r\n")));
      }
      if (unanswered_.size() == unwritten_) {
        return fail(LoadErrc::protocol_error, "an answer to no request");
      }
      unanswered_.pop_front();
      ++answered_;
      ++answered_here_;
      answers_.erase(0, end + 4);
    }
    if (answers_.size() > 16 << 10) return fail(LoadErrc::protocol_error, "oversized answer");
    do_read();
  });
}

void PostChannel::on_closed(boost::system::error_code ec, std::error_code as) {
  // A connection that answered before and ends between answers is the server's keep-alive
  // timeout (perhaps racing our next request): what it left unanswered, it never read.
  if (answered_here_ == 0 || !answers_.empty()) return fail(as, ec.message());
  reopening_ = true;
  ready_ = false;
  stream_.close();
  reopen_when_idle();
}

void PostChannel::reopen_when_idle() {
  if (reading_ || writing_) return;  // the old connection's operations end first
  stream_ = make_stream();
  answers_.clear();
  reopening_ = false;
  resent_ += unanswered_.size() - unwritten_;
  unwritten_ = unanswered_.size();
  if (!unanswered_.empty()) connect();
}

void PostChannel::fail(std::error_code ec, std::string_view cause) {
  if (closed_) return;
  close();
  if (on_error_) on_error_(ec, cause);
}

void PostChannel::close() {
  closed_ = true;
  stream_.close();
}

}  // namespace pushbench::loadgen
