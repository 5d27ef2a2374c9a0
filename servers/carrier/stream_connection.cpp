#include "servers/carrier/stream_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "servers/carrier/fail.hpp"
#include "servers/carrier/gather.hpp"
#include "servers/carrier/slow_client.hpp"

namespace pushbench::server {

namespace {
/// The most queued messages gathered into one write (Asio's buffer-sequence limit per call).
constexpr std::size_t kMaxGather = 64;
/// Small messages are copied into one buffer instead (a batch of 64-byte events in one system
/// call, not one per 64): at most this many bytes and messages, when they average at most
/// kMaxFlatAverage bytes.
constexpr std::size_t kMaxFlatBytes = 64 << 10;
constexpr std::size_t kMaxFlatMessages = 1024;
constexpr std::size_t kMaxFlatAverage = 512;
}  // namespace

StreamConnection::StreamConnection(ThreadContext& ctx, ConnStream stream, StreamSpec spec)
    : ctx_(ctx),
      stream_(std::move(stream)),
      spec_(std::make_unique<StreamSpec>(std::move(spec))),
      queue_(ctx.config->max_queue_bytes) {
  boost::system::error_code ignored;
  stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  // The read watch reads synchronously once the socket is readable (do_watch): never block.
  if (!stream_.tls()) stream_.socket().non_blocking(true, ignored);
}

StreamConnection::~StreamConnection() {
  ctx_.stats.add(ctx_.stats.closed);
}

void StreamConnection::begin_stream(std::string preamble) {
  enlist();
  if (!preamble.empty()) enqueue(std::make_shared<const std::string>(std::move(preamble)));
  do_watch();
  if (closed_) return;
  source_ = start_events(ctx_, *spec_, weak_from_this());
  spec_.reset();
  // Only now may the response head go out: a chat stream's id must be registered before the
  // client, seeing the head, POSTs to it on a connection another I/O thread may serve.
  started_ = true;
  if (!closed_ && in_flight_ == 0 && !queue_.empty()) do_write();
}

SendResult StreamConnection::send(SharedBuffer framed) {
  return enqueue(std::move(framed));
}

SendResult StreamConnection::enqueue(SharedBuffer framed) {
  if (closed_) return SendResult::dropped;
  const auto r = queue_.push(std::move(framed));
  if (r == SendResult::dropped) {
    abort_slow_client(ctx_, stream_.socket());
    close({});
    return r;
  }
  if (in_flight_ == 0 && started_ && !corked_) do_write();
  return r;
}

void StreamConnection::uncork() {
  corked_ = false;
  if (!closed_ && in_flight_ == 0 && started_ && !queue_.empty()) do_write();
}

void StreamConnection::finish() {
  finishing_ = true;
  const auto t = trailer();
  if (!t.empty()) {
    enqueue(std::make_shared<const std::string>(t));
  } else if (in_flight_ == 0 && queue_.empty()) {
    close({});
  }
}

void StreamConnection::go_away() {
  if (closed_ || finishing_) return;
  if (source_) source_->stop();
  finish();
}

void StreamConnection::do_write() {
  gather_.clear();
  // The messages a flat copy would take: whole ones, within its limits.
  std::size_t n = 0, bytes = 0;
  while (n < queue_.size() && n < kMaxFlatMessages && bytes + queue_[n].size() <= kMaxFlatBytes) {
    bytes += queue_[n++].size();
  }
  if (n > kMaxGather && bytes <= n * kMaxFlatAverage) {
    flat_.clear();
    flat_.reserve(bytes);
    for (std::size_t i = 0; i < n; ++i) flat_ += queue_[i];
    gather_.emplace_back(flat_.data(), flat_.size());
    ctx_.stats.add(ctx_.stats.stream_copied_writes);
  } else {
    if (flat_.capacity() > 0) flat_ = std::string();  // no write in flight uses it
    n = std::min(queue_.size(), kMaxGather);
    for (std::size_t i = 0; i < n; ++i) gather_.emplace_back(queue_[i].data(), queue_[i].size());
  }
  in_flight_ = n;
  if (!stream_.tls()) return write_gathered();
  ctx_.stats.add(ctx_.stats.stream_writes);
  // TLS encrypts one buffer per record write anyway: Asio's composed write loops over them.
  boost::asio::async_write(
      stream_, gather_, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        self->on_write(ec, n);
      });
}

void StreamConnection::write_gathered() {
  ctx_.stats.add(ctx_.stats.stream_writes);
  // The socket's own write_some, not async_write: Asio's composed write hands the kernel at most
  // 16 buffers a call (1 KiB of 64-byte events), this one all of gather_ (up to 64).
  stream_.socket().async_write_some(
      gather_, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        self->on_written_some(ec, n);
      });
}

void StreamConnection::on_written_some(boost::system::error_code ec, std::size_t n) {
  if (ec || closed_) return on_write(ec, n);
  if (consume_written(gather_, n)) return on_write({}, 0);
  // A partial write: what is left of gather_ goes next.
  ctx_.stats.add(ctx_.stats.stream_partial_writes);
  write_gathered();
}

void StreamConnection::on_write(boost::system::error_code ec, std::size_t) {
  if (ec) return close(ec);
  queue_.pop(in_flight_);
  in_flight_ = 0;
  if (closed_) return;
  if (!queue_.empty()) return do_write();
  flat_ = std::string();  // an idle connection holds no copy
  if (finishing_) {
    // Half-close: the client sees a clean end of stream after every byte.
    stream_.shutdown_send();
  }
}

void StreamConnection::do_watch() {
  if (stream_.tls()) {
    // TLS reads through the stream's own record buffers: the bytes land in a buffer of ours,
    // allocated once (OpenSSL holds far more per connection anyway).
    if (!tls_read_) tls_read_ = std::make_unique<std::array<char, 512>>();
    stream_.async_read_some(
        boost::asio::buffer(*tls_read_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) return self->close(ec);
          self->on_watched(std::string_view(self->tls_read_->data(), n));
        });
    return;
  }
  // Cleartext: wait for readability, then read into the thread's scratch buffer, so an idle
  // connection holds no read buffer.
  stream_.socket().async_wait(boost::asio::ip::tcp::socket::wait_read,
                              [self = shared_from_this()](boost::system::error_code ec) {
                                if (ec) return self->close(ec);
                                self->on_readable();
                              });
}

void StreamConnection::on_readable() {
  auto& scratch = ctx_.read_scratch;
  // Readiness is edge-triggered (epoll): a read that fills the buffer may have left bytes that
  // the next wait would not wake for, so it reads again (a shorter read drained the socket:
  // no extra syscall). A client that keeps it full yields the thread after kMaxReads reads and
  // is read again from a posted handler.
  constexpr int kMaxReads = 16;
  for (int i = 0; i < kMaxReads; ++i) {
    boost::system::error_code ec;
    const std::size_t n = stream_.socket().read_some(boost::asio::buffer(scratch), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      return do_watch();
    }
    if (ec) return close(ec);
    if (!on_client_bytes(std::string_view(scratch.data(), n))) return close({});
    if (closed_) return;
    if (n < scratch.size()) return do_watch();
  }
  boost::asio::post(stream_.socket().get_executor(), [self = shared_from_this()] {
    if (!self->closed_) self->on_readable();
  });
}

void StreamConnection::on_watched(std::string_view bytes) {
  if (!on_client_bytes(bytes)) return close({});
  do_watch();
}

void StreamConnection::close(boost::system::error_code ec) {
  if (closed_) return;
  closed_ = true;
  if (ec && !is_normal_close(ec)) ctx_.stats.add(ctx_.stats.io_errors);
  if (source_) source_->stop();
  stream_.close();
}

}  // namespace pushbench::server
