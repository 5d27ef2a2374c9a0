#include <gtest/gtest.h>

#include <climits>
#include <optional>
#include <regex>
#include <utility>
#include <vector>

#include "core/contract/event.hpp"
#include "core/contract/workload.hpp"

namespace pushbench {
namespace {

TEST(EventContract, ExactSizeValidJsonAndVerifiable) {
  for (auto kind : {PayloadKind::json, PayloadKind::text, PayloadKind::random}) {
    for (std::size_t size : {0u, 10u, 60u, 64u, 100u, 256u, 1024u, 65536u}) {
      std::string data;
      append_event_data(data, {42, 1700000000000000000, 1700000000000000123}, kind, size);
      const auto h = parse_event_header(data);
      ASSERT_TRUE(h);
      EXPECT_EQ(h->seq, 42u);
      EXPECT_EQ(h->ts, 1700000000000000000);
      EXPECT_EQ(h->st, 1700000000000000123);
      if (size >= 80) EXPECT_EQ(data.size(), size) << to_string(kind);
      EXPECT_EQ(data.find('\n'), std::string::npos);
      EXPECT_EQ(data.find('\r'), std::string::npos);
      EXPECT_EQ(data.back(), '}');
      EXPECT_TRUE(verify_event_data(data, kind, size));
      // Any changed byte of the padding is detected.
      if (data.size() > 70) {
        std::string bad = data;
        bad[data.size() - 5] ^= 1;
        EXPECT_FALSE(verify_event_data(bad, kind, size));
      }
    }
  }
}

/// FNV-1a over every event of a grid of kinds, sizes and headers, each followed by a NUL.
std::uint64_t contract_digest() {
  std::uint64_t h = 0xcbf29ce484222325u;
  std::string data;
  const auto add = [&] {
    for (const char c : data) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3u;
    h = (h ^ 0) * 0x100000001b3u;
  };
  // Times: ordinary, without st, and the extremes (the longest header: 79 characters).
  const std::int64_t kTs = 1700000000000000000;
  const std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> times = {
      {kTs, std::nullopt}, {kTs, kTs + 1500}, {INT64_MIN, INT64_MIN}, {-1, std::nullopt}};
  for (auto kind : {PayloadKind::json, PayloadKind::text, PayloadKind::random}) {
    for (std::size_t size = 0; size <= 1100; size += (size < 300 ? 1 : 37)) {
      for (const std::uint64_t seq : {0ull, 1ull, 9ull, 10ull, 12345ull, 18446744073709551615ull}) {
        for (const auto& [ts, st] : times) {
          data.clear();
          append_event_data(data, {seq, ts + static_cast<std::int64_t>(seq % 1000) * (ts > 0), st},
                            kind, size);
          add();
        }
      }
    }
  }
  const PayloadLines lines = {"{\"a\":1}", "plain text", "with \"quote\" and \\ backslash"};
  for (const std::size_t size : {std::size_t{0}, std::size_t{64}, std::size_t{1} << 20}) {
    for (std::uint64_t seq = 0; seq < 6; ++seq) {
      data.clear();
      append_event_data(data, {seq, kTs, kTs + 7}, PayloadKind::file, size, &lines);
      add();
    }
  }
  return h;
}

TEST(EventContract, EveryByteIsTheContractsOwn) {
  // The digest of what append_event_data wrote before it was made faster (2026-12-08; the old
  // code over this grid): a change of any byte of any event, which receivers verify
  // (--verify-payload) and compress, shows here.
  EXPECT_EQ(contract_digest(), 17658498947537748885u);
}

TEST(EventContract, HeaderParsing) {
  EXPECT_FALSE(parse_event_header(""));
  EXPECT_FALSE(parse_event_header("{\"seq\":x"));
  EXPECT_FALSE(parse_event_header("{\"seq\":1}"));
  EXPECT_FALSE(parse_event_header("{\"seq\":-1,\"ts\":5}"));
  EXPECT_FALSE(parse_event_header("{\"ts\":1,\"seq\":5}"));
  auto h = parse_event_header("{\"seq\":7,\"ts\":-5}");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->ts, -5);
  EXPECT_FALSE(h->st);
  EXPECT_FALSE(parse_event_header("{\"seq\":7,\"ts\":5,\"st\":}"));
}

TEST(EventContract, PayloadKindsDifferInCompressibility) {
  std::string json, random;
  append_event_data(json, {1, 2, 3}, PayloadKind::json, 4096);
  append_event_data(random, {1, 2, 3}, PayloadKind::random, 4096);
  EXPECT_NE(json.find("\"sym\":"), std::string::npos);
  EXPECT_EQ(random.find(' '), std::string::npos);
}

TEST(StreamSpec, ParsesAndRoundTrips) {
  auto r = StreamSpec::parse_query(
      "rate=250.5&size=1024&payload=text&count=10&topic=a%20b&keepalive=2.5");
  ASSERT_TRUE(std::holds_alternative<StreamSpec>(r));
  auto s = std::get<StreamSpec>(r);
  EXPECT_DOUBLE_EQ(s.rate, 250.5);
  EXPECT_EQ(s.size, 1024u);
  EXPECT_EQ(s.payload, PayloadKind::text);
  EXPECT_EQ(s.count, 10u);
  EXPECT_EQ(s.topic, "a b");
  EXPECT_EQ(s.keepalive_s, 2.5);
  auto again = StreamSpec::parse_query(s.to_query());
  ASSERT_TRUE(std::holds_alternative<StreamSpec>(again));
  EXPECT_EQ(std::get<StreamSpec>(again), s);
  EXPECT_TRUE(std::holds_alternative<StreamSpec>(StreamSpec::parse_query("")));
}

TEST(StreamSpec, RejectsBadInputWithAReason) {
  for (const char* q : {"rate=0", "rate=-3", "rate=nan", "rate=1e7", "rate=", "size=-1",
                        "size=2000000", "size=1.5", "payload=xml", "count=abc", "duration=0",
                        "duration=1e9", "topic=", "nope=1", "rate=%4", "rate=%zz", "keepalive=0",
                        "keepalive=x", "keepalive=1e9"}) {
    auto r = StreamSpec::parse_query(q);
    ASSERT_TRUE(std::holds_alternative<std::string>(r)) << q;
    EXPECT_FALSE(std::get<std::string>(r).empty());
  }
}

TEST(StreamSpec, Schedule) {
  StreamSpec s;
  s.rate = 1000;
  EXPECT_EQ(s.period_ns(), 1'000'000);
  EXPECT_EQ(s.intended_ns(100, 3), 3'000'100);
}

TEST(StreamSpec, NumbersAreWrittenWithoutExponents) {
  // Shortest round-trip form would be "1e+05": '+' decodes as a space and the server said 400.
  for (double rate : {100000.0, 200000.0, 1e6, 0.001, 250.5, 1.0}) {
    StreamSpec s;
    s.rate = rate;
    s.duration_s = rate / 1e3;
    const auto q = s.to_query();
    EXPECT_FALSE(std::regex_search(q, std::regex("[0-9.][eE][-+]?[0-9]"))) << q;
    EXPECT_EQ(q.find('+'), std::string::npos) << q;
    auto back = StreamSpec::parse_query(q);
    ASSERT_TRUE(std::holds_alternative<StreamSpec>(back)) << q << ": " << std::get<std::string>(back);
    EXPECT_DOUBLE_EQ(std::get<StreamSpec>(back).rate, rate);
  }
  EXPECT_EQ(format_number(100000), "100000");
  EXPECT_EQ(format_number(0.25), "0.25");
}

TEST(StreamSpec, EpochIsAScheduleGrid) {
  auto r = StreamSpec::parse_query("rate=100&epoch=1000000000000");
  ASSERT_TRUE(std::holds_alternative<StreamSpec>(r));
  const auto s = std::get<StreamSpec>(r);
  ASSERT_EQ(s.epoch_ns, 1'000'000'000'000);
  EXPECT_EQ(StreamSpec::parse_query(s.to_query()), decltype(r)(s));
  // Period 10 ms: a stream begun before the epoch waits for it; one begun later takes the next
  // grid point, never an earlier one.
  EXPECT_EQ(s.first_due_ns(1), 1'000'000'000'000);
  EXPECT_EQ(s.first_due_ns(1'000'000'000'000), 1'000'000'000'000);
  EXPECT_EQ(s.first_due_ns(1'000'000'000'001), 1'000'010'000'000);
  EXPECT_EQ(s.first_due_ns(1'000'025'000'000), 1'000'030'000'000);
  StreamSpec none;
  EXPECT_EQ(none.first_due_ns(12345), 12345);
  for (const char* q : {"epoch=0", "epoch=-5", "epoch=1.5", "epoch=x", "epoch="}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(StreamSpec::parse_query(q))) << q;
  }
}

TEST(RawHandshake, Parses) {
  StreamSpec s;
  const auto line = raw_handshake_line(s);
  EXPECT_EQ(line.back(), '\n');
  auto q = parse_raw_handshake(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, s.to_query());
  EXPECT_FALSE(parse_raw_handshake("GET / HTTP/1.1"));
}

}  // namespace
}  // namespace pushbench
