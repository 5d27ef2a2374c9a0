#include "loadgen/net/connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <sstream>

#include "loadgen/net/tls_open.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

namespace {
ConnStream make_stream(asio::io_context& ioc, const std::shared_ptr<asio::ssl::context>& tls) {
  return tls ? ConnStream(std::make_unique<ConnStream::TlsStream>(ioc, *tls))
             : ConnStream(asio::ip::tcp::socket(ioc));
}
}  // namespace

std::shared_ptr<Connection> Connection::open(asio::io_context& ioc, ConnectionOptions options,
                                             ConnectionHandler& handler) {
  std::shared_ptr<Connection> connection(new Connection(ioc, std::move(options), handler));
  connection->do_connect();
  return connection;
}

Connection::Connection(asio::io_context& ioc, ConnectionOptions options, ConnectionHandler& handler)
    : options_(std::move(options)),
      handler_(&handler),
      stream_(make_stream(ioc, options_.tls)),
      deadline_(ioc),
      pause_(ioc) {}

bool Connection::tls() const {
  return options_.tls != nullptr;
}

bool Connection::is_end_of_stream(boost::system::error_code ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

void Connection::do_connect() {
  if (next_endpoint_ >= options_.endpoints.size()) {
    // Reported from a fresh handler: the owner may still be in open().
    OpenFailure failure;
    failure.cause = connect_cause_.empty() ? "no address to connect to" : connect_cause_;
    asio::post(stream_.get_executor(), [self = shared_from_this(), failure] {
      if (self->handler_) self->fail_open(failure);
    });
    return;
  }
  const auto& endpoint = options_.endpoints[next_endpoint_];
  auto& socket = stream_.socket();
  boost::system::error_code ignored;
  socket.close(ignored);
  socket.open(endpoint.protocol(), ignored);
  if (options_.receive_buffer) {
    // A small receive window keeps the backlog at the server (a slow reader).
    socket.set_option(asio::socket_base::receive_buffer_size(*options_.receive_buffer), ignored);
  }
  socket.async_connect(endpoint, [self = shared_from_this()](boost::system::error_code ec) {
    self->on_connect(ec);
  });
}

void Connection::on_connect(boost::system::error_code ec) {
  if (!handler_) return;
  if (ec) {
    std::ostringstream cause;
    cause << ec.message() << " (" << options_.endpoints[next_endpoint_] << ")";
    connect_cause_ = cause.str();
    ++next_endpoint_;
    return do_connect();
  }
  boost::system::error_code ignored;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (options_.delayed_acks) set_delayed_acks();
  connected_ = true;
  handler_->on_connected();
  if (!handler_) return;
  if (!stream_.tls()) return on_opened();
  if (options_.offer_http11_only) {
    static constexpr unsigned char kHttp11[] = "\x08http/1.1";
    SSL_set_alpn_protos(stream_.tls()->native_handle(), kHttp11, sizeof kHttp11 - 1);
  }
  async_tls_open(*stream_.tls(), options_.host, options_.h2,
                 [self = shared_from_this()](std::optional<TlsOpenFailure> failure) {
                   if (!self->handler_) return;
                   if (!failure) return self->on_opened();
                   OpenFailure f;
                   f.stage = OpenFailure::Stage::tls;
                   f.alpn = failure->alpn;
                   f.verify_failed = failure->verify_failed;
                   f.cause = std::move(failure->cause);
                   self->fail_open(std::move(f));
                 });
}

void Connection::set_delayed_acks() {
  // On a connected TCP socket this cannot fail (the handler is attached: the socket is open).
  const int off = 0;
  setsockopt(stream_.socket().native_handle(), IPPROTO_TCP, TCP_QUICKACK, &off, sizeof off);
  last_delayed_acks_set_ = last_read_ = std::chrono::steady_clock::now();
}

void Connection::fail_open(OpenFailure failure) {
  ConnectionHandler* handler = handler_;
  detach();
  handler->on_open_failed(failure);
}

void Connection::on_opened() {
  open_ = true;
  handler_->on_open();
  if (!handler_) return;
  if (!writing_ && !pending_.empty()) do_write();
  do_read();
}

void Connection::write(std::string_view bytes) {
  if (bytes.empty() || !handler_ || write_failed_) return;
  pending_ += bytes;
  if (open_ && !writing_) do_write();
}

void Connection::do_write() {
  // The two buffers trade places, so both keep their capacity from write to write.
  write_buf_.swap(pending_);
  pending_.clear();
  writing_ = true;
  asio::async_write(stream_, asio::buffer(write_buf_),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
}

void Connection::on_write(boost::system::error_code ec) {
  writing_ = false;
  if (!handler_) return;
  if (ec) {
    // Reported once: the bytes queued behind the failed write, and any later ones, are dropped.
    write_failed_ = true;
    pending_.clear();
    return handler_->on_write_failed(ec);
  }
  if (!pending_.empty()) return do_write();
  handler_->on_written();
}

bool Connection::write_now(std::string_view bytes) {
  if (!open_ || writing_ || write_failed_ || stream_.tls() || bytes.empty()) return false;
  boost::system::error_code ec;
  stream_.socket().non_blocking(true, ec);
  const std::size_t n = stream_.socket().write_some(asio::buffer(bytes), ec);
  return !ec && n > 0;
}

void Connection::do_read() {
  const std::size_t size = std::min(read_buf_.size(), handler_->next_read_size());
  stream_.async_read_some(asio::buffer(read_buf_.data(), size),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void Connection::on_read(boost::system::error_code ec, std::size_t n) {
  if (!handler_) return;
  if (ec) return handler_->on_read_end(ec);
  if (options_.delayed_acks) {
    // After a gap that a delayed-ACK timer (40 ms at the shortest) may have ended, and once a
    // second whatever the gaps (the kernel also leaves the mode on out-of-window data).
    const auto now = std::chrono::steady_clock::now();
    if (now - last_read_ >= std::chrono::milliseconds(40) ||
        now - last_delayed_acks_set_ >= std::chrono::seconds(1)) {
      set_delayed_acks();
    }
    last_read_ = now;
  }
  const ReadNext next = handler_->on_read(std::string_view(read_buf_.data(), n));
  if (next == ReadNext::more && handler_) do_read();
}

void Connection::resume_reading_after(std::chrono::nanoseconds pause) {
  if (!handler_) return;
  pause_.expires_after(pause);
  pause_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || !self->handler_) return;
    // A reset counts when it arrives, not once the paced reads have drained the bytes before it.
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(self->stream_.socket().native_handle(), SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
        err != 0) {
      return self->handler_->on_error_while_paused(
          boost::system::error_code(err, boost::system::system_category()));
    }
    self->do_read();
  });
}

void Connection::set_deadline(std::chrono::steady_clock::time_point when) {
  if (!handler_) return;
  deadline_set_ = true;
  deadline_.expires_at(when);
  deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    // A wait that completed just before a clear or a new deadline finds it cleared or later.
    if (ec || !self->handler_ || !self->deadline_set_) return;
    if (self->deadline_.expiry() > std::chrono::steady_clock::now()) return;
    self->deadline_set_ = false;
    self->handler_->on_deadline();
  });
}

void Connection::clear_deadline() {
  deadline_set_ = false;
  deadline_.cancel();
}

void Connection::detach() {
  if (!handler_) return;
  handler_ = nullptr;
  connected_ = open_ = false;
  deadline_.cancel();
  pause_.cancel();
  stream_.close();
}

}  // namespace pushbench::loadgen
