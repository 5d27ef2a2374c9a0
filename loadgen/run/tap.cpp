#include "loadgen/run/tap.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "loadgen/net/connection.hpp"
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

/// One tap connection: resolve, then the connection driver (connect, TLS), the session's
/// request and its replies, events printed as they are read.
class TapConnection final : private ConnectionHandler {
 public:
  TapConnection(const TapOptions& options, const Target& target, HttpVersion http,
                std::ostream& out)
      : options_(options),
        target_(target),
        http_(http),
        printer_(out, options.count, transport_info(target.transport).event_ids),
        session_(make_session(target, StreamSpec{}, tap_session_options(http), printer_)) {}

  /// Runs the connection to its end: empty after a clean end, else the error in words.
  std::string run() {
    asio::ip::tcp::resolver resolver(ioc_);
    boost::system::error_code ec;
    auto resolved = resolver.resolve(target_.host, std::to_string(target_.port), ec);
    if (ec) return "cannot resolve " + target_.host + ": " + ec.message();
    ConnectionOptions options;
    options.tls = client_tls(target_, http_, false, options_.ca_file);
    options.host = target_.host;
    options.h2 = http_ == HttpVersion::h2;
    for (const auto& entry : resolved) options.endpoints.push_back(entry.endpoint());
    conn_ = ConnectionRef(Connection::open(ioc_, std::move(options), *this));
    if (options_.timeout_s > 0) {
      conn_->set_deadline(std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::duration<double>(options_.timeout_s)));
    }
    ioc_.run();
    if (!error_.empty()) return error_;
    return clean_ ? std::string() : std::string("connection ended");
  }

 private:
  void on_open() override { conn_->write(session_->initial_request()); }

  void on_open_failed(const OpenFailure& failure) override {
    // The same TLS step as the load generator's clients: the server must speak what was asked.
    if (failure.stage == OpenFailure::Stage::connect) return end("connect failed: " + failure.cause);
    end((failure.alpn ? "ALPN mismatch: " : "TLS handshake failed: ") + failure.cause);
  }

  ReadNext on_read(std::string_view bytes) override {
    if (auto se = session_->on_read(bytes, reply_)) {
      end(se.message());
      return ReadNext::stop;
    }
    if (!on_bytes_read()) return ReadNext::more;
    end({});
    return ReadNext::stop;
  }

  void on_read_end(boost::system::error_code e) override {
    if (!Connection::is_end_of_stream(e)) return end("read failed: " + e.message());
    if (auto se = session_->on_eof()) return end("stream ended uncleanly: " + se.message());
    clean_ = true;
    end({});
  }

  // A failed write shows as the read's end that follows.
  void on_write_failed(boost::system::error_code) override {}

  void on_deadline() override { end("timed out"); }

  /// After bytes were consumed: sends the session's reply; true when the tap is done.
  bool on_bytes_read() {
    if (printer_.done()) return clean_ = true;
    if (!reply_.empty()) conn_->write(std::exchange(reply_, {}));
    // A closed handshake or a persistent connection's finished stream ends the tap; otherwise
    // the server's close of the connection does.
    const bool ends_here =
        transport_info(target_.transport).close_handshake || session_->connection_persists();
    return clean_ = session_->finished() && ends_here;
  }

  /// Ends the tap (`error` empty: cleanly); the io_context runs out of work.
  void end(std::string error) {
    if (error_.empty()) error_ = std::move(error);
    conn_.reset();
  }

  const TapOptions& options_;
  const Target& target_;
  HttpVersion http_;
  TapPrinter printer_;                // prints each event as a JSON line
  std::unique_ptr<Session> session_;  // the protocol on this connection
  asio::io_context ioc_;              // runs the whole tap
  ConnectionRef conn_;                // the connection, until the tap ends
  std::string reply_;                 // the session's answer to the last read
  std::string error_;                 // why the tap failed; empty while fine
  bool clean_ = false;                // the stream ended cleanly
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
