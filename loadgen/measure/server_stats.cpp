#include "loadgen/measure/server_stats.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/net/tls.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

/// One request/response exchange.
struct Exchange {
  http::request<http::empty_body> request;     ///< GET /stats
  beast::flat_buffer buffer;                   ///< read buffer
  http::response<http::string_body> response;  ///< as parsed
  std::optional<std::string> body;             ///< set once a 200 response arrived completely
};

template <typename Stream>
void write_then_read(Stream& stream, Exchange& x) {
  http::async_write(stream, x.request, [&stream, &x](beast::error_code ec, std::size_t) {
    if (ec) return;
    http::async_read(stream, x.buffer, x.response, [&x](beast::error_code ec, std::size_t) {
      if (!ec && x.response.result() == http::status::ok) x.body = std::move(x.response.body());
    });
  });
}

}  // namespace

std::optional<nlohmann::json> fetch_server_stats(const Target& target,
                                                 std::shared_ptr<asio::ssl::context> tls,
                                                 std::chrono::milliseconds timeout) {
  if (!transport_info(target.transport).http || (target.tls && !tls)) return std::nullopt;
  try {
    asio::io_context ioc;
    boost::system::error_code ec;
    asio::ip::tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(target.host, std::to_string(target.port), ec);
    if (ec || endpoints.empty()) return std::nullopt;
    const auto endpoint = endpoints.begin()->endpoint();

    Exchange x;
    x.request = {http::verb::get, "/stats", 11};
    x.request.set(http::field::host, target.host_header());
    x.request.set(http::field::connection, "close");
    std::optional<beast::tcp_stream> plain;
    std::optional<asio::ssl::stream<beast::tcp_stream>> secure;
    beast::tcp_stream* tcp = nullptr;
    if (target.tls) {
      secure.emplace(ioc, *tls);
      tcp = &secure->next_layer();
      // The run may offer only h2; /stats is served over HTTP/1.1.
      static constexpr unsigned char kAlpn[] = "\x08http/1.1";
      SSL_set_alpn_protos(secure->native_handle(), kAlpn, sizeof kAlpn - 1);
      tls::prepare_client(secure->native_handle(), target.host);
    } else {
      plain.emplace(ioc);
      tcp = &*plain;
    }
    // One deadline for every operation from connect to the end of the response.
    tcp->expires_after(timeout);
    tcp->async_connect(endpoint, [&](beast::error_code ec) {
      if (ec) return;
      if (!secure) return write_then_read(*plain, x);
      secure->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec) {
        if (!ec) write_then_read(*secure, x);
      });
    });
    ioc.run_for(timeout + std::chrono::milliseconds(100));
    if (!ioc.stopped()) {
      // Past the deadline: abort whatever is pending and let the handlers finish.
      tcp->close();
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(100));
    }
    if (!x.body) return std::nullopt;
    auto doc = nlohmann::json::parse(*x.body, nullptr, false);
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
