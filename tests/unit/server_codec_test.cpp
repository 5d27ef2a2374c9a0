// The server codecs (servers/sse_server_codec, servers/ws_server_codec) behind a recording
// carrier, and the HTTP/1.1 SSE event framing.
#include <gtest/gtest.h>

#include "core/codec/deflate.hpp"
#include "core/codec/sse_encoder.hpp"
#include "core/codec/ws_frame.hpp"
#include "servers/server.hpp"
#include "servers/carrier/sse_connection.hpp"
#include "servers/codec/sse_server_codec.hpp"
#include "servers/codec/ws_server_codec.hpp"

namespace pushbench::server {
namespace {

/// Records what a codec asks of its carrier; frames bodies as "[body]".
struct Carrier final : SseCarrier, WsCarrier {
  SendResult enqueue_bytes(SharedBuffer bytes) override {
    queued += *bytes;
    return SendResult::success;
  }
  SharedBuffer frame_body(std::string_view body) override {
    auto out = std::make_shared<std::string>(1, '[');
    out->append(body).push_back(']');
    return out;
  }
  void abort_stream(bool client_error) override { aborts.push_back(client_error); }
  void end_stream() override { ++ends; }

  std::string queued;         ///< every byte queued, in order
  std::vector<bool> aborts;   ///< abort_stream() calls
  int ends = 0;               ///< end_stream() calls
};

TEST(SseServerFraming, ChunkedEventInOneBufferMatchesTheEncoder) {
  for (const std::string& data : std::vector<std::string>{"", "x", "line one\nline two\r\nthree", std::string(300, 'y')}) {
    std::string body;
    sse::append_event(body, data, "42");
    char hex[20];
    std::snprintf(hex, sizeof hex, "%zx", body.size());
    const auto framed = SseConnection::frame_event(42, data);
    EXPECT_EQ(*framed, std::string(hex) + "\r\n" + body + "\r\n") << data;
    EXPECT_EQ(*SseServerCodec::frame_text(42, data), body);
  }
}

TEST(SseServerCodec, IdentityAndGzip) {
  ServerConfig config;
  Carrier identity_carrier;
  SseServerCodec identity(config, std::nullopt, &SseConnection::frame_event, identity_carrier);
  EXPECT_EQ(identity.framer(), &SseConnection::frame_event);
  EXPECT_FALSE(identity.coding());
  identity.send(identity.framer()(1, "a"));
  identity.keepalive();
  EXPECT_EQ(identity_carrier.queued, *SseConnection::frame_event(1, "a") + "[: keep-alive\n\n]");
  EXPECT_TRUE(identity.finish_body().empty());

  Carrier gzip_carrier;
  SseServerCodec gzip(config, compress::Format::gzip, &SseConnection::frame_event, gzip_carrier);
  ASSERT_EQ(gzip.coding(), compress::Format::gzip);
  EXPECT_EQ(gzip.framer(), &SseServerCodec::frame_text);
  gzip.send(gzip.framer()(1, "hello"));
  const auto tail = gzip.finish_body();
  EXPECT_FALSE(tail.empty());
  // One framed body per event; its bytes inflate back to the event text.
  ASSERT_GE(gzip_carrier.queued.size(), 2u);
  EXPECT_EQ(gzip_carrier.queued.front(), '[');
  EXPECT_EQ(gzip_carrier.queued.back(), ']');
  compress::Inflater inflater(compress::Format::gzip);
  std::string text;
  ASSERT_FALSE(inflater.inflate(
      gzip_carrier.queued.substr(1, gzip_carrier.queued.size() - 2) + tail, text));
  EXPECT_EQ(text, *SseServerCodec::frame_text(1, "hello"));
  EXPECT_TRUE(gzip_carrier.aborts.empty());
}

/// Frames as a client sees them (unmasked server frames).
struct Frames : ws::Handler {
  void on_message(ws::Opcode op, std::string_view p, bool) override { got.emplace_back(op, p); }
  void on_control(ws::Opcode op, std::string_view p) override { got.emplace_back(op, p); }
  std::vector<std::pair<ws::Opcode, std::string>> got;  ///< in order
};

std::vector<std::pair<ws::Opcode, std::string>> decode(const std::string& bytes) {
  Frames f;
  ws::Decoder d(f, ws::Role::client);
  EXPECT_FALSE(d.feed(bytes));
  return f.got;
}

std::string masked(ws::Opcode op, std::string_view payload) {
  std::string out;
  ws::append_frame(out, op, payload, true, 0x12345678u);
  return out;
}

TEST(WsServerCodec, PingCloseEchoAndNoDataAfterClose) {
  ServerConfig config;
  ThreadContext ctx;
  ctx.config = &config;
  StreamSpec spec;
  spec.echo = true;
  Carrier carrier;
  WsServerCodec codec(ctx, spec, "", carrier);
  EXPECT_TRUE(codec.extensions().empty());
  EXPECT_EQ(codec.send(codec.framer()(0, "event")), SendResult::success);
  ASSERT_FALSE(codec.feed(masked(ws::Opcode::text, "echo me") + masked(ws::Opcode::ping, "p")));
  EXPECT_EQ(ctx.stats.events_sent.load(), 1u);
  codec.keepalive();
  ASSERT_FALSE(codec.feed(masked(ws::Opcode::close, ws::close_payload(1000))));
  EXPECT_EQ(carrier.ends, 1);
  // Nothing after our close: no event, no ping, no second close in the trailer.
  EXPECT_EQ(codec.send(codec.framer()(0, "late")), SendResult::dropped);
  codec.keepalive();
  EXPECT_TRUE(codec.trailer().empty());
  const auto frames = decode(carrier.queued);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(frames[0], std::make_pair(ws::Opcode::text, std::string("event")));
  EXPECT_EQ(frames[1], std::make_pair(ws::Opcode::text, std::string("echo me")));
  EXPECT_EQ(frames[2], std::make_pair(ws::Opcode::pong, std::string("p")));
  EXPECT_EQ(frames[3].first, ws::Opcode::ping);
  EXPECT_EQ(frames[4], std::make_pair(ws::Opcode::close, ws::close_payload(1000)));
  EXPECT_TRUE(carrier.aborts.empty());
  WsServerCodec fresh(ctx, spec, "", carrier);
  // An unmasked client frame is a protocol violation: the connection fails with 1002, once, and
  // later bytes are ignored.
  const auto ec = fresh.feed("\x81\x01x");
  EXPECT_TRUE(ec);
  const auto close = decode(fresh.failure_close(ec));
  ASSERT_EQ(close.size(), 1u);
  EXPECT_EQ(close[0], std::make_pair(ws::Opcode::close, ws::close_payload(1002)));
  EXPECT_TRUE(fresh.failure_close(ec).empty());
  EXPECT_FALSE(fresh.feed("\x81\x01x"));
  EXPECT_EQ(fresh.send(fresh.framer()(0, "late")), SendResult::dropped);
}

TEST(WsServerCodec, TrailerClosesOnce) {
  ServerConfig config;
  ThreadContext ctx;
  ctx.config = &config;
  Carrier carrier;
  WsServerCodec codec(ctx, StreamSpec{}, "", carrier);
  const auto trailer = codec.trailer();
  EXPECT_EQ(decode(trailer),
            (std::vector<std::pair<ws::Opcode, std::string>>{
                {ws::Opcode::close, ws::close_payload(1000)}}));
  EXPECT_TRUE(codec.trailer().empty());
  EXPECT_EQ(codec.send(codec.framer()(0, "late")), SendResult::dropped);
}

}  // namespace
}  // namespace pushbench::server
