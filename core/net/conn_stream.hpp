#pragma once
// The byte stream of one connection: a TCP socket, or TLS over it. Models Asio's
// AsyncReadStream and AsyncWriteStream, so composed operations (async_write, async_read_until,
// Beast's http::async_read) work on either.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <utility>

namespace pushbench {

class ConnStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

  /// Cleartext.
  explicit ConnStream(boost::asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}
  /// TLS, after (or before) its handshake; the TLS stream owns the socket.
  explicit ConnStream(std::unique_ptr<TlsStream> tls)
      : plain_(tls->get_executor()), tls_(std::move(tls)) {}
  ConnStream(ConnStream&&) = default;
  ConnStream& operator=(ConnStream&&) = default;

  executor_type get_executor() { return socket().get_executor(); }
  /// The TCP socket (under TLS when there is TLS).
  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : plain_; }
  /// The TLS stream, null for cleartext.
  TlsStream* tls() { return tls_.get(); }

  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_.async_read_some(buffers, std::forward<Handler>(handler));
    }
  }
  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_.async_write_some(buffers, std::forward<Handler>(handler));
    }
  }
  /// Ends our sending side with a TCP half-close. Under TLS no close_notify is sent: every
  /// stream we serve is delimited by its own framing (last chunk, close frame, END_STREAM).
  void shutdown_send() {
    boost::system::error_code ignored;
    socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  }
  /// Closes the socket at once (pending operations complete with operation_aborted).
  void close() {
    boost::system::error_code ignored;
    socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

 private:
  boost::asio::ip::tcp::socket plain_;  ///< the socket when cleartext (unused under TLS)
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace pushbench
