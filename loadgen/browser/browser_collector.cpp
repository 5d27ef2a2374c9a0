#include "loadgen/browser/browser_collector.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

#include "core/contract/browser_page.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct BrowserCollector::State {
  asio::io_context ioc;              ///< runs on the collector's thread
  tcp::acceptor acceptor{ioc};       ///< 127.0.0.1, ephemeral port
  std::string config;                ///< the run's configuration (JSON text)
  std::string token;                 ///< what every message must carry
  std::mutex mutex;                  ///< guards `queue`
  std::condition_variable cv;        ///< signalled on a new message
  std::deque<nlohmann::json> queue;  ///< messages not yet taken
};

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// The query parameter `key` of `target` (undecoded; tokens are hex).
std::string query_value(std::string_view target, std::string_view key) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  auto query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto part = query.substr(0, amp);
    if (part.substr(0, key.size()) == key && part.size() > key.size() && part[key.size()] == '=') {
      return std::string(part.substr(key.size() + 1));
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return {};
}

/// The answer to one request: CORS open, never kept alive.
Response answer(BrowserCollector::State& st, const Request& req) {
  Response res{http::status::no_content, req.version()};
  res.set(http::field::access_control_allow_origin, "*");
  res.set("Access-Control-Allow-Private-Network", "true");
  res.keep_alive(false);
  const std::string_view target(req.target().data(), req.target().size());
  const auto path = target.substr(0, target.find('?'));
  if (req.method() == http::verb::options) {
    res.set(http::field::access_control_allow_methods, "GET, POST");
    res.set(http::field::access_control_allow_headers, "content-type");
  } else if (req.method() == http::verb::get && path == "/page") {
    res.result(http::status::ok);
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.body() = std::string(browser_page_html());
  } else if (req.method() == http::verb::get && path == "/config" &&
             query_value(target, "token") == st.token) {
    res.result(http::status::ok);
    res.set(http::field::content_type, "application/json");
    res.body() = st.config;
  } else if (req.method() == http::verb::post && path == "/msg") {
    auto msg = nlohmann::json::parse(req.body(), nullptr, false);
    if (!msg.is_object() || !msg.contains("type") || msg.value("token", "") != st.token) {
      res.result(http::status::bad_request);
    } else {
      std::lock_guard lock(st.mutex);
      if (st.queue.size() >= BrowserCollector::kMaxQueued) {
        res.result(http::status::service_unavailable);
      } else {
        st.queue.push_back(std::move(msg));
        st.cv.notify_all();
      }
    }
  } else {
    res.result(http::status::not_found);
  }
  res.prepare_payload();
  return res;
}

/// One connection: read a request (bounded in size and time), answer, close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(BrowserCollector::State& st, tcp::socket s) : st_(st), stream_(std::move(s)) {
    parser_.body_limit(BrowserCollector::kMaxBodyBytes);
    parser_.header_limit(16384);
  }
  void start() {
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) return;  // closed, timed out or too large: the page retries nothing, it reports
    res_ = std::make_shared<Response>(answer(st_, parser_.get()));
    http::async_write(stream_, *res_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  BrowserCollector::State& st_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  std::shared_ptr<Response> res_;
};

void accept_loop(BrowserCollector::State& st) {
  st.acceptor.async_accept([&st](beast::error_code ec, tcp::socket s) {
    if (ec) return;  // the acceptor was closed
    std::make_shared<Session>(st, std::move(s))->start();
    accept_loop(st);
  });
}

}  // namespace

BrowserCollector::BrowserCollector(nlohmann::json config, std::string token)
    : state_(std::make_shared<State>()) {
  state_->config = config.dump();
  state_->token = std::move(token);
  beast::error_code ec;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(ep.protocol(), ec);
  if (!ec) state_->acceptor.bind(ep, ec);
  if (!ec) state_->acceptor.listen(64, ec);
  if (ec)
    throw std::runtime_error("browser collector: cannot listen on 127.0.0.1: " + ec.message());
  port_ = state_->acceptor.local_endpoint().port();
  accept_loop(*state_);
  thread_ = std::thread([st = state_] { st->ioc.run(); });
}

BrowserCollector::~BrowserCollector() {
  state_->ioc.stop();
  if (thread_.joinable()) thread_.join();
}

std::string BrowserCollector::origin() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::optional<nlohmann::json> BrowserCollector::next_message(
    std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(state_->mutex);
  if (!state_->cv.wait_until(lock, deadline, [&] { return !state_->queue.empty(); })) {
    return std::nullopt;
  }
  auto msg = std::move(state_->queue.front());
  state_->queue.pop_front();
  return msg;
}

}  // namespace pushbench::loadgen
