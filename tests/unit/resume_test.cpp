// Resumable streams without sockets: how ResumeRegistry places a reconnect on the stream's
// schedule (start kept, first_seq after Last-Event-ID / last_seq, bounded replay, completion,
// capacity), and the resume / chat query parameters of StreamSpec.
#include <gtest/gtest.h>

#include <limits>

#include "core/contract/workload.hpp"
#include "servers/stream/resume_registry.hpp"

namespace pushbench {
namespace {

using server::ResumeRegistry;
using Outcome = ResumeRegistry::Outcome;

constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

StreamSpec named(const std::string& id, double rate = 100) {
  StreamSpec spec;
  spec.rate = rate;
  spec.stream_id = id;
  return spec;
}

TEST(ResumeRegistry, NewIdStartsNow) {
  ResumeRegistry reg(16, 10000);
  auto spec = named("a");
  EXPECT_EQ(reg.resolve(spec, std::nullopt, kT0), Outcome::stream);
  EXPECT_EQ(spec.start_ns, kT0);
  EXPECT_EQ(spec.first_seq, 0u);
}

TEST(ResumeRegistry, ReconnectKeepsTheStartAndContinuesAfterLast) {
  ResumeRegistry reg(16, 10000);
  auto first = named("a");
  ASSERT_EQ(reg.resolve(first, std::nullopt, kT0), Outcome::stream);
  auto again = named("a");
  EXPECT_EQ(reg.resolve(again, 4, kT0 + kSecond / 10), Outcome::stream);
  EXPECT_EQ(again.start_ns, kT0);
  EXPECT_EQ(again.first_seq, 5u);
  // Another id is a stream of its own.
  auto other = named("b");
  EXPECT_EQ(reg.resolve(other, std::nullopt, kT0 + kSecond), Outcome::stream);
  EXPECT_EQ(other.start_ns, kT0 + kSecond);
}

TEST(ResumeRegistry, HistoryBoundSkipsTheOldestEvents) {
  ResumeRegistry reg(16, 10);
  auto first = named("h");
  ASSERT_EQ(first.period_ns(), 10'000'000);
  ASSERT_EQ(reg.resolve(first, std::nullopt, kT0), Outcome::stream);
  // 100 events are due after 1 s; only the last 10 of them can be replayed.
  auto late = named("h");
  EXPECT_EQ(reg.resolve(late, 3, kT0 + kSecond), Outcome::stream);
  EXPECT_EQ(late.start_ns, kT0);
  EXPECT_EQ(late.first_seq, 90u);
  // Within the bound nothing is skipped.
  auto recent = named("h");
  EXPECT_EQ(reg.resolve(recent, 95, kT0 + kSecond), Outcome::stream);
  EXPECT_EQ(recent.first_seq, 96u);
}

TEST(ResumeRegistry, CountReachedIsComplete) {
  ResumeRegistry reg(16, 10000);
  auto first = named("c");
  first.count = 10;
  ASSERT_EQ(reg.resolve(first, std::nullopt, kT0), Outcome::stream);
  auto one_left = first;
  EXPECT_EQ(reg.resolve(one_left, 8, kT0 + kSecond), Outcome::stream);
  EXPECT_EQ(one_left.first_seq, 9u);
  auto done = first;
  EXPECT_EQ(reg.resolve(done, 9, kT0 + kSecond), Outcome::complete);
}

TEST(ResumeRegistry, DurationReachedIsComplete) {
  ResumeRegistry reg(16, 10000);
  auto first = named("d");
  first.duration_s = 1;  // events 0..99 at 100/s
  ASSERT_EQ(reg.resolve(first, std::nullopt, kT0), Outcome::stream);
  auto one_left = first;
  EXPECT_EQ(reg.resolve(one_left, 98, kT0 + 2 * kSecond), Outcome::stream);
  EXPECT_EQ(one_left.first_seq, 99u);
  auto done = first;
  EXPECT_EQ(reg.resolve(done, 99, kT0 + 2 * kSecond), Outcome::complete);
}

TEST(ResumeRegistry, FullWhenMaxStreamsAreRemembered) {
  ResumeRegistry reg(2, 10000);
  auto a = named("a");
  auto b = named("b");
  auto c = named("c");
  ASSERT_EQ(reg.resolve(a, std::nullopt, kT0), Outcome::stream);
  ASSERT_EQ(reg.resolve(b, std::nullopt, kT0), Outcome::stream);
  EXPECT_EQ(reg.resolve(c, std::nullopt, kT0), Outcome::full);
  // Known ids still resume.
  auto a2 = named("a");
  EXPECT_EQ(reg.resolve(a2, 1, kT0 + kSecond), Outcome::stream);
  EXPECT_EQ(a2.first_seq, 2u);
}

TEST(ResumeRegistry, OldStreamsAreForgottenBeforeRefusing) {
  ResumeRegistry reg(1, 10000);
  auto a = named("a");
  ASSERT_EQ(reg.resolve(a, std::nullopt, kT0), Outcome::stream);
  auto b = named("b");
  EXPECT_EQ(reg.resolve(b, std::nullopt, kT0 + kSecond), Outcome::full);
  // Eleven minutes later the old stream is forgotten to make room.
  auto c = named("c");
  EXPECT_EQ(reg.resolve(c, std::nullopt, kT0 + 660 * kSecond), Outcome::stream);
}

TEST(ResumeRegistry, AClaimBeyondTheScheduleIsClamped) {
  ResumeRegistry reg(10, 10000);
  auto a = named("a");
  ASSERT_EQ(reg.resolve(a, std::nullopt, kT0), Outcome::stream);
  auto a2 = named("a");
  ASSERT_EQ(reg.resolve(a2, std::numeric_limits<std::uint64_t>::max() - 1, kT0 + kSecond),
            Outcome::stream);
  // Not past the events due by now (and no wrap-around to a huge backlog).
  EXPECT_LE(a2.first_seq, static_cast<std::uint64_t>(a2.rate) + 1);
}

TEST(StreamSpecResume, QueryRoundTrip) {
  auto r = StreamSpec::parse_query(
      "rate=50&size=32&stream=room%2F7%20a&last_seq=41&drop_after=0.25&retry=20&echo=1");
  ASSERT_TRUE(std::holds_alternative<StreamSpec>(r)) << std::get<std::string>(r);
  const auto& s = std::get<StreamSpec>(r);
  EXPECT_EQ(s.stream_id, "room/7 a");
  EXPECT_EQ(s.last_seq, 41u);
  EXPECT_EQ(s.drop_after_s, 0.25);
  EXPECT_EQ(s.retry_ms, 20u);
  EXPECT_TRUE(s.echo);
  EXPECT_FALSE(s.start_ns);
  EXPECT_EQ(s.first_seq, 0u);
  const auto q = s.to_query();
  auto again = StreamSpec::parse_query(q);
  ASSERT_TRUE(std::holds_alternative<StreamSpec>(again)) << q;
  EXPECT_EQ(std::get<StreamSpec>(again), s) << q;

  auto off = StreamSpec::parse_query("echo=0&retry=0");
  ASSERT_TRUE(std::holds_alternative<StreamSpec>(off));
  EXPECT_FALSE(std::get<StreamSpec>(off).echo);
  EXPECT_EQ(std::get<StreamSpec>(off).retry_ms, 0u);
  EXPECT_EQ(std::get<StreamSpec>(off).to_query().find("echo"), std::string::npos);
  auto max_id = StreamSpec::parse_query("stream=" + std::string(64, 'x'));
  ASSERT_TRUE(std::holds_alternative<StreamSpec>(max_id));
  EXPECT_EQ(std::get<StreamSpec>(max_id).stream_id->size(), 64u);
}

TEST(StreamSpecResume, BadValuesAreClearErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"echo=2", "echo must be 0 or 1"},
      {"echo=", "echo must be 0 or 1"},
      {"drop_after=0", "drop_after must be"},
      {"drop_after=-1", "drop_after must be"},
      {"drop_after=abc", "drop_after must be"},
      {"retry=-1", "retry must be"},
      {"retry=3600001", "retry must be"},
      {"stream=", "stream must be 1 to 64 characters"},
      {"stream=" + std::string(65, 'x'), "stream must be 1 to 64 characters"},
      {"last_seq=-3", "last_seq must be"},
  };
  for (const auto& [query, message] : cases) {
    auto r = StreamSpec::parse_query(query);
    ASSERT_TRUE(std::holds_alternative<std::string>(r)) << query;
    EXPECT_NE(std::get<std::string>(r).find(message), std::string::npos)
        << query << " -> " << std::get<std::string>(r);
  }
}

}  // namespace
}  // namespace pushbench
