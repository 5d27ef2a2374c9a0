// RFC 6455 (and RFC 7692) conformance of our WebSocket server's own framing, in the spirit of
// Autobahn|Testsuite sections 1-7 (framing, pings/pongs, reserved bits, opcodes, fragmentation,
// UTF-8, close handshake), 9 (limits) and 12-13 (permessage-deflate). Autobahn itself is not
// packaged for Debian 12 or npm, so a table-driven client sends each case to a real
// pushbench-server in chat mode (`/ws?echo=1`, every message comes back) and checks the reaction
// the RFC requires: the echo, a pong, or the connection failed with close code 1002/1007/1009.
#include <gtest/gtest.h>

#include <chrono>

#include "core/codec/permessage_deflate.hpp"
#include "core/codec/ws_frame.hpp"
#include "core/codec/ws_handshake.hpp"
#include "helpers.hpp"

namespace pushbench::test {
namespace {

namespace asio = boost::asio;
using loadgen::ServerProcess;

/// What the server sent back on one connection, decoded as a client.
struct Reaction : ws::Handler {
  std::vector<std::string> messages;  ///< echoed messages (inflated when compressed)
  std::vector<std::string> pongs;     ///< pong payloads
  std::optional<std::uint16_t> close_code;  ///< code of the server's close frame (0: empty)
  bool eof = false;                   ///< the server ended the TCP connection
  std::optional<compress::PmdInflater> inflater;

  void on_message(ws::Opcode, std::string_view payload, bool compressed) override {
    if (!compressed) return messages.emplace_back(payload), void();
    std::string out;
    EXPECT_FALSE(inflater && inflater->decompress(payload, out)) << "server sent bad deflate";
    messages.push_back(out);
  }
  void on_control(ws::Opcode op, std::string_view payload) override {
    if (op == ws::Opcode::pong) pongs.emplace_back(payload);
    if (op == ws::Opcode::close) {
      close_code = payload.size() >= 2 ? (static_cast<std::uint8_t>(payload[0]) << 8) |
                                             static_cast<std::uint8_t>(payload[1])
                                       : 0;
    }
  }
};

/// One client connection in chat mode.
class Peer {
 public:
  Peer(std::uint16_t port, bool deflate) : socket_(ioc_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static int n = 0;
    const auto key = ws::make_client_key(++n);
    std::string req = "GET /ws?echo=1&stream=conf" + std::to_string(n) +
                      " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + "\r\n";
    compress::PmdParams offer;
    if (deflate) req += "Sec-WebSocket-Extensions: " + compress::make_pmd_offer(offer) + "\r\n";
    asio::write(socket_, asio::buffer(req + "\r\n"));
    std::string head;
    char buf[4096];
    boost::system::error_code ec;
    while (head.find("\r\n\r\n") == std::string::npos && !ec) {
      head.append(buf, socket_.read_some(asio::buffer(buf), ec));
    }
    const auto end = head.find("\r\n\r\n");
    EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
    EXPECT_NE(head.find(ws::accept_key(key)), std::string::npos);
    rest_ = end == std::string::npos ? "" : head.substr(end + 4);
    if (deflate) {
      const auto pos = head.find("Sec-WebSocket-Extensions: ");
      EXPECT_NE(pos, std::string::npos) << head;
      if (pos == std::string::npos) return;
      const auto line = head.substr(pos + 26, head.find("\r\n", pos) - pos - 26);
      const auto agreed = compress::parse_pmd_response(line, offer);
      const auto* p = std::get_if<std::optional<compress::PmdParams>>(&agreed);
      EXPECT_TRUE(p && *p);
      if (p && *p) params_ = **p;
    }
  }

  /// The agreed permessage-deflate parameters, if any.
  const std::optional<compress::PmdParams>& params() const { return params_; }

  void send(std::string_view bytes) {
    boost::system::error_code ec;  // the server may have failed the connection already
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  }

  /// Reads until the server closes TCP (or 5 s pass).
  Reaction finish() {
    Reaction r;
    if (params_) r.inflater.emplace(*params_, true, 1 << 20);
    ws::Decoder decoder(r, ws::Role::client, 1 << 20, params_.has_value());
    EXPECT_FALSE(decoder.feed(rest_));
    char buf[16384];
    boost::system::error_code ec;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto n = socket_.read_some(asio::buffer(buf), ec);
      if (ec) {
        r.eof = ec == asio::error::eof || ec == asio::error::connection_reset;
        break;
      }
      EXPECT_FALSE(decoder.feed(std::string_view(buf, n))) << "server frames must be valid";
      // Once the server's close arrived we close too (the client side of the close handshake).
      if (r.close_code) {
        socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
      }
    }
    return r;
  }

 private:
  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  std::string rest_;  ///< bytes after the 101 response
  std::optional<compress::PmdParams> params_;
};

std::uint32_t g_mask = 0x1234abcd;

/// A masked client frame.
std::string frame(ws::Opcode op, std::string_view payload, bool fin = true, bool rsv1 = false) {
  std::string out;
  g_mask = g_mask * 1664525u + 1013904223u;
  ws::append_frame(out, op, payload, fin, g_mask, rsv1);
  return out;
}
/// A frame with a raw first byte (reserved bits and opcodes the encoder does not produce).
std::string raw_frame(std::uint8_t b0, std::string_view payload) {
  std::string out = frame(ws::Opcode::binary, payload);
  out[0] = static_cast<char>(b0);
  return out;
}
std::string close_frame(std::uint16_t code, std::string_view reason = {}) {
  return frame(ws::Opcode::close, ws::close_payload(code, reason));
}

using ws::Opcode;

std::string ten_pings() {
  std::string s;
  for (int i = 0; i < 10; ++i) s += frame(Opcode::ping, std::to_string(i));
  return s;
}
std::string unmasked(std::string_view payload) {
  std::string s;
  ws::append_frame(s, Opcode::text, payload);
  return s;
}

/// One case: the bytes a client sends and what the RFC requires back.
struct FramingCase {
  const char* name;
  std::string bytes;                  ///< sent after the handshake
  std::vector<std::string> echoes;    ///< messages that must come back, in order
  std::vector<std::string> pongs;     ///< pong payloads that must come back, in order
  std::uint16_t close_code;           ///< the server's close: 1000 echoing ours, or a failure
};

/// Cases of Autobahn sections 1-7 and 9 (without permessage-deflate). A case that expects 1000
/// ends with our close frame; a failing one stops at the violation.
std::vector<FramingCase> framing_cases() {
  const std::string s125(125, 'a'), s126(126, 'b'), s64k(65535, 'c');
  const std::string bye = close_frame(1000);
  std::vector<FramingCase> c = {
      // 1.x framing: payload lengths around the 7-bit, 16-bit and 64-bit encodings.
      {"1.1.1 empty text", frame(Opcode::text, "") + bye, {""}, {}, 1000},
      {"1.1.2 text 125", frame(Opcode::text, s125) + bye, {s125}, {}, 1000},
      {"1.1.3 text 126", frame(Opcode::text, s126) + bye, {s126}, {}, 1000},
      {"1.1.4 text 65535", frame(Opcode::text, s64k) + bye, {s64k}, {}, 1000},
      {"1.2.1 binary", frame(Opcode::binary, "bin") + bye, {"bin"}, {}, 1000},
      // 2.x pings and pongs.
      {"2.1 empty ping", frame(Opcode::ping, "") + bye, {}, {""}, 1000},
      {"2.2 ping payload", frame(Opcode::ping, "hello") + bye, {}, {"hello"}, 1000},
      {"2.4 ping 125", frame(Opcode::ping, s125) + bye, {}, {s125}, 1000},
      {"2.5 ping 126 fails", frame(Opcode::ping, s126), {}, {}, 1002},
      {"2.6 unsolicited pong ignored", frame(Opcode::pong, "x") + frame(Opcode::text, "after") + bye,
       {"after"}, {}, 1000},
      {"2.10 ten pings", ten_pings() + bye, {}, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
       1000},
      // 3.x reserved bits (no extension negotiated).
      {"3.1 RSV1 on text", raw_frame(0xC1, "x"), {}, {}, 1002},
      {"3.2 RSV2 after a good frame", frame(Opcode::text, "ok") + raw_frame(0xA1, "x"), {"ok"}, {}, 1002},
      {"3.4 RSV3 on ping", raw_frame(0x99, ""), {}, {}, 1002},
      // 4.x opcodes.
      {"4.1.1 opcode 3", raw_frame(0x83, ""), {}, {}, 1002},
      {"4.1.5 opcode 7", raw_frame(0x87, "x"), {}, {}, 1002},
      {"4.2.1 opcode 11", raw_frame(0x8B, ""), {}, {}, 1002},
      {"4.2.5 opcode 15", raw_frame(0x8F, "x"), {}, {}, 1002},
      // 5.x fragmentation.
      {"5.1 fragmented ping", frame(Opcode::ping, "a", false) + frame(Opcode::continuation, "b"),
       {}, {}, 1002},
      {"5.3 text in fragments", frame(Opcode::text, "fra", false) +
       frame(Opcode::continuation, "gm", false) + frame(Opcode::continuation, "ents") + bye,
       {"fragments"}, {}, 1000},
      {"5.6 ping between fragments", frame(Opcode::text, "a", false) + frame(Opcode::ping, "p") +
       frame(Opcode::continuation, "b") + bye, {"ab"}, {"p"}, 1000},
      {"5.9 continuation without a start", frame(Opcode::continuation, "x"), {}, {}, 1002},
      {"5.18 text while fragmented", frame(Opcode::text, "a", false) + frame(Opcode::text, "b"),
       {}, {}, 1002},
      {"5.19 empty fragments", frame(Opcode::text, "", false) + frame(Opcode::continuation, "", false) +
       frame(Opcode::continuation, "x") + bye, {"x"}, {}, 1000},
      // 6.x UTF-8.
      {"6.2 valid multibyte", frame(Opcode::text, "\xCE\xBA\xE1\xBD\xB9\xF0\x9F\x98\x80") + bye,
       {"\xCE\xBA\xE1\xBD\xB9\xF0\x9F\x98\x80"}, {}, 1000},
      {"6.2.4 valid across fragments", frame(Opcode::text, "\xF0\x9F", false) +
       frame(Opcode::continuation, "\x98\x80") + bye, {"\xF0\x9F\x98\x80"}, {}, 1000},
      {"6.3 invalid", frame(Opcode::text, "\xCE\xBA\xE1\xBD\xB9\xED\xA0\x80"), {}, {}, 1007},
      {"6.4 invalid in a later fragment", frame(Opcode::text, "ok", false) +
       frame(Opcode::continuation, "\xFF"), {}, {}, 1007},
      {"6.5 overlong", frame(Opcode::text, "\xC0\xAF"), {}, {}, 1007},
      {"6.6 truncated", frame(Opcode::text, "\xE2\x82"), {}, {}, 1007},
      {"6.7 above U+10FFFF", frame(Opcode::text, "\xF4\x90\x80\x80"), {}, {}, 1007},
      // 7.x close handshake.
      {"7.1.1 echo then close", frame(Opcode::text, "hi") + bye, {"hi"}, {}, 1000},
      {"7.1.3 nothing after close", bye + frame(Opcode::text, "late"), {}, {}, 1000},
      {"7.3.1 empty close", frame(Opcode::close, ""), {}, {}, 1000},
      {"7.3.2 one-byte close", frame(Opcode::close, "\x03"), {}, {}, 1002},
      {"7.3.4 close with reason", close_frame(1000, "bye now"), {}, {}, 1000},
      {"7.5.1 close reason not UTF-8", close_frame(1000, "\xFF\xFE"), {}, {}, 1002},
      {"7.7 close 1001", close_frame(1001), {}, {}, 1000},
      {"7.7 close 3000", close_frame(3000), {}, {}, 1000},
      {"7.7 close 4999", close_frame(4999), {}, {}, 1000},
      {"7.9.1 close 0", close_frame(0), {}, {}, 1002},
      {"7.9.2 close 999", close_frame(999), {}, {}, 1002},
      {"7.9.3 close 1004", close_frame(1004), {}, {}, 1002},
      {"7.9.4 close 1005", close_frame(1005), {}, {}, 1002},
      {"7.9.5 close 1006", close_frame(1006), {}, {}, 1002},
      {"7.9.6 close 1015", close_frame(1015), {}, {}, 1002},
      {"7.9.7 close 5000", close_frame(5000), {}, {}, 1002},
      // Framing errors of the header itself.
      {"unmasked client frame", unmasked("x"), {}, {}, 1002},
      {"non-minimal length", std::string("\x81\xFE\x00\x05\x00\x00\x00\x00hello", 12), {}, {}, 1002},
      // 9.x limits: the server accepts up to --max-message-bytes (64 KiB by default).
      {"9.1 message above the limit", frame(Opcode::text, std::string((64 << 10) + 1, 'z')), {}, {},
       1009},
      {"9.1 fragmented above the limit", frame(Opcode::text, std::string(40 << 10, 'y'), false) +
       frame(Opcode::continuation, std::string(40 << 10, 'y')), {}, {}, 1009},
  };
  return c;
}

void check(const FramingCase& c, const Reaction& r) {
  EXPECT_EQ(r.messages, c.echoes) << c.name;
  EXPECT_EQ(r.pongs, c.pongs) << c.name;
  ASSERT_TRUE(r.close_code.has_value()) << c.name << ": no close frame from the server";
  EXPECT_EQ(*r.close_code, c.close_code) << c.name;
  EXPECT_TRUE(r.eof) << c.name << ": the server did not end the connection";
}

TEST(WsConformance, FramingSections1To9) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  for (const auto& c : framing_cases()) {
    Peer peer(server.port(), false);
    peer.send(c.bytes);
    check(c, peer.finish());
  }
  // Every violation was answered without harming the server.
  EXPECT_NE(http_exchange(server.port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").find("\"ok\""),
            std::string::npos);
}

TEST(WsConformance, FramesSplitAcrossWritesByteByByte) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  Peer peer(server.port(), false);
  const auto bytes = frame(Opcode::text, "sp", false) + frame(Opcode::ping, "q") +
                     frame(Opcode::continuation, "lit") + close_frame(1000);
  for (char b : bytes) peer.send(std::string_view(&b, 1));
  check({"split", "", {"split"}, {"q"}, 1000}, peer.finish());
}

/// Compresses `msg` as a client with `p` (a fresh compressor: no context is shared between
/// cases, and within a case each message is compressed independently, which any agreement
/// allows the receiver to inflate).
std::string deflated(const compress::PmdParams& p, std::string_view msg) {
  compress::PmdDeflater d(p, true);
  std::string out;
  EXPECT_FALSE(d.compress(msg, out));
  return out;
}

TEST(WsConformance, PermessageDeflateSections12And13) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const auto bye = close_frame(1000);
  auto run = [&](const char* name, auto make_bytes, std::vector<std::string> echoes,
                 std::uint16_t code) {
    Peer peer(server.port(), true);
    ASSERT_TRUE(peer.params()) << name;
    peer.send(make_bytes(*peer.params()));
    check({name, "", std::move(echoes), {}, code}, peer.finish());
  };
  for (std::size_t size : {0, 16, 64, 256, 1024, 4096, 16384, 65535}) {
    std::string msg;
    for (std::size_t i = 0; i < size; ++i) msg.push_back(static_cast<char>('a' + (i * 7 + i / 13) % 26));
    run("12.x compressed echo", [&](const compress::PmdParams& p) {
      return frame(Opcode::text, deflated(p, msg), true, true) + bye;
    }, {msg}, 1000);
  }
  // 13.x: the client's context carries over between messages (context takeover).
  run("13.x context takeover", [&](const compress::PmdParams& p) {
    compress::PmdDeflater d(p, true);
    std::string s, out;
    for (int i = 0; i < 5; ++i) {
      EXPECT_FALSE(d.compress("repeated payload " + std::to_string(i % 2), out));
      s += frame(Opcode::text, out, true, true);
    }
    return s + bye;
  }, {"repeated payload 0", "repeated payload 1", "repeated payload 0", "repeated payload 1",
      "repeated payload 0"}, 1000);
  run("12.x compressed in fragments", [&](const compress::PmdParams& p) {
    const auto z = deflated(p, "fragmented and compressed");
    return frame(Opcode::text, z.substr(0, 5), false, true) +
           frame(Opcode::continuation, z.substr(5)) + bye;
  }, {"fragmented and compressed"}, 1000);
  run("uncompressed message on a deflate connection", [&](const compress::PmdParams&) {
    return frame(Opcode::text, "plain") + bye;
  }, {"plain"}, 1000);
  run("RSV1 on a ping", [&](const compress::PmdParams&) {
    return raw_frame(0xC9, "");
  }, {}, 1002);
  run("RSV1 on a continuation", [&](const compress::PmdParams& p) {
    return frame(Opcode::text, deflated(p, "ab"), false, true) +
           frame(Opcode::continuation, "", true, true);
  }, {}, 1002);
}

TEST(WsConformance, CorruptDeflateFailsTheConnection) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  Peer peer(server.port(), true);
  ASSERT_TRUE(peer.params());
  peer.send(frame(Opcode::text, "\xFF\xFF\xFF garbage", true, true));
  const auto r = peer.finish();
  EXPECT_TRUE(r.messages.empty());
  EXPECT_TRUE(r.eof);  // failed: with a close frame (1007) or by closing TCP at once
  if (r.close_code) EXPECT_EQ(*r.close_code, 1007);
}

}  // namespace
}  // namespace pushbench::test
