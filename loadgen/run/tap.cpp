#include "loadgen/run/tap.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/net/conn_stream.hpp"
#include "core/net/tls.hpp"
#include "loadgen/protocol/errors.hpp"
#include "loadgen/protocol/session.hpp"
#include "loadgen/run/load_plan.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

namespace {

class TapPrinter final : public SessionHandler {
 public:
  TapPrinter(std::ostream& out, std::optional<std::uint64_t> count) : out_(out), count_(count) {}
  void on_event(std::size_t, std::string_view data, std::string_view type,
                std::string_view id) override {
    if (done()) return;
    nlohmann::json line = {{"type", type}, {"data", data}};
    // WebSocket and raw messages carry no id (SSE always has a last-event-id, possibly "").
    if (is_sse_) line["id"] = id;
    out_ << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    ++printed_;
  }
  bool done() const { return count_ && printed_ >= *count_; }
  bool is_sse_ = false;

 private:
  std::ostream& out_;
  std::optional<std::uint64_t> count_;
  std::uint64_t printed_ = 0;
};

}  // namespace

int run_tap(const TapOptions& options, std::ostream& out, std::ostream& err) {
  auto parsed = Target::parse(options.url);
  if (auto* e = std::get_if<std::string>(&parsed)) {
    err << "pushbench tap: " << *e << "\n";
    return 1;
  }
  const auto target = std::get<Target>(std::move(parsed));
  TapPrinter printer(out, options.count);
  printer.is_sse_ = target.transport == Transport::sse;
  SessionOptions session_options;
  session_options.add_workload_query = false;
  session_options.http = options.http2 ? HttpVersion::h2 : HttpVersion::h1;
  if (auto e = check_target(target, session_options.http, options.ca_file)) {
    err << "pushbench tap: " << *e << "\n";
    return 1;
  }
  session_options.seed = static_cast<std::uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  auto session = make_session(target, StreamSpec{}, session_options, printer);

  asio::io_context ioc;
  const auto tls = client_tls(target, session_options.http, false, options.ca_file);
  ConnStream stream(tls ? ConnStream(std::make_unique<ConnStream::TlsStream>(ioc, *tls))
                        : ConnStream(asio::ip::tcp::socket(ioc)));
  auto& socket = stream.socket();
  std::string writing, pending;
  std::function<void(std::string)> send = [&](std::string bytes) {
    pending += bytes;
    if (!writing.empty() || pending.empty()) return;
    writing = std::exchange(pending, {});
    asio::async_write(stream, asio::buffer(writing), [&](boost::system::error_code e, std::size_t) {
      writing.clear();
      if (e) return;
      send({});
    });
  };
  asio::steady_timer timer(ioc);
  std::string error;
  bool clean = false;
  std::array<char, 16 << 10> buf{};
  std::string reply;

  asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(target.host, std::to_string(target.port), ec);
  if (ec) {
    err << "pushbench tap: cannot resolve " << target.host << ": " << ec.message() << "\n";
    return 1;
  }
  if (options.timeout_s > 0) {
    timer.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(options.timeout_s)));
    timer.async_wait([&](boost::system::error_code e) {
      if (e) return;
      error = "timed out";
      boost::system::error_code ignored;
      socket.close(ignored);
    });
  }
  std::function<void()> do_read = [&] {
    stream.async_read_some(asio::buffer(buf), [&](boost::system::error_code e, std::size_t n) {
      if (!error.empty()) return;
      if (e == asio::error::eof || e == asio::ssl::error::stream_truncated) {
        if (auto se = session->on_eof()) {
          error = "stream ended uncleanly: " + se.message();
        } else {
          clean = true;
        }
      } else if (e) {
        error = "read failed: " + e.message();
      } else if (auto se = session->on_read(std::string_view(buf.data(), n), reply)) {
        error = se.message();
      } else if (printer.done()) {
        clean = true;
      } else {
        if (!reply.empty()) send(std::exchange(reply, {}));
        if (session->finished() && (target.transport == Transport::ws || options.http2)) {
          clean = true;
        } else {
          return do_read();
        }
      }
      timer.cancel();
      boost::system::error_code ignored;
      socket.close(ignored);
    });
  };
  asio::async_connect(socket, endpoints, [&](boost::system::error_code e, const auto&) {
    if (e) {
      error = "connect failed: " + e.message();
      timer.cancel();
      return;
    }
    auto begin = [&] {
      send(session->initial_request());
      do_read();
    };
    if (!stream.tls()) return begin();
    tls::prepare_client(stream.tls()->native_handle(), target.host);
    stream.tls()->async_handshake(asio::ssl::stream_base::client, [&, begin](boost::system::error_code he) {
      if (he) {
        error = "TLS handshake failed: " +
                tls::handshake_error_text(stream.tls()->native_handle(), he.message());
        timer.cancel();
        return;
      }
      begin();
    });
  });
  ioc.run();
  out.flush();
  if (!error.empty() || !clean) {
    err << "pushbench tap: " << (error.empty() ? "connection ended" : error) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace pushbench::loadgen
