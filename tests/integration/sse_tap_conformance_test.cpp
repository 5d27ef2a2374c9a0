// The WHATWG event-stream table (tests/unit/sse_conformance_cases.hpp) end to end: a scripted
// HTTP/1.1 server on a loopback port sends each case as a chunked text/event-stream body (cut
// into two chunks at a different point per case), and `pushbench tap` must print exactly the
// table's events.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "helpers.hpp"
#include "loadgen/run/tap.hpp"
#include "tests/unit/sse_conformance_cases.hpp"

namespace pushbench::test {
namespace {

namespace asio = boost::asio;

/// Serves one response with `body` (as two chunks, cut at `cut`) to one connection.
void serve_once(asio::ip::tcp::acceptor& acceptor, const std::string& body, std::size_t cut) {
  auto s = acceptor.accept();
  timeval tv{5, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string req;
  char buf[4096];
  boost::system::error_code ec;
  while (req.find("\r\n\r\n") == std::string::npos && !ec) {
    req.append(buf, s.read_some(asio::buffer(buf), ec));
  }
  auto chunk = [](std::string_view c) {
    std::ostringstream o;
    o << std::hex << c.size() << "\r\n" << c << "\r\n";
    return o.str();
  };
  std::string out =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string_view b = body;
  if (cut > 0) out += chunk(b.substr(0, cut));
  if (cut < b.size()) out += chunk(b.substr(cut));
  out += "0\r\n\r\n";
  asio::write(s, asio::buffer(out), ec);
}

TEST(SseTapConformance, TapPrintsTheTablesEvents) {
  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  for (const auto& c : sse_cases()) {
    const std::size_t cut = c.input.size() * 2 / 3;
    std::thread server([&] { serve_once(acceptor, c.input, cut); });
    loadgen::TapOptions o;
    o.url = "http://127.0.0.1:" + std::to_string(port) + "/sse";
    o.timeout_s = 10;
    std::ostringstream out, err;
    const int rc = loadgen::run_tap(o, out, err);
    server.join();
    EXPECT_EQ(rc, 0) << c.name << ": " << err.str();
    std::string expected;
    for (const auto& e : c.events) {
      const nlohmann::json line = {{"type", e.type}, {"data", e.data}, {"id", e.id}};
      expected += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    EXPECT_EQ(out.str(), expected) << c.name;
  }
}

}  // namespace
}  // namespace pushbench::test
