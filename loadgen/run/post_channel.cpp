#include "loadgen/run/post_channel.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include "loadgen/net/tls_open.hpp"
#include "loadgen/protocol/errors.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

PostTarget PostTarget::chat(const RunPlan& plan, std::string_view stream_id) {
  return {plan.endpoint, plan.tls, plan.target.host, plan.target.host_header(),
          "/send?stream=" + url_encode(stream_id)};
}

PostChannel::PostChannel(asio::io_context& ioc, PostTarget target,
                         std::function<void(std::error_code, std::string_view)> on_error,
                         AnswerFn on_answer)
    : ioc_(ioc),
      target_(std::move(target)),
      stream_(make_stream()),
      request_head_("POST " + target_.request_target + " HTTP/1.1\r\nHost: " + target_.host_header +
                    "\r\nContent-Type: application/json\r\nContent-Length: "),
      on_error_(std::move(on_error)),
      on_answer_(std::move(on_answer)) {}

ConnStream PostChannel::make_stream() {
  return target_.tls ? ConnStream(std::make_unique<ConnStream::TlsStream>(ioc_, *target_.tls))
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
  stream_.socket().async_connect(target_.endpoint, [this](boost::system::error_code ec) {
    if (closed_) return;
    if (ec) return fail(LoadErrc::connect_failed, ec.message());
    boost::system::error_code ignored;
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    auto* tls = stream_.tls();
    if (!tls) return on_ready();
    // HTTP/1.1 requests: ALPN must not have selected h2.
    async_tls_open(*tls, target_.host, false, [this](std::optional<TlsOpenFailure> failure) {
      if (closed_) return;
      if (!failure) return on_ready();
      fail(failure->alpn ? LoadErrc::alpn_mismatch : LoadErrc::tls_handshake, failure->cause);
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
  stream_.async_read_some(
      asio::buffer(read_buf_), [this](boost::system::error_code ec, std::size_t n) {
        reading_ = false;
        if (closed_) return;
        if (reopening_) return reopen_when_idle();
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
          // A close-delimited answer ends here.
          if (answer_ && answer_->header_done() && !answer_->on_eof() && answer_->body_done()) {
            if (!parse_answers({})) return;
          }
          return on_closed(ec, LoadErrc::unexpected_eof);
        }
        if (ec) return on_closed(ec, LoadErrc::read_error);
        if (!parse_answers(std::string_view(read_buf_.data(), n))) return;
        do_read();
      });
}

bool PostChannel::parse_answers(std::string_view bytes) {
  for (;;) {
    if (answer_ && answer_->body_done()) {
      const int status = answer_->status();
      answer_.reset();
      if (unanswered_.size() == unwritten_) {
        fail(LoadErrc::protocol_error, "an answer to no request");
        return false;
      }
      if (!on_answer_ && status != 204) {
        fail(LoadErrc::http_status, "HTTP " + std::to_string(status) + " to a POST");
        return false;
      }
      unanswered_.pop_front();
      ++answered_;
      ++answered_here_;
      if (on_answer_) on_answer_(status);
      if (closed_) return false;
    }
    if (bytes.empty()) return true;
    if (!answer_) {
      answer_.emplace(kResponseHeaderLimit, [](std::string_view) { return std::error_code{}; });
    }
    std::error_code ec;
    const std::size_t used = answer_->feed(bytes, ec);
    if (ec) {
      fail(LoadErrc::protocol_error, "malformed answer: " + ec.message());
      return false;
    }
    bytes.remove_prefix(std::min(used, bytes.size()));
    // Chat's server answers 204: anything else fails at its header (its body may never end).
    if (!on_answer_ && answer_->header_done() && answer_->status() != 204) {
      fail(LoadErrc::http_status, "HTTP " + std::to_string(answer_->status()) + " to a POST");
      return false;
    }
    if (!answer_->body_done()) return true;
  }
}

void PostChannel::on_closed(boost::system::error_code ec, std::error_code as) {
  // A connection that answered before and ends between answers is the server's keep-alive
  // timeout (perhaps racing our next request): what it left unanswered, it never read.
  if (answered_here_ == 0 || answer_) return fail(as, ec.message());
  reopening_ = true;
  ready_ = false;
  stream_.close();
  reopen_when_idle();
}

void PostChannel::reopen_when_idle() {
  if (reading_ || writing_) return;  // the old connection's operations end first
  stream_ = make_stream();
  answer_.reset();
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
