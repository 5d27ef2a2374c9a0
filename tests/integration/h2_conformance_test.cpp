// HTTP/2 behaviour our servers add on top of nghttp2 (which enforces RFC 9113 framing itself):
// every bad request fails its own stream with the HTTP status our HTTP/1.1 path gives (or a
// reset) and never the connection; RFC 8441 tunnels that carry bad WebSocket frames are reset;
// request bodies and header lists are bounded; SETTINGS_MAX_CONCURRENT_STREAMS is advertised.
// Extended CONNECT validation, oversized headers and flow-control stalls are in h2_test.cpp.
#include <gtest/gtest.h>

#include "core/codec/ws_frame.hpp"
#include "h2_client.hpp"
#include "helpers.hpp"

namespace pushbench::test {
namespace {

using loadgen::ServerProcess;

Headers post(std::uint16_t port, const std::string& path) {
  auto h = get(port, path);
  h[0].second = "POST";
  return h;
}

TEST(H2Conformance, BadRequestsFailTheirStreamOnly) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const auto port = server.port();
  H2Client c(port);
  ASSERT_TRUE(c.wait_settings());
  struct Expect {
    std::int32_t id;
    int status;
    const char* text;  ///< part of the plain-text reason
  };
  const std::vector<Expect> cases = {
      {c.request(get(port, "/nope")), 404, "unknown path"},
      {c.request(get(port, "/ws")), 404, "sse transport only"},
      {c.request(get(port, "/sse?rate=-1")), 400, "rate"},
      {c.request(get(port, "/sse?bogus=1")), 400, "unknown parameter 'bogus'"},
      {c.request(get(port, "/sse?rate=%zz")), 400, ""},
      {c.request(get(port, "/sse?size=99999999")), 400, "size"},
      {c.request(post(port, "/sse?count=1")), 405, ""},
      {c.request_with_body(post(port, "/send?stream=nobody"), "hi"), 404, ""},
      {c.request_with_body(post(port, "/send"), "hi"), 400, ""},
      {c.request_with_body(post(port, "/send?stream=x"), std::string((64 << 10) + 1, 'b')), 413, ""},
  };
  for (const auto& e : cases) ASSERT_GT(e.id, 0);
  ASSERT_TRUE(c.pump_until([&] {
    return std::all_of(cases.begin(), cases.end(), [&](const Expect& e) {
      return c.streams[e.id].ended;
    });
  }));
  for (const auto& e : cases) {
    const auto& s = c.streams[e.id];
    EXPECT_EQ(s.status, e.status) << "stream " << e.id << ": " << s.data;
    EXPECT_NE(s.data.find(e.text), std::string::npos) << s.data;
    EXPECT_FALSE(s.rst.has_value()) << "stream " << e.id;
  }
  EXPECT_FALSE(c.goaway_error.has_value());
  EXPECT_FALSE(c.dead);
  // The same connection still serves.
  const auto ok = c.request(get(port, "/sse?count=2&rate=1000"));
  ASSERT_TRUE(c.wait_ended(ok));
  EXPECT_EQ(c.streams[ok].status, 200);
  EXPECT_EQ(c.streams[ok].close_error, NGHTTP2_NO_ERROR);
}

TEST(H2Conformance, BadWebSocketFrameInATunnelResetsOnlyThatStream) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const auto port = server.port();
  H2Client c(port);
  ASSERT_TRUE(c.wait_settings());
  const auto bad = c.request(ws_connect(port, "/ws?echo=1&stream=t1", "websocket"), false);
  const auto good = c.request(ws_connect(port, "/ws?echo=1&stream=t2", "websocket"), false);
  ASSERT_TRUE(c.pump_until([&] { return c.streams[bad].status && c.streams[good].status; }));
  ASSERT_EQ(c.streams[bad].status, 200);
  std::string unmasked;  // a client frame must be masked (RFC 6455 section 5.1)
  ws::append_frame(unmasked, ws::Opcode::text, "x");
  c.send_data(bad, unmasked);
  std::string hello;
  ws::append_frame(hello, ws::Opcode::text, "hello", true, 0x01020304u);
  c.send_data(good, hello);
  ASSERT_TRUE(c.pump_until([&] {
    return c.streams[bad].ended && c.streams[good].data.find("hello") != std::string::npos;
  }));
  EXPECT_EQ(c.streams[bad].rst, std::optional<std::uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  EXPECT_FALSE(c.streams[good].ended);
  EXPECT_FALSE(c.goaway_error.has_value());
}

TEST(H2Conformance, HeaderListOfManySmallFieldsIsBounded) {
  ServerProcess server(bin("pushbench-server"), "sse", 1, std::nullopt,
                       {"--max-header-bytes", "2048"});
  const auto port = server.port();
  H2Client c(port);
  ASSERT_TRUE(c.wait_settings());
  auto h = get(port, "/sse?count=1");
  for (int i = 0; i < 200; ++i) h.emplace_back("x-f" + std::to_string(i), "vvvvvvvvvv");
  const auto id = c.request(h);
  ASSERT_GT(id, 0);
  ASSERT_TRUE(c.wait_ended(id));
  EXPECT_EQ(c.streams[id].status, 431) << c.streams[id].data;
  EXPECT_FALSE(c.goaway_error.has_value());
  const auto after = c.request(get(port, "/health"));
  ASSERT_TRUE(c.wait_ended(after));
  EXPECT_EQ(c.streams[after].status, 200);
}

TEST(H2Conformance, MaxConcurrentStreamsIsAdvertisedAndQueuedRequestsComplete) {
  ServerProcess server(bin("pushbench-server"), "sse", 1, std::nullopt, {"--h2-max-streams", "2"});
  const auto port = server.port();
  H2Client c(port);
  ASSERT_TRUE(c.wait_settings());
  EXPECT_EQ(c.remote_setting(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS), 2u);
  // nghttp2's client holds back requests beyond the peer's limit: the third starts when one of
  // the first two has ended, and every stream completes without a reset.
  const std::vector<std::int32_t> ids = {c.request(get(port, "/sse?rate=20&count=4")),
                                         c.request(get(port, "/sse?rate=1000&count=1")),
                                         c.request(get(port, "/sse?rate=1000&count=1"))};
  ASSERT_TRUE(c.pump_until([&] {
    return std::all_of(ids.begin(), ids.end(), [&](auto id) { return c.streams[id].ended; });
  }));
  for (auto id : ids) {
    EXPECT_EQ(c.streams[id].status, 200);
    EXPECT_FALSE(c.streams[id].rst.has_value());
  }
}

}  // namespace
}  // namespace pushbench::test
