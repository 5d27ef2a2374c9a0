// The feeder's handshakes (at every split point) and its streams, read back with our own decoders.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench/feeder/feed_stream.hpp"
#include "core/codec/sse_parser.hpp"
#include "core/codec/ws_frame.hpp"
#include "core/contract/event.hpp"
#include "servers/carrier/raw_connection.hpp"
#include "servers/carrier/sse_connection.hpp"

namespace pushbench::feeder {
namespace {

constexpr std::int64_t kEpoch = 1'765'000'000'000'000'000;
constexpr std::int64_t kNow = kEpoch - 5'000'000'000;  ///< the feeder's clock in these tests

/// Feeds `request` one prefix at a time: NeedMore until the last byte, then the result.
HandshakeResult judge_at_every_split(Framing framing, const std::string& request) {
  for (std::size_t n = 0; n < request.size(); ++n) {
    const auto partial = parse_handshake(framing, std::string_view(request).substr(0, n), kNow);
    EXPECT_TRUE(std::holds_alternative<NeedMore>(partial)) << "after " << n << " bytes";
  }
  return parse_handshake(framing, request, kNow);
}

TEST(FeederHandshake, SseIsAcceptedOnlyWhenTheHeaderIsComplete) {
  const auto r = judge_at_every_split(
      Framing::sse, "GET /sse?rate=1000&size=64&payload=text HTTP/1.1\r\nHost: a\r\n\r\n");
  const auto* a = std::get_if<Accepted>(&r);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->response.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_NE(a->response.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_TRUE(a->response.ends_with("\r\n\r\n"));
  EXPECT_EQ(a->spec.rate, 1000);
  EXPECT_EQ(a->spec.size, 64u);
  EXPECT_EQ(a->spec.payload, PayloadKind::text);
}

TEST(FeederHandshake, WebSocketAnswersWithTheKeysAccept) {
  // RFC 6455 section 1.3's example key and accept value.
  const auto r =
      judge_at_every_split(Framing::ws,
                           "GET /ws?rate=10 HTTP/1.1\r\nHost: a\r\nupgrade: WebSocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key:  "
                           "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  const auto* a = std::get_if<Accepted>(&r);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->response.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
  EXPECT_NE(a->response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos)
      << a->response;
}

TEST(FeederHandshake, RawNeedsItsLineOnly) {
  const auto r = judge_at_every_split(Framing::raw, "PUSHBENCH/1 rate=5&count=3\n");
  const auto* a = std::get_if<Accepted>(&r);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->response.empty());
  EXPECT_EQ(a->spec.count, 3u);
}

/// The reason of a refused handshake, or "accepted" / "need more".
std::string refusal(Framing framing, const std::string& request) {
  const auto r = parse_handshake(framing, request, kNow);
  if (const auto* x = std::get_if<Rejected>(&r)) {
    if (framing == Framing::raw) {
      EXPECT_EQ(x->response, "ERROR " + x->reason + "\n");
    } else {
      EXPECT_TRUE(x->response.starts_with("HTTP/1.1 4")) << x->response;
      EXPECT_NE(x->response.find(x->reason), std::string::npos);
    }
    return x->reason;
  }
  return std::holds_alternative<Accepted>(r) ? "accepted" : "need more";
}

TEST(FeederHandshake, WhatItDoesNotServeIsRefusedWithTheReason) {
  const auto sse = [](const std::string& target, const std::string& headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n";
  };
  EXPECT_EQ(refusal(Framing::sse, sse("/sse?topic=t")),
            "the feeder serves private paced streams only");
  EXPECT_EQ(refusal(Framing::sse, sse("/sse?echo=1")),
            "the feeder serves private paced streams only");
  EXPECT_EQ(refusal(Framing::sse, sse("/sse?keepalive=1")),
            "the feeder sends no keep-alives, drops and retry fields");
  EXPECT_EQ(refusal(Framing::sse, sse("/sse", "Last-Event-ID: 4\r\n")),
            "the feeder does not resume streams");
  EXPECT_EQ(refusal(Framing::sse, sse("/sse?stream=a")), "the feeder does not resume streams");
  EXPECT_EQ(refusal(Framing::sse, sse("/ws")), "this feeder serves /sse");
  EXPECT_NE(refusal(Framing::sse, sse("/sse?rate=0")).find("rate"), std::string::npos);
  EXPECT_EQ(refusal(Framing::sse, "POST /sse HTTP/1.1\r\n\r\n"),
            "expected 'GET <target> HTTP/1.1'");
  EXPECT_EQ(refusal(Framing::sse, "GET /sse HTTP/1.0\r\n\r\n"), "expected 'GET <target> HTTP/1.1'");
  EXPECT_EQ(refusal(Framing::ws, sse("/ws?rate=1")),
            "expected a WebSocket upgrade with a valid Sec-WebSocket-Key");
  EXPECT_EQ(refusal(Framing::raw, "HELLO\n"), "expected 'PUSHBENCH/1 <query>'");
  EXPECT_EQ(refusal(Framing::raw, "PUSHBENCH/1 topic=x\n"),
            "the feeder serves private paced streams only");
  // Bounded: a header without its end is refused once it reaches the limit, not read forever.
  const std::string endless = "GET /sse HTTP/1.1\r\nX: " + std::string(kMaxHandshakeBytes, 'a');
  EXPECT_EQ(refusal(Framing::sse, endless), "request header too long");
  EXPECT_EQ(refusal(Framing::raw, "PUSHBENCH/1 " + std::string(kMaxHandshakeBytes, 'a')),
            "handshake line too long");
  EXPECT_EQ(refusal(Framing::raw, "PUSHBENCH/1 rate=5"), "need more");
  // What cannot begin a handshake is refused at once, not waited for: a TLS ClientHello.
  EXPECT_EQ(refusal(Framing::sse, "\x16\x03\x01"), "expected 'GET <target> HTTP/1.1'");
  EXPECT_EQ(refusal(Framing::ws, "G"), "need more");
  EXPECT_EQ(refusal(Framing::raw, "\x16"), "expected 'PUSHBENCH/1 <query>'");
  // A grid more than a day from the clock, as pushbench-server refuses it.
  EXPECT_EQ(refusal(Framing::raw, "PUSHBENCH/1 epoch=9223372036854775000&duration=1\n"),
            "epoch is more than a day away from this feeder's clock");
  EXPECT_EQ(refusal(Framing::raw, "PUSHBENCH/1 epoch=" + std::to_string(kNow + 1000) + "\n"),
            "accepted");
  EXPECT_EQ(refusal(Framing::ws, sse("/ws",
                                     "Upgrade: websocket\r\nSec-WebSocket-Key: "
                                     "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n")),
            "unsupported Sec-WebSocket-Version (this feeder speaks 13)");
}

/// The events' data in a stream's bytes, decoded as the load generator's decoders decode them;
/// `ended` is set when the stream's end was in the bytes.
struct Decoded {
  std::vector<std::string> data;
  bool ended = false;
};

struct SseCollector : sse::Handler {
  std::vector<std::string>* out;
  explicit SseCollector(std::vector<std::string>* o) : out(o) {}
  void on_event(const sse::Event& ev) override { out->emplace_back(ev.data); }
};

struct WsCollector : ws::Handler {
  Decoded* out;
  explicit WsCollector(Decoded* o) : out(o) {}
  void on_message(ws::Opcode, std::string_view payload, bool) override {
    out->data.emplace_back(payload);
  }
  void on_control(ws::Opcode op, std::string_view) override {
    if (op == ws::Opcode::close) out->ended = true;
  }
};

/// Takes HTTP/1.1 chunks apart (sizes in hex, each chunk followed by CRLF; "0" ends the body).
std::string dechunk(std::string_view in, bool& ended) {
  std::string body;
  while (!in.empty()) {
    const auto eol = in.find("\r\n");
    const std::size_t n = std::stoul(std::string(in.substr(0, eol)), nullptr, 16);
    if (n == 0) {
      ended = in.substr(eol) == "\r\n\r\n";
      return body;
    }
    body.append(in.substr(eol + 2, n));
    EXPECT_EQ(in.substr(eol + 2 + n, 2), "\r\n");
    in.remove_prefix(eol + 2 + n + 2);
  }
  return body;
}

Decoded decode(Framing framing, const std::string& bytes) {
  Decoded d;
  if (framing == Framing::sse) {
    SseCollector c(&d.data);
    sse::Parser p(c);
    EXPECT_FALSE(p.feed(dechunk(bytes, d.ended)));
  } else if (framing == Framing::ws) {
    WsCollector c(&d);
    ws::Decoder dec(c, ws::Role::client);
    EXPECT_FALSE(dec.feed(bytes));
  } else {
    for (std::size_t at = 0; at < bytes.size();) {
      const auto eol = bytes.find('\n', at);
      if (eol == std::string::npos) {
        ADD_FAILURE() << "raw bytes without their last line end";
        break;
      }
      d.data.push_back(bytes.substr(at, eol - at));
      at = eol + 1;
    }
  }
  return d;
}

class FeedStreamByFraming : public ::testing::TestWithParam<Framing> {};

TEST_P(FeedStreamByFraming, SendsWhatIsDueWithItsIntendedTimeThenItsEnd) {
  StreamSpec spec;
  spec.rate = 1000;  // one event a millisecond
  spec.size = 100;
  spec.count = 5;
  spec.epoch_ns = kEpoch;
  FeedStream s(GetParam(), spec, kEpoch - 10);  // begins before the grid's first point
  std::string out;
  s.append_due(out, kEpoch - 1, 1 << 20);
  EXPECT_TRUE(out.empty());  // nothing due yet
  s.append_due(out, kEpoch + 2'500'000, 1 << 20);
  EXPECT_EQ(s.sent(), 3u);  // due at +0, +1 and +2 ms
  EXPECT_FALSE(s.ended());
  s.append_due(out, kEpoch + 60'000'000, 1 << 20);
  EXPECT_EQ(s.sent(), 5u);
  EXPECT_TRUE(s.ended());
  const Decoded d = decode(GetParam(), out);
  ASSERT_EQ(d.data.size(), 5u);
  for (std::uint64_t seq = 0; seq < 5; ++seq) {
    const auto h = parse_event_header(d.data[seq]);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->seq, seq);
    EXPECT_EQ(h->ts, kEpoch + static_cast<std::int64_t>(seq) * 1'000'000);
    // st is the time its batch was made: the first three at +2.5 ms, the rest at +60 ms.
    EXPECT_EQ(h->st, seq < 3 ? kEpoch + 2'500'000 : kEpoch + 60'000'000);
    EXPECT_TRUE(verify_event_data(d.data[seq], spec.payload, spec.size));
  }
  EXPECT_EQ(d.ended, GetParam() != Framing::raw);  // raw's end is the connection's
}

TEST_P(FeedStreamByFraming, ATickStopsAtItsByteBudgetAndTheNextGoesOn) {
  StreamSpec spec;
  spec.rate = 1e6;
  spec.size = 64;
  spec.duration_s = 0.001;  // 1,000 events
  FeedStream s(GetParam(), spec, kEpoch);
  std::string out;
  s.append_due(out, kEpoch + 1'000'000'000, 4096);
  EXPECT_GE(out.size(), 4096u);
  EXPECT_LT(out.size(), 4096u + 200);  // at most one event beyond the budget
  const auto first = s.sent();
  EXPECT_LT(first, 1000u);
  while (!s.ended()) s.append_due(out, kEpoch + 1'000'000'000, out.size() + 4096);
  EXPECT_EQ(s.sent(), 1000u);  // the duration's end: events due before it, none after
  EXPECT_EQ(decode(GetParam(), out).data.size(), 1000u);
}

TEST_P(FeedStreamByFraming, TheBytesArePushbenchServersOwn) {
  StreamSpec spec;
  spec.rate = 1000;
  spec.size = 256;
  spec.count = 3;
  FeedStream s(GetParam(), spec, kEpoch);
  std::string out;
  s.append_due(out, kEpoch + 1'000'000, 1 << 20);  // events 0 and 1, made at +1 ms
  std::string expected;
  for (std::uint64_t seq = 0; seq < 2; ++seq) {
    std::string data;
    append_event_data(
        data, {seq, kEpoch + static_cast<std::int64_t>(seq) * 1'000'000, kEpoch + 1'000'000},
        spec.payload, spec.size);
    switch (GetParam()) {
      case Framing::sse:
        expected += *server::SseConnection::frame_event(seq, data);
        break;
      case Framing::raw:
        expected += *server::RawConnection::frame_event(seq, data);
        break;
      case Framing::ws:
        ws::append_frame(expected, ws::Opcode::text, data);  // WsServerCodec::frame_event's frame
        break;
    }
  }
  EXPECT_EQ(out, expected);
}

INSTANTIATE_TEST_SUITE_P(Framings, FeedStreamByFraming,
                         ::testing::Values(Framing::sse, Framing::ws, Framing::raw),
                         [](const auto& info) {
                           return std::string(info.param == Framing::sse  ? "sse"
                                              : info.param == Framing::ws ? "ws"
                                                                          : "raw");
                         });

}  // namespace
}  // namespace pushbench::feeder
