#include "core/codec/sse_encoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec/sse_parser.hpp"

namespace pushbench::sse {
namespace {

// An event as seen by the parser.
struct Parsed {
  std::string type;
  std::string data;
  std::string id;

  bool operator==(const Parsed&) const = default;
};

void PrintTo(const Parsed& p, std::ostream* os) {
  *os << "{type=" << testing::PrintToString(p.type) << " data=" << testing::PrintToString(p.data)
      << " id=" << testing::PrintToString(p.id) << "}";
}

// Everything observable from parsing a stream.
struct Parsing {
  std::vector<Parsed> events;
  std::vector<std::string> comments;
  std::vector<std::uint64_t> retries;
  bool failed = false;

  bool operator==(const Parsing&) const = default;
};

class Collector : public Handler {
 public:
  explicit Collector(Parsing& out) : out_(out) {}
  void on_event(const Event& e) override {
    out_.events.push_back({std::string(e.type), std::string(e.data), std::string(e.id)});
  }
  void on_retry(std::uint64_t ms) override { out_.retries.push_back(ms); }
  void on_comment(std::string_view text) override { out_.comments.emplace_back(text); }

 private:
  Parsing& out_;
};

Parsing parse(const std::vector<std::string_view>& chunks) {
  Parsing out;
  Collector collector(out);
  Parser parser(collector);
  for (std::string_view c : chunks) out.failed |= static_cast<bool>(parser.feed(c));
  return out;
}

// Parses `stream` whole, split in two at every point and byte at a time; expects all to agree.
Parsing parse_every_split(std::string_view stream) {
  const Parsing whole = parse({stream});
  EXPECT_FALSE(whole.failed);
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    const Parsing split = parse({stream.substr(0, i), stream.substr(i)});
    if (split != whole) {
      ADD_FAILURE() << "split at " << i << " of " << testing::PrintToString(std::string(stream));
      return whole;
    }
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < stream.size(); ++i) bytes.push_back(stream.substr(i, 1));
  EXPECT_EQ(parse(bytes), whole) << "byte at a time";
  return whole;
}

// `data` with CRLF and lone CR replaced by LF.
std::string normalize(std::string_view data) {
  std::string out;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < data.size() && data[i + 1] == '\n') ++i;
    } else {
      out.push_back(data[i]);
    }
  }
  return out;
}

std::string encode(std::string_view data, std::string_view id = {}, std::string_view type = {}) {
  std::string out;
  append_event(out, data, id, type);
  return out;
}

void expect_round_trip(std::string_view data, std::string_view id, std::string_view type) {
  SCOPED_TRACE("data=" + testing::PrintToString(std::string(data)) +
               " id=" + testing::PrintToString(std::string(id)) +
               " type=" + testing::PrintToString(std::string(type)));
  const std::string wire = encode(data, id, type);
  EXPECT_EQ(wire.size(), encoded_size(data, id, type));
  const Parsing p = parse_every_split(wire);
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0], (Parsed{type.empty() ? "message" : std::string(type), normalize(data),
                                 std::string(id)}));
  EXPECT_TRUE(p.comments.empty());
  EXPECT_TRUE(p.retries.empty());
}

std::vector<std::string> sample_data() {
  std::vector<std::string> v = {
      "",
      "x",
      "hello world",
      "{\"seq\":123,\"ts\":1700000000000000000,\"st\":1700000000000000100,\"p\":\"abc\"}",
      "\n",
      "\n\n",
      "\r",
      "\r\n",
      "\r\r",
      "\n\r",
      "a\nb",
      "a\rb",
      "a\r\nb",
      "a\n\rb",
      "a\n",
      "\na",
      "a\r",
      "\ra",
      "a\r\n",
      "line1\nline2\r\nline3\rline4\n\nline6",
      " leading space",
      "  two leading spaces",
      "\tleading tab",
      "trailing space ",
      ": looks like a comment",
      "data: looks like a field",
      "\xEF\xBB\xBF"
      "bom inside",
      std::string("nul\0inside", 10),
      "unicode \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80",
      "\n \n  \n",
      std::string(100, '\n'),
      std::string(3000, 'p'),
  };
  std::string mixed;
  for (int i = 0; i < 200; ++i)
    mixed += "row " + std::to_string(i) + (i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r");
  v.push_back(mixed);
  std::mt19937 rng(12345);
  const std::string alphabet = "ab :\r\n\r\n\0x";
  for (int n = 0; n < 40; ++n) {
    std::string s(rng() % 24, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    v.push_back(s);
  }
  return v;
}

TEST(SseEncoder, FormatDataOnly) {
  EXPECT_EQ(encode("hello"), "data: hello\n\n");
}

TEST(SseEncoder, FormatWithIdAndType) {
  EXPECT_EQ(encode("hello", "42", "tick"), "event: tick\nid: 42\ndata: hello\n\n");
}

TEST(SseEncoder, FormatEmptyData) {
  EXPECT_EQ(encode(""), "data: \n\n");
}

TEST(SseEncoder, FormatMultiLine) {
  EXPECT_EQ(encode("a\nb\r\nc\rd", "1"), "id: 1\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  EXPECT_EQ(encode("a\n"), "data: a\ndata: \n\n");
}

TEST(SseEncoder, AppendsWithoutClobbering) {
  std::string out = "prefix";
  append_event(out, "x", "1");
  EXPECT_EQ(out, "prefixid: 1\ndata: x\n\n");
}

TEST(SseEncoder, EncodedSizeMatchesOutput) {
  for (const std::string& data : sample_data()) {
    for (std::string_view id : {"", "1", "abc def"}) {
      for (std::string_view type : {"", "update"}) {
        EXPECT_EQ(encoded_size(data, id, type), encode(data, id, type).size());
      }
    }
  }
}

TEST(SseEncoder, RoundTripData) {
  for (const std::string& data : sample_data()) expect_round_trip(data, "", "");
}

TEST(SseEncoder, RoundTripWithIdAndType) {
  for (const std::string& data : sample_data()) {
    expect_round_trip(data, "7", "update");
    expect_round_trip(data, " spaced id ", " spaced type");
    expect_round_trip(data, "1700000000000000000", "");
  }
}

TEST(SseEncoder, RoundTripLargeData) {
  std::string data;
  for (int i = 0; data.size() < 100000; ++i)
    data += "chunk " + std::to_string(i) + (i % 50 ? "," : "\n");
  const std::string wire = encode(data, "big", "bulk");
  ASSERT_EQ(wire.size(), encoded_size(data, "big", "bulk"));
  const Parsing whole = parse({wire});
  ASSERT_EQ(whole.events, (std::vector<Parsed>{{"bulk", data, "big"}}));
  for (std::size_t i = 0; i <= wire.size(); i += 997) {
    EXPECT_EQ(parse({std::string_view(wire).substr(0, i), std::string_view(wire).substr(i)}),
              whole);
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < wire.size(); ++i)
    bytes.push_back(std::string_view(wire).substr(i, 1));
  EXPECT_EQ(parse(bytes), whole);
}

TEST(SseEncoder, RoundTripStreamOfEvents) {
  std::string wire;
  std::vector<Parsed> expected;
  append_retry(wire, 1500);
  int n = 0;
  for (const std::string& data : sample_data()) {
    if (n % 5 == 0) append_comment(wire, "keep-alive");
    const std::string id = std::to_string(++n);
    const std::string type = n % 2 ? "" : "even";
    append_event(wire, data, id, type);
    expected.push_back({type.empty() ? "message" : type, normalize(data), id});
  }
  const Parsing p = parse_every_split(wire);
  EXPECT_EQ(p.events, expected);
  EXPECT_EQ(p.retries, std::vector<std::uint64_t>{1500});
  EXPECT_EQ(p.comments.size(), static_cast<std::size_t>((n + 4) / 5));
}

TEST(SseEncoder, EmptyIdKeepsPreviousId) {
  std::string wire;
  append_event(wire, "a", "5");
  append_event(wire, "b");
  const Parsing p = parse_every_split(wire);
  EXPECT_EQ(p.events, (std::vector<Parsed>{{"message", "a", "5"}, {"message", "b", "5"}}));
}

TEST(SseEncoder, Comment) {
  std::string out;
  append_comment(out, "keep-alive");
  EXPECT_EQ(out, ": keep-alive\n");
  const Parsing p = parse_every_split(out);
  EXPECT_EQ(p.comments, std::vector<std::string>{" keep-alive"});
  EXPECT_TRUE(p.events.empty());
}

TEST(SseEncoder, EmptyComment) {
  std::string out;
  append_comment(out, "");
  EXPECT_EQ(out, ": \n");
}

TEST(SseEncoder, MultiLineCommentStaysComment) {
  std::string out;
  append_comment(out, "a\ndata: injected\r\n");
  EXPECT_EQ(out, ": a\n: data: injected\n: \n");
  const Parsing p = parse_every_split(out + "\n");
  EXPECT_EQ(p.comments, (std::vector<std::string>{" a", " data: injected", " "}));
  EXPECT_TRUE(p.events.empty());
}

TEST(SseEncoder, Retry) {
  for (std::uint64_t ms : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{3000}, UINT64_MAX}) {
    std::string out;
    append_retry(out, ms);
    EXPECT_EQ(out, "retry: " + std::to_string(ms) + "\n");
    const Parsing p = parse_every_split(out);
    EXPECT_EQ(p.retries, std::vector<std::uint64_t>{ms});
  }
}

}  // namespace
}  // namespace pushbench::sse
