#include "loadgen/run/tap.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/net/conn_stream.hpp"
#include "loadgen/net/tls_open.hpp"
#include "loadgen/protocol/errors.hpp"
#include "loadgen/protocol/session.hpp"
#include "loadgen/run/load_plan.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

namespace {

class TapPrinter final : public SessionHandler {
 public:
  TapPrinter(std::ostream& out, std::optional<std::uint64_t> count, bool event_ids)
      : out_(out), count_(count), event_ids_(event_ids) {}
  void on_event(std::size_t, std::string_view data, std::string_view type,
                std::string_view id) override {
    if (done()) return;
    nlohmann::json line = {{"type", type}, {"data", data}};
    // Only transports whose events carry ids print one (SSE always has a last-event-id,
    // possibly "").
    if (event_ids_) line["id"] = id;
    out_ << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    ++printed_;
  }
  bool done() const { return count_ && printed_ >= *count_; }

 private:
  std::ostream& out_;
  std::optional<std::uint64_t> count_;
  bool event_ids_;
  std::uint64_t printed_ = 0;
};

/// The session options of a tap: the URL's query as given, a fresh seed.
SessionOptions tap_session_options(HttpVersion http) {
  SessionOptions options;
  options.add_workload_query = false;
  options.http = http;
  options.seed =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return options;
}

/// One tap connection: resolve, connect, TLS handshake, then the session's request and its
/// replies written one at a time while the read loop prints events.
class TapConnection {
 public:
  TapConnection(const TapOptions& options, const Target& target, HttpVersion http,
                std::ostream& out)
      : options_(options),
        target_(target),
        printer_(out, options.count, transport_info(target.transport).event_ids),
        session_(make_session(target, StreamSpec{}, tap_session_options(http), printer_)),
        tls_(client_tls(target, http, false, options.ca_file)),
        stream_(tls_ ? ConnStream(std::make_unique<ConnStream::TlsStream>(ioc_, *tls_))
                     : ConnStream(asio::ip::tcp::socket(ioc_))),
        timer_(ioc_) {}

  /// Runs the connection to its end: empty after a clean end, else the error in words.
  std::string run() {
    asio::ip::tcp::resolver resolver(ioc_);
    boost::system::error_code ec;
    auto endpoints = resolver.resolve(target_.host, std::to_string(target_.port), ec);
    if (ec) return "cannot resolve " + target_.host + ": " + ec.message();
    arm_timeout();
    asio::async_connect(stream_.socket(), endpoints,
                        [this](boost::system::error_code e, const auto&) { on_connect(e); });
    ioc_.run();
    if (!error_.empty()) return error_;
    return clean_ ? std::string() : std::string("connection ended");
  }

 private:
  void arm_timeout() {
    if (options_.timeout_s <= 0) return;
    timer_.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(options_.timeout_s)));
    timer_.async_wait([this](boost::system::error_code e) {
      if (e) return;
      error_ = "timed out";
      close_socket();
    });
  }

  void on_connect(boost::system::error_code e) {
    if (e) return give_up("connect failed: " + e.message());
    if (!stream_.tls()) return begin();
    // The same TLS step as the load generator's clients: the server must speak what was asked.
    async_tls_open(*stream_.tls(), target_.host, options_.http2,
                   [this](std::optional<TlsOpenFailure> failure) {
                     if (!failure) return begin();
                     give_up((failure->alpn ? "ALPN mismatch: " : "TLS handshake failed: ") +
                             failure->cause);
                   });
  }

  void begin() {
    send(session_->initial_request());
    do_read();
  }

  /// Queues `bytes`; one write is in flight at a time.
  void send(std::string bytes) {
    pending_ += bytes;
    if (!writing_.empty() || pending_.empty()) return;
    writing_ = std::exchange(pending_, {});
    asio::async_write(stream_, asio::buffer(writing_),
                      [this](boost::system::error_code e, std::size_t) { on_write(e); });
  }

  void on_write(boost::system::error_code e) {
    writing_.clear();
    if (e) return;
    send({});
  }

  void do_read() {
    stream_.async_read_some(asio::buffer(buf_),
                            [this](boost::system::error_code e, std::size_t n) { on_read(e, n); });
  }

  void on_read(boost::system::error_code e, std::size_t n) {
    if (!error_.empty()) return;
    if (e == asio::error::eof || e == asio::ssl::error::stream_truncated) {
      if (auto se = session_->on_eof()) {
        error_ = "stream ended uncleanly: " + se.message();
      } else {
        clean_ = true;
      }
    } else if (e) {
      error_ = "read failed: " + e.message();
    } else if (auto se = session_->on_read(std::string_view(buf_.data(), n), reply_)) {
      error_ = se.message();
    } else if (!on_bytes_read()) {
      return do_read();
    }
    timer_.cancel();
    close_socket();
  }

  /// After bytes were consumed: sends the session's reply; true when the tap is done.
  bool on_bytes_read() {
    if (printer_.done()) return clean_ = true;
    if (!reply_.empty()) send(std::exchange(reply_, {}));
    // A closed handshake or a persistent connection's finished stream ends the tap; otherwise
    // the server's close of the connection does.
    const bool ends_here =
        transport_info(target_.transport).close_handshake || session_->connection_persists();
    return clean_ = session_->finished() && ends_here;
  }

  void give_up(std::string error) {
    error_ = std::move(error);
    timer_.cancel();
  }

  void close_socket() {
    boost::system::error_code ignored;
    stream_.socket().close(ignored);
  }

  const TapOptions& options_;
  const Target& target_;
  TapPrinter printer_;                       // prints each event as a JSON line
  std::unique_ptr<Session> session_;         // the protocol on this connection
  asio::io_context ioc_;                     // runs the whole tap
  std::shared_ptr<asio::ssl::context> tls_;  // null for a cleartext target
  ConnStream stream_;                        // plain or TLS
  asio::steady_timer timer_;                 // --timeout
  std::array<char, 16 << 10> buf_{};         // read buffer, reused
  std::string reply_;                        // the session's answer to the last read
  std::string writing_;                      // bytes of the write in flight
  std::string pending_;                      // bytes queued behind it
  std::string error_;                        // why the tap failed; empty while fine
  bool clean_ = false;                       // the stream ended cleanly
};

int tap_error(std::ostream& err, const std::string& message) {
  err << "pushbench tap: " << message << "\n";
  return 1;
}

}  // namespace

int run_tap(const TapOptions& options, std::ostream& out, std::ostream& err) {
  auto parsed = Target::parse(options.url);
  if (auto* e = std::get_if<std::string>(&parsed)) return tap_error(err, *e);
  const auto target = std::get<Target>(std::move(parsed));
  const HttpVersion http = options.http2 ? HttpVersion::h2 : HttpVersion::h1;
  if (auto e = check_target(target, http, options.ca_file)) return tap_error(err, *e);
  TapConnection tap(options, target, http, out);
  const std::string error = tap.run();
  out.flush();
  if (!error.empty()) return tap_error(err, error);
  return 0;
}

}  // namespace pushbench::loadgen
