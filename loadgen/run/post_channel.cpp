#include "loadgen/run/post_channel.hpp"

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
      request_head_("POST " + target_.request_target + " HTTP/1.1\r\nHost: " + target_.host_header +
                    "\r\nContent-Type: application/json\r\nContent-Length: "),
      on_error_(std::move(on_error)),
      on_answer_(std::move(on_answer)) {}

PostChannel::~PostChannel() = default;

void PostChannel::post(std::string_view message) {
  if (closed_) return;
  std::string request = request_head_;
  request += std::to_string(message.size());
  request += "\r\n\r\n";
  request += message;
  unanswered_.push_back(std::move(request));
  ++unwritten_;
  if (!conn_) return connect();
  do_write();
}

void PostChannel::connect() {
  answer_.reset();
  answered_here_ = 0;
  // HTTP/1.1 requests: over TLS, ALPN offers http/1.1 alone and must not have selected h2.
  ConnectionOptions options;
  options.endpoints = {target_.endpoint};
  options.tls = target_.tls;
  options.host = target_.host;
  options.offer_http11_only = true;
  conn_ = ConnectionRef(Connection::open(ioc_, std::move(options), *this));
}

void PostChannel::on_open() {
  ++connections_;
  do_write();
}

void PostChannel::on_open_failed(const OpenFailure& failure) {
  if (failure.stage == OpenFailure::Stage::connect) {
    return fail(LoadErrc::connect_failed, failure.cause);
  }
  fail(failure.alpn ? LoadErrc::alpn_mismatch : LoadErrc::tls_handshake, failure.cause);
}

void PostChannel::do_write() {
  if (unwritten_ == 0 || !conn_ || !conn_->is_open() || conn_->writing()) return;
  std::string batch;
  for (auto it = unanswered_.end() - static_cast<std::ptrdiff_t>(unwritten_);
       it != unanswered_.end(); ++it) {
    batch += *it;
  }
  unwritten_ = 0;
  conn_->write(std::move(batch));
}

void PostChannel::on_write_failed(boost::system::error_code ec) {
  on_closed(ec, LoadErrc::write_error);
}

ReadNext PostChannel::on_read(std::string_view bytes) {
  return parse_answers(bytes) ? ReadNext::more : ReadNext::stop;
}

void PostChannel::on_read_end(boost::system::error_code ec) {
  if (!Connection::is_end_of_stream(ec)) return on_closed(ec, LoadErrc::read_error);
  // A close-delimited answer ends here.
  if (answer_ && answer_->header_done() && !answer_->on_eof() && answer_->body_done()) {
    if (!parse_answers({})) return;
  }
  on_closed(ec, LoadErrc::unexpected_eof);
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
  conn_.reset();
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
  conn_.reset();
}

}  // namespace pushbench::loadgen
