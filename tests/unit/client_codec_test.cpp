// The client codecs (loadgen/sse_client_codec, loadgen/ws_client_codec) at every split point,
// alone and behind the HTTP/1.1 carrier; HTTP tokens compared case-insensitively.
#include <gtest/gtest.h>

#include <cstdio>
#include <limits>

#include "core/codec/deflate.hpp"
#include "core/codec/sse_encoder.hpp"
#include "core/codec/ws_frame.hpp"
#include "core/codec/ws_handshake.hpp"
#include "loadgen/protocol/errors.hpp"
#include "loadgen/protocol/session.hpp"
#include "loadgen/protocol/sse_client_codec.hpp"
#include "loadgen/protocol/ws_client_codec.hpp"

namespace pushbench::loadgen {
namespace {

/// Records events and established calls.
struct Events final : SessionHandler {
  void on_event(std::size_t stream, std::string_view data, std::string_view,
                std::string_view id) override {
    data_.emplace_back(std::to_string(stream) + ":" + std::string(data));
    ids.emplace_back(id);
  }
  void on_established() override { ++established; }
  std::vector<std::string> data_;  ///< "stream:data" per event
  std::vector<std::string> ids;    ///< SSE ids
  int established = 0;             ///< on_established() calls
};

constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

std::string gzip_events(int n) {
  compress::Deflater deflater(compress::Format::gzip, {});
  std::string out;
  for (int i = 0; i < n; ++i) {
    std::string ev;
    sse::append_event(ev, "event " + std::to_string(i), std::to_string(i));
    EXPECT_FALSE(deflater.compress_flush(ev, out));
  }
  return out;
}

std::vector<std::string> want_events(std::size_t stream, int n) {
  std::vector<std::string> want;
  for (int i = 0; i < n; ++i) want.push_back(std::to_string(stream) + ":event " + std::to_string(i));
  return want;
}

TEST(SseClientCodec, GzipBodyAtEverySplitWhateverTheCase) {
  const std::string body = gzip_events(4);
  for (const char* coding : {"gzip", "GZIP", "x-Gzip"}) {
    for (std::size_t split = 0; split <= body.size(); ++split) {
      Events ev;
      SessionOptions options;
      options.compression.algorithm = Compression::gzip;
      SseClientCodec codec(ev, 3, options);
      ResponseHead head;
      head.status = 200;
      head.content_type = "Text/Event-Stream; charset=utf-8";
      head.content_encoding = coding;
      ASSERT_FALSE(codec.on_response(head)) << coding;
      EXPECT_TRUE(codec.compressed());
      std::string out;
      ASSERT_FALSE(codec.on_body(std::string_view(body).substr(0, split), out)) << split;
      ASSERT_FALSE(codec.on_body(std::string_view(body).substr(split), out)) << split;
      EXPECT_TRUE(out.empty());
      EXPECT_EQ(ev.data_, want_events(3, 4)) << coding << " split " << split;
    }
  }
}

TEST(SseClientCodec, JudgesTheResponse) {
  Events ev;
  const SessionOptions options;
  const auto judge = [&](int status, std::string_view type, std::string_view coding) {
    SseClientCodec codec(ev, 0, options);
    ResponseHead head;
    head.status = status;
    head.content_type = type;
    head.content_encoding = coding;
    return codec.on_response(head);
  };
  EXPECT_EQ(judge(404, "text/event-stream", ""), LoadErrc::http_status);
  EXPECT_EQ(judge(200, "text/html", ""), LoadErrc::bad_content_type);
  EXPECT_EQ(judge(200, "text/event-stream", "br"), LoadErrc::unsupported_encoding);
  EXPECT_FALSE(judge(200, "text/event-stream", "IDENTITY"));
  EXPECT_FALSE(judge(200, "text/event-stream", "Deflate"));
  SseClientCodec none(ev, 0, options);
  ResponseHead no_content;
  no_content.status = 204;
  EXPECT_FALSE(none.on_response(no_content));
  EXPECT_TRUE(none.finished());
  EXPECT_EQ(SseClientCodec(ev, 0, options).request_fields().size(), 3u);
}

/// A chunked HTTP/1.1 SSE response whose body is `body`, with `coding` as Content-Encoding.
std::string chunked_response(const std::string& body, std::string_view coding) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "%zx", body.size());
  return "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nContent-Encoding: " +
         std::string(coding) + "\r\nTransfer-Encoding: chunked\r\n\r\n" + hex + "\r\n" + body +
         "\r\n0\r\n\r\n";
}

// Regression: over HTTP/1.1 the coding was compared case-sensitively (GZIP was refused with
// unsupported_encoding) while HTTP/2 used iequals; both now go through SseClientCodec.
TEST(SseSession, UpperCaseContentEncodingOverHttp11AtEverySplit) {
  const auto response = chunked_response(gzip_events(3), "GZIP");
  const auto target = std::get<Target>(Target::parse("http://127.0.0.1:1/sse"));
  SessionOptions options;
  options.compression.algorithm = Compression::gzip;
  for (std::size_t split = 0; split <= response.size(); ++split) {
    Events ev;
    auto session = make_session(target, {}, options, ev);
    EXPECT_NE(session->initial_request().find("\r\nAccept-Encoding: gzip\r\n"), std::string::npos);
    std::string out;
    ASSERT_FALSE(session->on_read(std::string_view(response).substr(0, split), out)) << split;
    ASSERT_FALSE(session->on_read(std::string_view(response).substr(split), out)) << split;
    EXPECT_EQ(ev.data_, want_events(0, 3)) << split;
    EXPECT_EQ(ev.established, 1);
    EXPECT_TRUE(session->compressed());
    EXPECT_TRUE(session->finished());
  }
}

/// Server frames: three texts, a ping, a close.
std::string server_frames() {
  std::string f;
  for (int i = 0; i < 3; ++i) ws::append_frame(f, ws::Opcode::text, "event " + std::to_string(i));
  ws::append_frame(f, ws::Opcode::ping, "hi");
  ws::append_frame(f, ws::Opcode::close, ws::close_payload(1000));
  return f;
}

/// Frames the client sent, decoded as a server must (masks required).
struct ClientFrames : ws::Handler {
  void on_message(ws::Opcode op, std::string_view p, bool) override { frames.emplace_back(op, p); }
  void on_control(ws::Opcode op, std::string_view p) override { frames.emplace_back(op, p); }
  std::vector<std::pair<ws::Opcode, std::string>> frames;  ///< in arrival order
};

void expect_pong_then_close(const std::string& out) {
  ClientFrames log;
  ws::Decoder d(log, ws::Role::server);
  ASSERT_FALSE(d.feed(out));
  ASSERT_EQ(log.frames.size(), 2u);
  EXPECT_EQ(log.frames[0], std::make_pair(ws::Opcode::pong, std::string("hi")));
  EXPECT_EQ(log.frames[1], std::make_pair(ws::Opcode::close, ws::close_payload(1000)));
}

TEST(WsClientCodec, FramesPingAndCloseAtEverySplit) {
  const auto frames = server_frames();
  for (const bool http2 : {false, true}) {
    for (std::size_t split = 0; split <= frames.size(); ++split) {
      Events ev;
      WsClientCodec codec(ev, 1, {}, kNoLimit);
      ResponseHead head;
      head.status = http2 ? 200 : 101;
      head.http2 = http2;
      ASSERT_FALSE(codec.on_response(head));
      EXPECT_EQ(codec.on_end(), LoadErrc::unexpected_eof);
      std::string out;
      ASSERT_FALSE(codec.on_body(std::string_view(frames).substr(0, split), out)) << split;
      ASSERT_FALSE(codec.on_body(std::string_view(frames).substr(split), out)) << split;
      EXPECT_EQ(ev.data_, want_events(1, 3)) << split;
      EXPECT_TRUE(codec.finished());
      EXPECT_TRUE(codec.upstream_done());
      EXPECT_FALSE(codec.on_end());
      expect_pong_then_close(out);
      std::string more;
      EXPECT_FALSE(codec.goodbye(more));
      EXPECT_TRUE(more.empty());
    }
  }
}

TEST(WsClientCodec, HandshakeAndLimits) {
  Events ev;
  WsClientCodec codec(ev, 0, {}, kNoLimit);
  ResponseHead head;
  head.status = 200;  // HTTP/2's answer, over HTTP/1.1
  EXPECT_EQ(codec.on_response(head), LoadErrc::http_status);
  head.status = 101;
  head.websocket_extensions = "permessage-deflate";  // not offered
  EXPECT_EQ(codec.on_response(head), LoadErrc::unsupported_encoding);

  SessionOptions small;
  small.max_event_bytes = 8;
  WsClientCodec bounded(ev, 0, small, kNoLimit);
  ASSERT_FALSE(bounded.on_response(ResponseHead{101}));
  std::string big, out;
  ws::append_frame(big, ws::Opcode::text, std::string(20, 'x'));
  EXPECT_EQ(bounded.on_body(big, out), LoadErrc::event_too_large);

  // Pongs are refused once the backlog of unsent replies is over the bound.
  WsClientCodec backlog(ev, 0, {}, 4);
  ASSERT_FALSE(backlog.on_response(ResponseHead{101}));
  std::string ping;
  ws::append_frame(ping, ws::Opcode::ping, "p");
  std::string pending(5, 'x');
  EXPECT_EQ(backlog.on_body(ping, pending), LoadErrc::protocol_error);
}

TEST(WsClientCodec, PermessageDeflateOfferAndGoodbye) {
  Events ev;
  SessionOptions options;
  options.compression.algorithm = Compression::permessage_deflate;
  WsClientCodec codec(ev, 0, options, kNoLimit);
  ASSERT_EQ(codec.request_fields().size(), 3u);
  EXPECT_EQ(codec.request_fields()[2].first, "Sec-WebSocket-Extensions");
  std::string out;
  EXPECT_FALSE(codec.goodbye(out)) << "no close before the handshake";
  ResponseHead head;
  head.status = 101;
  head.websocket_extensions = "permessage-deflate";
  ASSERT_FALSE(codec.on_response(head));
  EXPECT_TRUE(codec.compressed());
  EXPECT_TRUE(codec.send_message("up", out));
  EXPECT_TRUE(codec.goodbye(out));
  EXPECT_FALSE(codec.goodbye(out));
  ClientFrames log;
  ws::Decoder d(log, ws::Role::server);
  ASSERT_FALSE(d.feed(out));
  ASSERT_EQ(log.frames.size(), 2u);
  EXPECT_EQ(log.frames[0].second, "up");
  EXPECT_EQ(log.frames[1].first, ws::Opcode::close);
}

}  // namespace
}  // namespace pushbench::loadgen
