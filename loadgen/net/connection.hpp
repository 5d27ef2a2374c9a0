#pragma once
// The connection driver of the load generator: one attempt at one connection. It connects (each
// address in turn), opens TLS with the ALPN check when asked, then runs a read loop and writes
// what it is given, one write in flight behind a queue. It is created afresh for every attempt
// and its owner ends it with detach(): from then on no handler is called, so owners need no
// generation guards. The pending operations hold the connection (not the owner) alive.
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/net/conn_stream.hpp"

namespace pushbench::loadgen {

/// Why a connection did not open.
struct OpenFailure {
  /// The step that failed.
  enum class Stage { connect, tls };
  Stage stage = Stage::connect;
  bool alpn = false;           ///< TLS is up, but ALPN selected another protocol than asked
  bool verify_failed = false;  ///< the peer certificate failed verification (a retry fails too)
  std::string cause;           ///< in words; a connect failure names the address
};

/// What the owner wants after a read.
enum class ReadNext {
  more,    ///< read again at once
  paused,  ///< no read until resume_reading_after() (a slow reader's pacing)
  stop,    ///< no more reads (the owner is ending the connection)
};

/// The owner's side of a connection. Called on the io_context's thread, only while attached
/// (on_open_failed comes once, just after the connection detached itself).
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  /// TCP is connected; TLS, when asked, begins after this returns (for kernel counters that
  /// start with the TCP connection).
  virtual void on_connected() {}
  /// TCP is connected (and TLS is up, speaking the protocol asked). The read loop starts after
  /// this returns.
  virtual void on_open() = 0;
  /// The connection could not be opened: it is detached (nothing else follows) and closed.
  virtual void on_open_failed(const OpenFailure& failure) = 0;
  /// `bytes` were read (valid during the call only).
  virtual ReadNext on_read(std::string_view bytes) = 0;
  /// The read loop ended: the peer's end (see is_end_of_stream), a reset or another error.
  virtual void on_read_end(boost::system::error_code ec) = 0;
  /// The read loop ended on an error the socket held when a paused read resumed (a reset that
  /// came while the reader waited, with bytes still unread ahead of it). By default: on_read_end.
  virtual void on_error_while_paused(boost::system::error_code ec) { on_read_end(ec); }
  /// A write failed: the connection cannot be used.
  virtual void on_write_failed(boost::system::error_code ec) = 0;
  /// Every byte queued so far has been written.
  virtual void on_written() {}
  /// The deadline set with set_deadline() passed before clear_deadline().
  virtual void on_deadline() {}
  /// The most bytes the next read may take (a slow reader's token bucket).
  virtual std::size_t next_read_size() const { return std::numeric_limits<std::size_t>::max(); }
};

/// Where and how to connect.
struct ConnectionOptions {
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  ///< tried in order until one connects
  std::shared_ptr<boost::asio::ssl::context> tls;         ///< TLS over the TCP connection if set
  std::string host;  ///< TLS: the server name (SNI, certificate check)
  bool h2 = false;   ///< TLS: ALPN must select h2 (else http/1.1 or none)
  /// TLS: offer ALPN http/1.1 alone, whatever `tls` offers (a context shared with h2 connections).
  bool offer_http11_only = false;
  std::optional<int> receive_buffer;  ///< SO_RCVBUF set before connecting
  /// TCP_QUICKACK off (the kernel's delayed-ACK mode) once connected, and again on the first
  /// read after an idle gap long enough for a delayed-ACK timer to have fired (it leaves the
  /// mode on some kernels) and at least once a second: the kernel then ACKs every second
  /// segment, not every read that drains a small one. Half the ACKs or fewer; those left are
  /// sent when a segment arrives (on loopback, in the sender's system call).
  bool delayed_acks = false;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  /// Starts connecting; `handler` is called until detach() (the owner must detach before it
  /// goes: ConnectionRef does).
  static std::shared_ptr<Connection> open(boost::asio::io_context& ioc, ConnectionOptions options,
                                          ConnectionHandler& handler);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Queues `bytes`; they are written in order once open, one write in flight. After a failed
  /// write (reported once, by on_write_failed) nothing more is written.
  void write(std::string_view bytes);
  /// Writes `bytes` at once without waiting, best effort, cleartext only (a goodbye at the end of
  /// a run, when no handler will run any more). Returns false when nothing could be written,
  /// and when a queued write is unfinished (the bytes would land inside it).
  bool write_now(std::string_view bytes);
  /// After on_read returned ReadNext::paused: reads again once `pause` has passed.
  void resume_reading_after(std::chrono::nanoseconds pause);
  /// Calls on_deadline at `when` unless cleared first; a later call replaces the deadline.
  void set_deadline(std::chrono::steady_clock::time_point when);
  void clear_deadline();
  /// Closes the socket and ends every call to the handler. Idempotent.
  void detach();

  /// TCP is connected (TLS may still be opening).
  bool connected() const { return connected_; }
  /// Open: connected, TLS up; writes go out.
  bool is_open() const { return open_; }
  /// A write is in flight (bytes queued behind it go out when it completes).
  bool writing() const { return writing_; }
  /// True for TLS connections.
  bool tls() const;
  /// The TCP socket (for kernel counters; closed after detach).
  boost::asio::ip::tcp::socket& socket() { return stream_.socket(); }
  /// The peer ended the stream: EOF, or TLS ended by a TCP close without close_notify (how our
  /// servers end TLS streams after the stream's own framing).
  static bool is_end_of_stream(boost::system::error_code ec);

 private:
  Connection(boost::asio::io_context& ioc, ConnectionOptions options, ConnectionHandler& handler);
  void do_connect();
  void on_connect(boost::system::error_code ec);
  void on_opened();
  /// options_.delayed_acks: turns TCP_QUICKACK off (again).
  void set_delayed_acks();
  /// Detaches, closes, then reports `failure` to the handler it had.
  void fail_open(OpenFailure failure);
  void do_read();
  void on_read(boost::system::error_code ec, std::size_t n);
  void do_write();
  void on_write(boost::system::error_code ec);

  ConnectionOptions options_;
  ConnectionHandler* handler_;  ///< null once detached
  ConnStream stream_;
  std::size_t next_endpoint_ = 0;  ///< the address the connect in flight tries
  std::string connect_cause_;      ///< why the last address failed
  boost::asio::steady_timer deadline_;
  bool deadline_set_ = false;        ///< a deadline is armed and not cleared
  boost::asio::steady_timer pause_;  ///< a paused read's wait
  std::array<char, 16 << 10> read_buf_{};
  std::string write_buf_;      ///< the write in flight (must not change meanwhile)
  std::string pending_;        ///< bytes queued behind it
  bool connected_ = false;     ///< TCP is up
  bool open_ = false;          ///< TLS is up too (or not asked)
  bool writing_ = false;       ///< a write is in flight
  bool write_failed_ = false;  ///< a write failed: nothing more is written
  std::chrono::steady_clock::time_point last_read_;  ///< delayed_acks: when the last read came
  std::chrono::steady_clock::time_point last_delayed_acks_set_;  ///< delayed_acks: last set
};

/// The owner's hold on a connection: detaches it when reset, replaced or destroyed.
class ConnectionRef {
 public:
  ConnectionRef() = default;
  explicit ConnectionRef(std::shared_ptr<Connection> connection)
      : connection_(std::move(connection)) {}
  ConnectionRef(ConnectionRef&& other) noexcept = default;
  ConnectionRef& operator=(ConnectionRef&& other) noexcept {
    if (this != &other) {
      reset();
      connection_ = std::move(other.connection_);
    }
    return *this;
  }
  ~ConnectionRef() { reset(); }
  /// Detaches and lets go of the connection.
  void reset() {
    if (connection_) std::exchange(connection_, nullptr)->detach();
  }
  Connection* operator->() const { return connection_.get(); }
  Connection& operator*() const { return *connection_; }
  explicit operator bool() const { return connection_ != nullptr; }

 private:
  std::shared_ptr<Connection> connection_;
};

}  // namespace pushbench::loadgen
