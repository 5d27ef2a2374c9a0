#include "loadgen/measure/server_stats.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "loadgen/net/connection.hpp"
#include "loadgen/protocol/http_response_reader.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

namespace {

/// The largest /stats body read (our servers send a few hundred bytes).
constexpr std::size_t kStatsBodyLimit = 1 << 20;

/// One GET /stats over its own connection: the body of a complete 200 answer, or nothing.
class StatsFetch final : private ConnectionHandler {
 public:
  StatsFetch(asio::io_context& ioc, ConnectionOptions options, const Target& target)
      : request_("GET /stats HTTP/1.1\r\nHost: " + target.host_header() +
                 "\r\nConnection: close\r\n\r\n"),
        reader_(kResponseHeaderLimit, [this](std::string_view bytes) { return on_body(bytes); }),
        conn_(Connection::open(ioc, std::move(options), *this)) {}

  /// The body, once a complete 200 answer arrived.
  const std::optional<std::string>& body() const { return body_; }
  /// Gives up at `when` (the io_context then runs out of work).
  void set_deadline(std::chrono::steady_clock::time_point when) { conn_->set_deadline(when); }

 private:
  std::error_code on_body(std::string_view bytes) {
    if (received_.size() + bytes.size() > kStatsBodyLimit) {
      return std::make_error_code(std::errc::message_size);
    }
    received_ += bytes;
    return {};
  }
  void on_open() override { conn_->write(request_); }
  void on_open_failed(const OpenFailure&) override { end(); }
  ReadNext on_read(std::string_view bytes) override {
    std::error_code ec;
    reader_.feed(bytes, ec);
    if (!ec && !reader_.body_done()) return ReadNext::more;
    if (!ec) finish();
    end();
    return ReadNext::stop;
  }
  void on_read_end(boost::system::error_code ec) override {
    // A close-delimited body ends here.
    if (Connection::is_end_of_stream(ec) && reader_.header_done() && !reader_.on_eof()) finish();
    end();
  }
  void on_write_failed(boost::system::error_code) override { end(); }
  void on_deadline() override { end(); }

  void finish() {
    if (reader_.status() == 200) body_ = std::move(received_);
  }
  void end() { conn_.reset(); }

  std::string request_;        ///< GET /stats, Connection: close
  std::string received_;       ///< the body so far
  HttpResponseReader reader_;  ///< the answer
  std::optional<std::string> body_;
  ConnectionRef conn_;
};

}  // namespace

std::optional<nlohmann::json> fetch_server_stats(const Target& target,
                                                 std::shared_ptr<asio::ssl::context> tls,
                                                 std::chrono::milliseconds timeout) {
  if (!transport_info(target.transport).http || (target.tls && !tls)) return std::nullopt;
  try {
    asio::io_context ioc;
    boost::system::error_code ec;
    asio::ip::tcp::resolver resolver(ioc);
    const auto resolved = resolver.resolve(target.host, std::to_string(target.port), ec);
    if (ec || resolved.empty()) return std::nullopt;
    // The run may offer only h2; /stats is served over HTTP/1.1.
    ConnectionOptions options;
    if (target.tls) options.tls = std::move(tls);
    options.host = target.host;
    options.offer_http11_only = true;
    for (const auto& entry : resolved) options.endpoints.push_back(entry.endpoint());
    StatsFetch fetch(ioc, std::move(options), target);
    // One deadline for every step from connect to the end of the answer.
    fetch.set_deadline(std::chrono::steady_clock::now() + timeout);
    ioc.run();
    if (!fetch.body()) return std::nullopt;
    auto doc = nlohmann::json::parse(*fetch.body(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    return doc;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

nlohmann::json counter_deltas(const nlohmann::json& before, const nlohmann::json& after) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : after.items()) {
    if (!value.is_number() || !before.contains(key) || !before[key].is_number()) continue;
    const auto& old = before[key];
    if (value.is_number_integer() && old.is_number_integer()) {
      out[key] = value.get<std::int64_t>() - old.get<std::int64_t>();
    } else {
      out[key] = value.get<double>() - old.get<double>();
    }
  }
  return out;
}

}  // namespace pushbench::loadgen
