#include "core/codec/ws_frame.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace pushbench::ws {
namespace {

// One handler callback, as recorded by Recorder.
struct Event {
  bool control = false;      // on_control rather than on_message
  Opcode op = Opcode::text;  // opcode passed to the callback
  std::string payload;       // payload passed to the callback
  bool compressed = false;   // `compressed` argument of on_message

  bool operator==(const Event&) const = default;
};

void PrintTo(const Event& e, std::ostream* os) {
  *os << (e.control ? "control" : "message") << " op=" << static_cast<int>(e.op)
      << " size=" << e.payload.size() << " compressed=" << e.compressed;
  if (e.payload.size() <= 32) *os << " payload=\"" << e.payload << "\"";
}

Event message(Opcode op, std::string payload, bool compressed = false) {
  return {false, op, std::move(payload), compressed};
}

Event control(Opcode op, std::string payload) {
  return {true, op, std::move(payload), false};
}

class Recorder : public Handler {
 public:
  void on_message(Opcode op, std::string_view payload, bool compressed) override {
    events.push_back({false, op, std::string(payload), compressed});
    views.push_back(payload);
  }
  void on_control(Opcode op, std::string_view payload) override {
    events.push_back({true, op, std::string(payload), false});
  }

  std::vector<Event> events;            // every callback, in order
  std::vector<std::string_view> views;  // the raw views passed to on_message
};

// Decoder construction parameters for a test stream.
struct Config {
  Role role = Role::client;                  // decoder role
  std::size_t max_message_bytes = 16 << 20;  // message size limit
  bool allow_rsv1 = false;                   // permessage-deflate negotiated
};

// What a decoder did with a whole stream.
struct Outcome {
  std::vector<Event> events;  // callbacks in order
  std::error_code error;      // first error returned by feed, if any
  bool closed = false;        // Decoder::closed() at the end

  bool operator==(const Outcome&) const = default;
};

Outcome outcome(std::vector<Event> events, std::error_code error = {}, bool closed = false) {
  return {std::move(events), error, closed};
}

void PrintTo(const Outcome& o, std::ostream* os) {
  *os << "{error=" << o.error.message() << " closed=" << o.closed << " events=[";
  for (const auto& e : o.events) {
    PrintTo(e, os);
    *os << "; ";
  }
  *os << "]}";
}

// Feeds `stream` cut at the increasing offsets in `cuts`; checks that a failed decoder stays
// failed with the same error and produces no further callbacks.
Outcome decode_pieces(std::string_view stream, const std::vector<std::size_t>& cuts,
                      const Config& config) {
  Recorder recorder;
  Decoder decoder(recorder, config.role, config.max_message_bytes, config.allow_rsv1);
  Outcome out;
  std::size_t start = 0;
  std::size_t events_at_failure = 0;
  auto feed = [&](std::size_t stop) {
    const std::error_code ec = decoder.feed(stream.substr(start, stop - start));
    if (out.error) {
      EXPECT_EQ(ec, out.error) << "decoder did not stay failed";
    } else if (ec) {
      out.error = ec;
      events_at_failure = recorder.events.size();
    }
    start = stop;
  };
  for (std::size_t cut : cuts) feed(cut);
  feed(stream.size());
  if (out.error) {
    EXPECT_EQ(recorder.events.size(), events_at_failure) << "callbacks after failure";
  }
  EXPECT_EQ(decoder.feed("\x81"), out.error ? out.error : std::error_code{});
  out.events = std::move(recorder.events);
  out.closed = decoder.closed();
  return out;
}

// Split points to try: all of them for short streams; for long ones every point within 512
// bytes of either end plus a stride through the middle, which keeps the 64 KiB cases fast.
std::vector<std::size_t> split_points(std::size_t size) {
  std::vector<std::size_t> points;
  for (std::size_t i = 1; i < size; ++i) {
    if (size <= 4096 || i < 512 || size - i < 512 || i % 97 == 0) points.push_back(i);
  }
  return points;
}

// Decodes `stream` whole, split in two at every point, and byte at a time, expecting identical
// outcomes; returns the outcome.
Outcome decode(std::string_view stream, const Config& config = {}) {
  const Outcome whole = decode_pieces(stream, {}, config);
  for (std::size_t cut : split_points(stream.size())) {
    const Outcome split = decode_pieces(stream, {cut}, config);
    if (split != whole) {
      ADD_FAILURE() << "split at " << cut << " of " << stream.size() << " differs:\n  whole "
                    << testing::PrintToString(whole) << "\n  split "
                    << testing::PrintToString(split);
      break;
    }
  }
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < stream.size(); ++i) every_byte.push_back(i);
  const Outcome bytewise = decode_pieces(stream, every_byte, config);
  EXPECT_EQ(bytewise, whole) << "byte-at-a-time differs";
  return whole;
}

Config server() {
  return {Role::server};
}

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

std::string frame(Opcode op, std::string_view payload, bool fin = true,
                  std::optional<std::uint32_t> mask = std::nullopt, bool rsv1 = false) {
  std::string out;
  append_frame(out, op, payload, fin, mask, rsv1);
  return out;
}

// Frame as a client sends it (masked).
std::string client_frame(Opcode op, std::string_view payload, bool fin = true) {
  return frame(op, payload, fin, 0xA1B2C3D4);
}

std::string pattern_payload(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

const std::error_code ok{};

// --- encoding -------------------------------------------------------------------------------

TEST(WsFrame, EncodesRfcExamples) {
  // RFC 6455 section 5.7.
  EXPECT_EQ(frame(Opcode::text, "Hello"), bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  EXPECT_EQ(frame(Opcode::text, "Hello", true, 0x37fa213d),
            bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  EXPECT_EQ(frame(Opcode::text, "Hel", false), bytes({0x01, 0x03, 0x48, 0x65, 0x6c}));
  EXPECT_EQ(frame(Opcode::continuation, "lo"), bytes({0x80, 0x02, 0x6c, 0x6f}));
  EXPECT_EQ(frame(Opcode::ping, "Hello"), bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  EXPECT_EQ(frame(Opcode::pong, "Hello", true, 0x37fa213d),
            bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  EXPECT_EQ(frame(Opcode::binary, std::string(256, 'x')).substr(0, 4),
            bytes({0x82, 0x7E, 0x01, 0x00}));
  EXPECT_EQ(frame(Opcode::binary, std::string(65536, 'x')).substr(0, 10),
            bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(frame(Opcode::binary, "", true, std::nullopt, true), bytes({0xC2, 0x00}));
}

TEST(WsFrame, HeaderSizesUseMinimalLengthEncoding) {
  struct Case {
    std::uint64_t length;
    std::size_t size;
  };
  for (const Case c : {Case{0, 2}, Case{125, 2}, Case{126, 4}, Case{65535, 4}, Case{65536, 10},
                       Case{std::uint64_t{1} << 32, 10}, Case{(std::uint64_t{1} << 63) - 1, 10}}) {
    for (bool masked : {false, true}) {
      FrameHeader h;
      h.payload_length = c.length;
      h.masked = masked;
      h.mask = 0x01020304;
      std::uint8_t out[max_header_bytes];
      const std::size_t n = encode_header(h, out);
      EXPECT_EQ(n, c.size + (masked ? 4 : 0)) << c.length;
      if (masked) {
        EXPECT_EQ(std::string(out + n - 4, out + n), bytes({1, 2, 3, 4}));
      }
    }
  }
}

// --- masking --------------------------------------------------------------------------------

TEST(WsFrame, ApplyMaskWithOffsetsMatchesBytewiseMasking) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 2000; ++iter) {
    const std::size_t n = rng() % 200;
    const std::size_t offset = rng() % 13;
    const auto mask = static_cast<std::uint32_t>(rng());
    std::vector<std::uint8_t> data(n);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    std::vector<std::uint8_t> expected = data;
    for (std::size_t i = 0; i < n; ++i) {
      expected[i] ^= static_cast<std::uint8_t>(mask >> (24 - 8 * ((offset + i) % 4)));
    }
    apply_mask(data.data(), n, mask, offset);
    ASSERT_EQ(data, expected) << "n=" << n << " offset=" << offset;
  }
}

TEST(WsFrame, ApplyMaskInChunksEqualsWholeAndIsAnInvolution) {
  const std::string original = pattern_payload(1000);
  std::string whole = original;
  apply_mask(reinterpret_cast<std::uint8_t*>(whole.data()), whole.size(), 0xDEADBEEF);
  for (std::size_t cut : {1, 3, 7, 8, 33, 500, 999}) {
    std::string chunked = original;
    auto* p = reinterpret_cast<std::uint8_t*>(chunked.data());
    apply_mask(p, cut, 0xDEADBEEF, 0);
    apply_mask(p + cut, chunked.size() - cut, 0xDEADBEEF, cut);
    EXPECT_EQ(chunked, whole) << cut;
  }
  apply_mask(reinterpret_cast<std::uint8_t*>(whole.data()), whole.size(), 0xDEADBEEF);
  EXPECT_EQ(whole, original);
}

// --- lengths and roles ----------------------------------------------------------------------

TEST(WsFrame, DecodesEveryLengthFormInBothRoles) {
  for (std::size_t n : {0, 1, 125, 126, 127, 65535, 65536}) {
    SCOPED_TRACE(n);
    const std::string payload = pattern_payload(n);
    const std::string trailer = frame(Opcode::text, "end");
    const Outcome expected =
        outcome({message(Opcode::binary, payload), message(Opcode::text, "end")});
    EXPECT_EQ(decode(frame(Opcode::binary, payload) + trailer), expected);
    EXPECT_EQ(
        decode(client_frame(Opcode::binary, payload) + client_frame(Opcode::text, "end"), server()),
        expected);
  }
}

TEST(WsFrame, MaskMismatchInBothDirections) {
  const Outcome masked_to_client = decode(client_frame(Opcode::text, "hi"));
  EXPECT_EQ(masked_to_client.error, FrameError::mask_mismatch);
  EXPECT_TRUE(masked_to_client.events.empty());
  const Outcome unmasked_to_server = decode(frame(Opcode::text, "hi"), server());
  EXPECT_EQ(unmasked_to_server.error, FrameError::mask_mismatch);
  // Control frames obey the same rule.
  EXPECT_EQ(decode(frame(Opcode::ping, "p"), server()).error, FrameError::mask_mismatch);
  EXPECT_EQ(decode(client_frame(Opcode::ping, "p")).error, FrameError::mask_mismatch);
}

TEST(WsFrame, ZeroMaskKeyIsStillMasked) {
  EXPECT_EQ(decode(frame(Opcode::text, "abc", true, 0), server()),
            outcome({message(Opcode::text, "abc")}));
}

// --- fragmentation --------------------------------------------------------------------------

TEST(WsFrame, ReassemblesFragmentsWithInterleavedControlFrames) {
  const std::string stream = frame(Opcode::text, "Hel", false) + frame(Opcode::ping, "p1") +
                             frame(Opcode::continuation, "", false) + frame(Opcode::pong, "") +
                             frame(Opcode::continuation, "lo, ", false) +
                             frame(Opcode::continuation, "world") + frame(Opcode::binary, "b");
  const Outcome expected =
      outcome({control(Opcode::ping, "p1"), control(Opcode::pong, ""),
               message(Opcode::text, "Hello, world"), message(Opcode::binary, "b")});
  EXPECT_EQ(decode(stream), expected);

  const std::string masked =
      client_frame(Opcode::text, "Hel", false) + client_frame(Opcode::ping, "p1") +
      client_frame(Opcode::continuation, "", false) + client_frame(Opcode::pong, "") +
      client_frame(Opcode::continuation, "lo, ", false) +
      client_frame(Opcode::continuation, "world") + client_frame(Opcode::binary, "b");
  EXPECT_EQ(decode(masked, server()), expected);
}

TEST(WsFrame, EmptyMessages) {
  EXPECT_EQ(decode(frame(Opcode::text, "") + frame(Opcode::binary, "") +
                   frame(Opcode::binary, "", false) + frame(Opcode::continuation, "")),
            (outcome({message(Opcode::text, ""), message(Opcode::binary, ""),
                      message(Opcode::binary, "")})));
}

TEST(WsFrame, UnexpectedContinuation) {
  const Outcome out = decode(frame(Opcode::text, "a") + frame(Opcode::continuation, "b"));
  EXPECT_EQ(out.error, FrameError::unexpected_continuation);
  EXPECT_EQ(out.events, std::vector<Event>{message(Opcode::text, "a")});
  EXPECT_EQ(decode(frame(Opcode::continuation, "b", false)).error,
            FrameError::unexpected_continuation);
}

TEST(WsFrame, ExpectedContinuation) {
  EXPECT_EQ(decode(frame(Opcode::text, "a", false) + frame(Opcode::text, "b")).error,
            FrameError::expected_continuation);
  EXPECT_EQ(decode(frame(Opcode::binary, "a", false) + frame(Opcode::ping, "") +
                   frame(Opcode::binary, "b", false)),
            (outcome({control(Opcode::ping, "")}, FrameError::expected_continuation)));
}

// --- control frames -------------------------------------------------------------------------

TEST(WsFrame, ControlFrameLimits) {
  EXPECT_EQ(decode(frame(Opcode::ping, std::string(125, 'p'))),
            outcome({control(Opcode::ping, std::string(125, 'p'))}));
  EXPECT_EQ(decode(frame(Opcode::ping, std::string(126, 'p'))).error, FrameError::control_too_long);
  EXPECT_EQ(decode(frame(Opcode::pong, std::string(70000, 'p'))).error,
            FrameError::control_too_long);
  EXPECT_EQ(decode(frame(Opcode::ping, "p", false)).error, FrameError::control_fragmented);
  EXPECT_EQ(decode(frame(Opcode::close, "", false)).error, FrameError::control_fragmented);
}

TEST(WsFrame, CloseFrameValidation) {
  for (std::uint16_t code :
       {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
    SCOPED_TRACE(code);
    const std::string payload = close_payload(code, "bye \xE2\x82\xAC");
    const Outcome out = decode(frame(Opcode::close, payload));
    EXPECT_EQ(out, (outcome({control(Opcode::close, payload)}, ok, true)));
  }
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2000, 2999, 5000, 65535}) {
    SCOPED_TRACE(code);
    const Outcome out = decode(frame(Opcode::close, close_payload(code)));
    EXPECT_EQ(out.error, FrameError::bad_close_payload);
    EXPECT_FALSE(out.closed);
  }
  EXPECT_EQ(decode(frame(Opcode::close, "")), (outcome({control(Opcode::close, "")}, ok, true)));
  EXPECT_EQ(decode(frame(Opcode::close, "\x03")).error, FrameError::bad_close_payload);
  EXPECT_EQ(decode(frame(Opcode::close, close_payload(1000, "\xC0\xAF"))).error,
            FrameError::bad_close_payload);
  EXPECT_EQ(decode(frame(Opcode::close, close_payload(1000, "ok\xE2\x82"))).error,
            FrameError::bad_close_payload);
}

TEST(WsFrame, ClosePayloadLayout) {
  EXPECT_EQ(close_payload(1000, "bye"), bytes({0x03, 0xE8, 'b', 'y', 'e'}));
  EXPECT_EQ(close_payload(4999), bytes({0x13, 0x87}));
}

TEST(WsFrame, BytesAfterCloseAreIgnored) {
  const std::string close = close_payload(1001, "going away");
  const std::string stream = frame(Opcode::ping, "x") + frame(Opcode::close, close) +
                             frame(Opcode::text, "late") + bytes({0xFF, 0xFF});
  EXPECT_EQ(decode(stream),
            (outcome({control(Opcode::ping, "x"), control(Opcode::close, close)}, ok, true)));
  EXPECT_EQ(decode(client_frame(Opcode::close, close) + "garbage", server()),
            (outcome({control(Opcode::close, close)}, ok, true)));
}

// --- header validation ----------------------------------------------------------------------

TEST(WsFrame, ReservedOpcodes) {
  for (int op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    SCOPED_TRACE(op);
    EXPECT_EQ(decode(bytes({0x80 | op, 0x00})).error, FrameError::reserved_opcode);
    EXPECT_EQ(decode(bytes({0x80 | op, 0x80, 1, 2, 3, 4}), server()).error,
              FrameError::reserved_opcode);
  }
}

TEST(WsFrame, ReservedBits) {
  EXPECT_EQ(decode(bytes({0xA1, 0x00})).error, FrameError::reserved_bits);  // RSV2
  EXPECT_EQ(decode(bytes({0x91, 0x00})).error, FrameError::reserved_bits);  // RSV3
  EXPECT_EQ(decode(bytes({0xA1, 0x00}), {Role::client, 1 << 20, true}).error,
            FrameError::reserved_bits);
  EXPECT_EQ(decode(frame(Opcode::text, "x", true, std::nullopt, true)).error,
            FrameError::reserved_bits);
}

TEST(WsFrame, Rsv1WhenPermessageDeflateNegotiated) {
  const Config deflate{Role::client, 16 << 20, true};
  // Compressed text is passed through uninspected, so bytes that are not UTF-8 are fine.
  const std::string deflated = bytes({0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00});
  EXPECT_EQ(decode(frame(Opcode::text, deflated, true, std::nullopt, true), deflate),
            outcome({message(Opcode::text, deflated, true)}));
  // RSV1 comes from the first fragment only; continuation frames must not carry it.
  EXPECT_EQ(decode(frame(Opcode::binary, "ab", false, std::nullopt, true) +
                       frame(Opcode::continuation, "cd"),
                   deflate),
            outcome({message(Opcode::binary, "abcd", true)}));
  EXPECT_EQ(decode(frame(Opcode::binary, "ab", false, std::nullopt, true) +
                       frame(Opcode::continuation, "cd", true, std::nullopt, true),
                   deflate)
                .error,
            FrameError::reserved_bits);
  EXPECT_EQ(decode(frame(Opcode::ping, "", true, std::nullopt, true), deflate).error,
            FrameError::reserved_bits);
  // Uncompressed messages are still UTF-8 checked.
  EXPECT_EQ(decode(frame(Opcode::text, "\xFF"), deflate).error, FrameError::invalid_utf8);
}

TEST(WsFrame, NonMinimalLengths) {
  // 16-bit form carrying 125.
  EXPECT_EQ(decode(bytes({0x82, 126, 0x00, 125}) + std::string(125, 'x')).error,
            FrameError::bad_length);
  // 64-bit form carrying 65535.
  EXPECT_EQ(decode(bytes({0x82, 127, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF})).error, FrameError::bad_length);
  // 64-bit form with the most significant bit set.
  EXPECT_EQ(decode(bytes({0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0})).error, FrameError::bad_length);
  EXPECT_EQ(decode(bytes({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}), server()).error,
            FrameError::bad_length);
  // Smallest valid forms are accepted.
  EXPECT_EQ(decode(bytes({0x82, 126, 0x00, 126}) + std::string(126, 'x')).error, ok);
}

TEST(WsFrame, MessageTooBig) {
  const Config limit{Role::client, 100};
  EXPECT_EQ(decode(frame(Opcode::binary, std::string(100, 'x')), limit),
            outcome({message(Opcode::binary, std::string(100, 'x'))}));
  EXPECT_EQ(decode(frame(Opcode::binary, std::string(101, 'x')), limit).error,
            FrameError::message_too_big);
  // Detected from the header alone, before any payload arrives.
  EXPECT_EQ(decode(bytes({0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0}), limit).error,
            FrameError::message_too_big);
  // The limit applies to the reassembled message.
  EXPECT_EQ(decode(frame(Opcode::text, std::string(60, 'x'), false) +
                       frame(Opcode::continuation, std::string(40, 'x')),
                   limit),
            outcome({message(Opcode::text, std::string(100, 'x'))}));
  EXPECT_EQ(decode(frame(Opcode::text, std::string(60, 'x'), false) +
                       frame(Opcode::continuation, std::string(40, 'x'), false) +
                       frame(Opcode::continuation, "x"),
                   limit)
                .error,
            FrameError::message_too_big);
  // Control frames do not count toward the limit.
  EXPECT_EQ(decode(frame(Opcode::ping, std::string(125, 'p')), {Role::client, 10}).error, ok);
}

// --- UTF-8 ----------------------------------------------------------------------------------

TEST(WsFrame, Utf8AcceptsBoundaryCodePoints) {
  for (std::string_view s :
       {"", "plain ascii", "\x7F", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF",
        "\xEE\x80\x80", "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF",
        "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4"
        "\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!"}) {
    EXPECT_TRUE(is_valid_utf8(s)) << testing::PrintToString(s);
  }
}

TEST(WsFrame, Utf8RejectsMalformedSequences) {
  for (std::string_view s : {
           "\x80",
           "\xBF",
           "\xC0\x80",
           "\xC1\xBF",  // stray continuation, overlong
           "\xE0\x80\x80",
           "\xE0\x9F\xBF",  // overlong 3-byte
           "\xF0\x80\x80\x80",
           "\xF0\x8F\xBF\xBF",  // overlong 4-byte
           "\xED\xA0\x80",
           "\xED\xBF\xBF",
           "\xED\xA0\x80\xED\xB0\x80",  // surrogates
           "\xF4\x90\x80\x80",
           "\xF5\x80\x80\x80",
           "\xF7\xBF\xBF\xBF",  // above U+10FFFF
           "\xF8\x88\x80\x80\x80",
           "\xFE",
           "\xFF",
           "\xC2",
           "\xE2\x82",
           "\xF0\x9F\x98",  // truncated
           "\xC2\x41",
           "\xE2\x28\xA1",
           "\xF0\x9F\x28\x80",  // bad continuation
       }) {
    EXPECT_FALSE(is_valid_utf8(s)) << testing::PrintToString(s);
  }
}

TEST(WsFrame, Utf8FindsAnInvalidByteAtAnyPositionOfLongInput) {
  for (std::size_t len : {15, 16, 17, 40}) {
    for (std::size_t i = 0; i < len; ++i) {
      std::string s(len, 'a');
      s[i] = '\x80';
      EXPECT_FALSE(is_valid_utf8(s)) << len << " " << i;
      s[i] = '\xE2';
      EXPECT_FALSE(is_valid_utf8(s)) << len << " " << i;
    }
    std::string tail(len, 'a');
    tail += "\xE2\x82\xAC";
    EXPECT_TRUE(is_valid_utf8(tail));
  }
}

// Reference validator: decodes each code point and checks the Unicode constraints directly.
bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80         ? 1
                            : c >> 5 == 0x6  ? 2
                            : c >> 4 == 0xE  ? 3
                            : c >> 3 == 0x1E ? 4
                                             : 0;
    if (len == 0 || i + len > s.size()) return false;
    std::uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const std::uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

TEST(WsFrame, Utf8AgreesWithReferenceOnRandomInput) {
  std::mt19937_64 rng(3);
  const std::string_view pieces[] = {"a",
                                     "hello world, ",
                                     "\xC3\xA9",
                                     "\xE2\x82\xAC",
                                     "\xF0\x9F\x98\x80",
                                     "\xF4\x8F\xBF\xBF",
                                     "\xED\x9F\xBF"};
  int invalid = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    const int parts = static_cast<int>(rng() % 12);
    for (int k = 0; k < parts; ++k) s += pieces[rng() % std::size(pieces)];
    // Corrupt some inputs with a random byte at a random position.
    if (rng() % 2 && !s.empty()) s[rng() % s.size()] = static_cast<char>(rng());
    const bool expected = reference_utf8(s);
    invalid += !expected;
    ASSERT_EQ(is_valid_utf8(s), expected) << testing::PrintToString(s);
  }
  EXPECT_GT(invalid, 1000);
}

TEST(WsFrame, TextMessagesMustBeValidUtf8) {
  EXPECT_EQ(decode(frame(Opcode::text, "\xC0\xAF")).error, FrameError::invalid_utf8);
  EXPECT_EQ(decode(client_frame(Opcode::text, "ok\xED\xA0\x80"), server()).error,
            FrameError::invalid_utf8);
  EXPECT_EQ(decode(frame(Opcode::text, "\xF4\x90\x80\x80")).error, FrameError::invalid_utf8);
  // Binary messages are not inspected.
  EXPECT_EQ(decode(frame(Opcode::binary, "\xC0\xAF")).error, ok);
  // Validation is on the reassembled message: a code point may straddle fragments...
  EXPECT_EQ(decode(frame(Opcode::text, "\xE2\x82", false) + frame(Opcode::ping, "") +
                   frame(Opcode::continuation, "\xAC")),
            (outcome({control(Opcode::ping, ""), message(Opcode::text, "\xE2\x82\xAC")})));
  // ...but a message that ends mid-sequence is rejected.
  EXPECT_EQ(decode(frame(Opcode::text, "a", false) + frame(Opcode::continuation, "\xE2\x82")),
            outcome({}, FrameError::invalid_utf8));
  // Earlier messages are still delivered.
  EXPECT_EQ(decode(frame(Opcode::text, "fine") + frame(Opcode::text, "\xFF")),
            (outcome({message(Opcode::text, "fine")}, FrameError::invalid_utf8)));
}

// --- decoder behaviour ----------------------------------------------------------------------

TEST(WsFrame, UnmaskedWholeFrameIsDeliveredWithoutCopy) {
  const std::string stream = frame(Opcode::binary, pattern_payload(1000)) +
                             frame(Opcode::text, "x", false) + frame(Opcode::continuation, "y");
  Recorder recorder;
  Decoder decoder(recorder, Role::client);
  ASSERT_EQ(decoder.feed(stream), ok);
  ASSERT_EQ(recorder.views.size(), 2u);
  EXPECT_EQ(recorder.views[0].data(), stream.data() + 4);
  EXPECT_EQ(recorder.events[1], message(Opcode::text, "xy"));
}

TEST(WsFrame, ErrorIsStickyAndReported) {
  Recorder recorder;
  Decoder decoder(recorder, Role::client);
  EXPECT_EQ(decoder.feed(frame(Opcode::text, "a")), ok);
  EXPECT_EQ(decoder.feed(bytes({0x83, 0x00})), FrameError::reserved_opcode);
  EXPECT_EQ(decoder.feed(frame(Opcode::text, "b")), FrameError::reserved_opcode);
  EXPECT_EQ(decoder.error(), FrameError::reserved_opcode);
  EXPECT_EQ(recorder.events.size(), 1u);
}

TEST(WsFrame, ErrorCodeCategory) {
  const std::error_code ec = FrameError::invalid_utf8;
  EXPECT_STREQ(ec.category().name(), "websocket-frame");
  EXPECT_EQ(&ec.category(), &frame_category());
  EXPECT_EQ(ec.message(), "text message is not valid UTF-8");
  EXPECT_TRUE(static_cast<bool>(make_error_code(FrameError::reserved_opcode)));
  for (int e = static_cast<int>(FrameError::reserved_opcode);
       e <= static_cast<int>(FrameError::invalid_utf8); ++e) {
    const std::string msg = make_error_code(static_cast<FrameError>(e)).message();
    EXPECT_FALSE(msg.empty());
    EXPECT_EQ(msg.find("unknown"), std::string::npos) << e;
  }
}

TEST(WsFrame, RandomRoundTrips) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 40; ++iter) {
    SCOPED_TRACE(iter);
    const Role role = rng() % 2 ? Role::server : Role::client;
    auto mask = [&]() -> std::optional<std::uint32_t> {
      if (role == Role::client) return std::nullopt;
      return static_cast<std::uint32_t>(rng());
    };
    std::string stream;
    Outcome expected;
    const int messages = 1 + static_cast<int>(rng() % 6);
    for (int m = 0; m < messages; ++m) {
      const Opcode op = rng() % 2 ? Opcode::binary : Opcode::text;
      std::string payload(rng() % 300, '\0');
      for (auto& c : payload) {
        c = static_cast<char>(op == Opcode::text ? 'A' + rng() % 58 : rng());
      }
      const std::size_t fragments = 1 + rng() % 4;
      std::size_t pos = 0;
      for (std::size_t f = 0; f < fragments; ++f) {
        const bool last = f + 1 == fragments;
        const std::size_t n = last ? payload.size() - pos : rng() % (payload.size() - pos + 1);
        append_frame(stream, f == 0 ? op : Opcode::continuation, payload.substr(pos, n), last,
                     mask());
        pos += n;
        if (last) expected.events.push_back(message(op, payload));
        if (rng() % 3 == 0) {
          const std::string ping(rng() % 126, 'p');
          append_frame(stream, Opcode::ping, ping, true, mask());
          expected.events.push_back(control(Opcode::ping, ping));
        }
      }
    }
    ASSERT_EQ(decode(stream, {role}), expected);
  }
}

}  // namespace
}  // namespace pushbench::ws
