#include "core/codec/sse_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pushbench::sse {
namespace {

using namespace std::string_view_literals;

// One recorded callback (or the parser's first error).
struct Call {
  // "event", "retry", "comment" or "error".
  std::string kind;
  // Event type, comment text or error message.
  std::string text;
  // Event data.
  std::string data;
  // Event id.
  std::string id;
  // Retry value.
  std::uint64_t ms = 0;

  bool operator==(const Call&) const = default;
};

void PrintTo(const Call& c, std::ostream* os) {
  *os << c.kind << "{" << testing::PrintToString(c.text) << ", " << testing::PrintToString(c.data)
      << ", " << testing::PrintToString(c.id) << ", " << c.ms << "}";
}

Call ev(std::string data, std::string id = "", std::string type = "message") {
  return {"event", std::move(type), std::move(data), std::move(id), 0};
}
Call retry(std::uint64_t ms) {
  return {"retry", "", "", "", ms};
}
Call comment(std::string text) {
  return {"comment", std::move(text), "", "", 0};
}
Call error(ParseError e) {
  return {"error", make_error_code(e).message(), "", "", 0};
}

// Everything observable after feeding a stream.
struct Outcome {
  // Callbacks in order, followed by the first error returned by feed(), if any.
  std::vector<Call> calls;
  // Parser state after the last feed().
  std::string last_event_id;
  std::optional<std::uint64_t> retry_ms;
  std::uint64_t events_dispatched = 0;

  bool operator==(const Outcome&) const = default;
};

void PrintTo(const Outcome& o, std::ostream* os) {
  *os << testing::PrintToString(o.calls)
      << " last_event_id=" << testing::PrintToString(o.last_event_id)
      << " retry_ms=" << (o.retry_ms ? std::to_string(*o.retry_ms) : "none")
      << " events_dispatched=" << o.events_dispatched;
}

class Recorder : public Handler {
 public:
  explicit Recorder(std::vector<Call>& calls) : calls_(calls) {}

  void on_event(const Event& e) override {
    calls_.push_back({"event", std::string(e.type), std::string(e.data), std::string(e.id), 0});
  }
  void on_retry(std::uint64_t ms) override { calls_.push_back(retry(ms)); }
  void on_comment(std::string_view text) override { calls_.push_back(comment(std::string(text))); }

 private:
  std::vector<Call>& calls_;
};

// Feeds `chunks` in order to `parser`, recording the first error into `calls`.
void feed_all(Parser& parser, std::vector<Call>& calls,
              const std::vector<std::string_view>& chunks) {
  bool failed = false;
  for (std::string_view chunk : chunks) {
    const std::error_code ec = parser.feed(chunk);
    if (ec && !failed) {
      failed = true;
      calls.push_back({"error", ec.message(), "", "", 0});
    }
  }
}

Outcome run(const std::vector<std::string_view>& chunks, std::size_t max_line) {
  Outcome out;
  Recorder recorder(out.calls);
  Parser parser(recorder, max_line);
  feed_all(parser, out.calls, chunks);
  out.last_event_id = parser.last_event_id();
  out.retry_ms = parser.retry_ms();
  out.events_dispatched = parser.events_dispatched();
  return out;
}

std::string describe(const std::vector<std::string_view>& chunks) {
  std::string s;
  for (std::string_view c : chunks) s += std::to_string(c.size()) + " ";
  return "chunk sizes: " + s;
}

// Parses `input` whole, split in two at every point, split in three at every pair of points (for
// short inputs), byte at a time and byte at a time with empty feeds in between; expects each to
// produce the same outcome as the whole feed, whose callbacks must equal `expected`. Returns the
// outcome of the whole feed.
Outcome expect_every_split(std::string_view input, const std::vector<Call>& expected,
                           std::size_t max_line = 1 << 20) {
  const Outcome whole = run({input}, max_line);
  EXPECT_EQ(whole.calls, expected) << "whole input";
  const std::size_t n = input.size();
  auto check = [&](const std::vector<std::string_view>& chunks) {
    const Outcome got = run(chunks, max_line);
    EXPECT_EQ(got, whole) << describe(chunks);
    return got == whole;
  };
  for (std::size_t i = 0; i <= n; ++i) {
    if (!check({input.substr(0, i), input.substr(i)})) return whole;
  }
  if (n <= 64) {
    for (std::size_t i = 0; i <= n; ++i) {
      for (std::size_t j = i; j <= n; ++j) {
        if (!check({input.substr(0, i), input.substr(i, j - i), input.substr(j)})) return whole;
      }
    }
  }
  std::vector<std::string_view> bytes, bytes_and_empties;
  for (std::size_t i = 0; i < n; ++i) {
    bytes.push_back(input.substr(i, 1));
    bytes_and_empties.push_back({});
    bytes_and_empties.push_back(input.substr(i, 1));
  }
  bytes_and_empties.push_back({});
  if (!check(bytes)) return whole;
  check(bytes_and_empties);
  return whole;
}

TEST(SseParser, SingleEvent) {
  const Outcome o = expect_every_split("data: hello\n\n", {ev("hello")});
  EXPECT_EQ(o.events_dispatched, 1u);
  EXPECT_EQ(o.last_event_id, "");
  EXPECT_EQ(o.retry_ms, std::nullopt);
}

TEST(SseParser, DefaultTypeIsMessage) {
  expect_every_split("data:x\n\n", {ev("x", "", "message")});
}

TEST(SseParser, EmptyInputDoesNothing) {
  const Outcome o = expect_every_split("", {});
  EXPECT_EQ(o.events_dispatched, 0u);
}

TEST(SseParser, LineEndingLf) {
  expect_every_split("data: a\ndata: b\n\n", {ev("a\nb")});
}

TEST(SseParser, LineEndingCr) {
  expect_every_split("data: a\rdata: b\r\r", {ev("a\nb")});
}

TEST(SseParser, LineEndingCrLf) {
  expect_every_split("data: a\r\ndata: b\r\n\r\n", {ev("a\nb")});
}

TEST(SseParser, MixedLineEndings) {
  expect_every_split("data: a\r\ndata: b\rdata: c\n\r\ndata: d\n\rdata: e\r\n\n",
                     {ev("a\nb\nc"), ev("d"), ev("e")});
}

TEST(SseParser, CrLfIsOneLineEndEvenAcrossFeeds) {
  // CR then LF is one terminator; if they counted twice "data: a" would dispatch early.
  expect_every_split("data: a\r\ndata: b\r\n\r\n", {ev("a\nb")});
  EXPECT_EQ(run({"data: a\r", "\ndata: b\r", "\n\r", "\n"}, 1 << 20).calls,
            std::vector<Call>{ev("a\nb")});
}

TEST(SseParser, CrCrIsTwoLineEnds) {
  expect_every_split("data: a\r\rdata: b\r\r", {ev("a"), ev("b")});
}

TEST(SseParser, LfCrIsTwoLineEnds) {
  expect_every_split("data: a\n\rdata: b\n\r", {ev("a"), ev("b")});
}

TEST(SseParser, CrAtEndOfFeedThenNonLf) {
  EXPECT_EQ(run({"data: a\r", "\r", "data: b\r", "x\r\r"}, 1 << 20).calls,
            (std::vector<Call>{ev("a"), ev("b")}));
  expect_every_split("data: a\r\rdata: b\rx\r\r", {ev("a"), ev("b")});
}

TEST(SseParser, LfAfterCrOnlySkippedOnce) {
  // The first LF completes the CRLF; the second is a blank line.
  EXPECT_EQ(run({"data: a\r", "\n", "\n"}, 1 << 20).calls, std::vector<Call>{ev("a")});
  EXPECT_EQ(run({"data: a\r", "", "\n", "", "\n"}, 1 << 20).calls, std::vector<Call>{ev("a")});
}

TEST(SseParser, BomDroppedAtStart) {
  expect_every_split(
      "\xEF\xBB\xBF"
      "data: x\n\n",
      {ev("x")});
}

TEST(SseParser, BomSplitAcrossFeeds) {
  EXPECT_EQ(run({"\xEF", "\xBB", "\xBF", "data: x\n\n"}, 1 << 20).calls,
            std::vector<Call>{ev("x")});
  EXPECT_EQ(run({"", "\xEF\xBB", "",
                 "\xBF"
                 "data: x\n\n"},
                1 << 20)
                .calls,
            std::vector<Call>{ev("x")});
}

TEST(SseParser, BomOnlyStream) {
  expect_every_split("\xEF\xBB\xBF", {});
}

TEST(SseParser, SecondBomIsNotDropped) {
  // Only one BOM is dropped; the second becomes part of the field name, which is then unknown.
  expect_every_split(
      "\xEF\xBB\xBF\xEF\xBB\xBF"
      "data: x\n\n",
      {});
  expect_every_split(
      "\xEF\xBB\xBF"
      "data: a\n\n\xEF\xBB\xBF"
      "data: b\n\ndata: c\n\n",
      {ev("a"), ev("c")});
}

TEST(SseParser, BomPrefixThatIsNotABomIsContent) {
  // A partial BOM followed by something else is ordinary line content: it makes the field name
  // unknown and counts toward the line limit.
  expect_every_split(
      "\xEF\xBB\xBE"
      "data: x\n\n",
      {});
  expect_every_split(
      "\xEF\xBB"
      "data: x\n\n",
      {});
  expect_every_split(
      "\xEF"
      "data: x\n\n",
      {});
  expect_every_split(
      "\xEF\xBB"
      "ab\n",
      {error(ParseError::line_too_long)}, 3);
  expect_every_split(
      "\xEF\xBB\xBF"
      "abc\n",
      {}, 3);
}

TEST(SseParser, PartialBomEndsWithItsLine) {
  expect_every_split(
      "\xEF"
      "\n"
      "data: x\n\n",
      {ev("x")});
  expect_every_split("\xEF\xBB\n:c\n", {comment("c")});
}

TEST(SseParser, BomNotDroppedLater) {
  // A BOM that is not at the very start of the stream is kept.
  expect_every_split(
      "\n\xEF\xBB\xBF"
      "data: x\n\n",
      {});
  expect_every_split(":\xEF\xBB\xBF\n", {comment("\xEF\xBB\xBF")});
}

TEST(SseParser, Comments) {
  expect_every_split(
      ": keep-alive\n:\n::x\ndata: a\n: in block\n\n",
      {comment(" keep-alive"), comment(""), comment(":x"), comment(" in block"), ev("a")});
}

TEST(SseParser, CommentAloneDispatchesNothing) {
  const Outcome o = expect_every_split(": ping\n\n", {comment(" ping")});
  EXPECT_EQ(o.events_dispatched, 0u);
}

TEST(SseParser, FieldWithoutColonHasEmptyValue) {
  expect_every_split("data\n\n", {ev("")});
  expect_every_split("data\ndata\n\n", {ev("\n")});
  expect_every_split("event\ndata: x\n\n", {ev("x", "", "message")});
}

TEST(SseParser, IdWithoutColonResetsId) {
  expect_every_split("id: 1\ndata: a\n\nid\ndata: b\n\n", {ev("a", "1"), ev("b", "")});
}

TEST(SseParser, OnlyOneLeadingSpaceStripped) {
  expect_every_split("data:  two\ndata:no\ndata: \tt\ndata:   \n\n", {ev(" two\nno\n\tt\n  ")});
}

TEST(SseParser, OnlySpaceIsStrippedNotTab) {
  expect_every_split("data:\tx\n\n", {ev("\tx")});
}

TEST(SseParser, ColonsInValueKept) {
  expect_every_split("data: a: b:c\nevent: x:y\n\n", {ev("a: b:c", "", "x:y")});
}

TEST(SseParser, TrailingSpacesKept) {
  expect_every_split("data: a  \n\n", {ev("a  ")});
}

TEST(SseParser, MultiLineData) {
  expect_every_split("data: line1\ndata: line2\ndata: line3\n\n", {ev("line1\nline2\nline3")});
}

TEST(SseParser, EmptyDataLineDispatchesEmptyData) {
  const Outcome o = expect_every_split("data:\n\n", {ev("")});
  EXPECT_EQ(o.events_dispatched, 1u);
  expect_every_split("data: \n\n", {ev("")});
}

TEST(SseParser, TwoEmptyDataLinesGiveNewline) {
  expect_every_split("data\ndata\n\n", {ev("\n")});
  expect_every_split("data:\ndata:\n\n", {ev("\n")});
  expect_every_split("data: a\ndata:\n\n", {ev("a\n")});
  expect_every_split("data:\ndata: a\n\n", {ev("\na")});
}

TEST(SseParser, OnlyLastNewlineRemoved) {
  expect_every_split("data:\ndata:\ndata:\n\n", {ev("\n\n")});
}

TEST(SseParser, BlankLineWithoutDataDispatchesNothing) {
  const Outcome o = expect_every_split("\n\n\r\n\r\n", {});
  EXPECT_EQ(o.events_dispatched, 0u);
}

TEST(SseParser, IdOnlyBlockSetsIdWithoutDispatch) {
  const Outcome o = expect_every_split("id: 7\n\n", {});
  EXPECT_EQ(o.last_event_id, "7");
  EXPECT_EQ(o.events_dispatched, 0u);
}

TEST(SseParser, IdOnlyBlockAppliesToLaterEvents) {
  expect_every_split("id: 7\n\ndata: a\n\n", {ev("a", "7")});
}

TEST(SseParser, IdPersistsAcrossEvents) {
  const Outcome o = expect_every_split("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\ndata: d\n\n",
                                       {ev("a", "1"), ev("b", "1"), ev("c", "2"), ev("d", "2")});
  EXPECT_EQ(o.last_event_id, "2");
}

TEST(SseParser, IdAfterDataInSameBlockApplies) {
  expect_every_split("data: a\nid: 5\n\n", {ev("a", "5")});
}

TEST(SseParser, LastIdFieldInBlockWins) {
  expect_every_split("id: 1\nid: 2\ndata: a\n\n", {ev("a", "2")});
}

TEST(SseParser, EmptyIdResetsId) {
  const Outcome o = expect_every_split("id: 1\ndata: a\n\nid:\ndata: b\n\nid: 3\nid: \ndata: c\n\n",
                                       {ev("a", "1"), ev("b", ""), ev("c", "")});
  EXPECT_EQ(o.last_event_id, "");
}

TEST(SseParser, IdWithNulIgnored) {
  const Outcome o =
      expect_every_split("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\nid: \0\ndata: c\n\n"sv,
                         {ev("a", "1"), ev("b", "1"), ev("c", "1")});
  EXPECT_EQ(o.last_event_id, "1");
}

TEST(SseParser, NulAllowedInData) {
  expect_every_split("data: a\0b\n\n"sv, {ev(std::string("a\0b"sv))});
}

TEST(SseParser, IdWithSpacesKept) {
  expect_every_split("id:  a b \ndata: x\n\n", {ev("x", " a b ")});
}

TEST(SseParser, EventTypeSet) {
  expect_every_split("event: update\ndata: a\n\n", {ev("a", "", "update")});
}

TEST(SseParser, EventTypeResetAfterDispatch) {
  expect_every_split("event: update\ndata: a\n\ndata: b\n\n",
                     {ev("a", "", "update"), ev("b", "", "message")});
}

TEST(SseParser, EventTypeResetByBlockWithoutData) {
  // The type of a block that dispatched nothing does not leak into the next block.
  expect_every_split("event: lost\n\ndata: b\n\n", {ev("b", "", "message")});
}

TEST(SseParser, EmptyEventTypeIsMessage) {
  expect_every_split("event: x\nevent:\ndata: a\n\n", {ev("a", "", "message")});
}

TEST(SseParser, LastEventFieldWins) {
  expect_every_split("event: a\nevent: b\ndata: x\n\n", {ev("x", "", "b")});
}

TEST(SseParser, RetryValid) {
  const Outcome o = expect_every_split("retry: 3000\n", {retry(3000)});
  EXPECT_EQ(o.retry_ms, 3000u);
  expect_every_split("retry:0\nretry:0042\n", {retry(0), retry(42)});
}

TEST(SseParser, RetryDoesNotDispatch) {
  const Outcome o = expect_every_split("retry: 10\n\n", {retry(10)});
  EXPECT_EQ(o.events_dispatched, 0u);
}

TEST(SseParser, RetryInvalidIgnored) {
  const Outcome o = expect_every_split(
      "retry: 12a\nretry:\nretry: \nretry\nretry: -1\nretry: +1\nretry: 1 \nretry:  1\n"
      "retry: 1.5\nretry: \xD9\xA1\n",
      {});
  EXPECT_EQ(o.retry_ms, std::nullopt);
}

TEST(SseParser, RetryInvalidKeepsPreviousValue) {
  const Outcome o = expect_every_split("retry: 500\nretry: 12a\nretry:\n", {retry(500)});
  EXPECT_EQ(o.retry_ms, 500u);
}

TEST(SseParser, RetryOverflowSaturates) {
  expect_every_split(
      "retry: 18446744073709551615\nretry: 18446744073709551616\nretry: 99999999999999999999999\n",
      {retry(UINT64_MAX), retry(UINT64_MAX), retry(UINT64_MAX)});
}

TEST(SseParser, UnknownFieldsIgnored) {
  expect_every_split("foo: bar\ndata: a\nDATA: b\nData: c\nid : 9\n event: x\nbar\n\n", {ev("a")});
}

TEST(SseParser, UnknownFieldAloneDispatchesNothing) {
  const Outcome o = expect_every_split("foo: bar\n\n", {});
  EXPECT_EQ(o.events_dispatched, 0u);
}

TEST(SseParser, FieldNamesAreCaseSensitive) {
  const Outcome o = expect_every_split("ID: 1\nEvent: x\nRetry: 5\nData: a\n\n", {});
  EXPECT_EQ(o.last_event_id, "");
  EXPECT_EQ(o.retry_ms, std::nullopt);
}

TEST(SseParser, NoDispatchAtEof) {
  const Outcome o = expect_every_split("data: a\n", {});
  EXPECT_EQ(o.events_dispatched, 0u);
  expect_every_split("data: a", {});
  expect_every_split("data: a\n\ndata: b\n", {ev("a")});
  expect_every_split("data: a\r", {});
}

TEST(SseParser, IncompleteLineAtEofNotProcessed) {
  const Outcome o = expect_every_split("id: 5", {});
  EXPECT_EQ(o.last_event_id, "");
  expect_every_split("retry: 5", {});
  expect_every_split(": c", {});
}

TEST(SseParser, ManyEvents) {
  std::string input;
  std::vector<Call> expected;
  for (int i = 0; i < 30; ++i) {
    input += "id: " + std::to_string(i) + "\nevent: t" + std::to_string(i % 3) +
             "\ndata: {\"seq\":" + std::to_string(i) + "}\n\n";
    expected.push_back(
        ev("{\"seq\":" + std::to_string(i) + "}", std::to_string(i), "t" + std::to_string(i % 3)));
  }
  const Outcome o = expect_every_split(input, expected);
  EXPECT_EQ(o.events_dispatched, 30u);
}

TEST(SseParser, LineTooLong) {
  // The limit counts line bytes without the terminator: 8 bytes pass, 9 fail.
  expect_every_split("data: 12\r\n\r\n", {ev("12")}, 8);
  const Outcome o = expect_every_split("data: a\n\ndata: 123\n\ndata: b\n\n",
                                       {ev("a"), error(ParseError::line_too_long)}, 8);
  EXPECT_EQ(o.events_dispatched, 1u);
}

TEST(SseParser, LineTooLongWithoutTerminator) {
  // An unterminated line fails as soon as it exceeds the limit.
  expect_every_split("data: a\n\ndata: 123", {ev("a"), error(ParseError::line_too_long)}, 8);
  expect_every_split("data: 12", {}, 8);
}

TEST(SseParser, BomDoesNotCountTowardLineLimit) {
  expect_every_split(
      "\xEF\xBB\xBF"
      "data: 12\n\n",
      {ev("12")}, 8);
}

TEST(SseParser, LineTooLongStaysFailed) {
  std::vector<Call> calls;
  Recorder recorder(calls);
  Parser parser(recorder, 4);
  EXPECT_EQ(parser.feed("data:aa\n"), ParseError::line_too_long);
  EXPECT_EQ(parser.feed("\n"), ParseError::line_too_long);
  EXPECT_EQ(parser.feed("d\n\n"), ParseError::line_too_long);
  EXPECT_TRUE(calls.empty());
}

TEST(SseParser, ErrorCode) {
  const std::error_code ec = ParseError::line_too_long;
  EXPECT_STREQ(ec.category().name(), "sse");
  EXPECT_EQ(&ec.category(), &parse_error_category());
  EXPECT_EQ(ec.value(), 1);
  EXPECT_FALSE(ec.message().empty());
  EXPECT_EQ(make_error_code(ParseError::line_too_long), ec);
}

TEST(SseParser, ResetKeepsIdAndDropsPartialState) {
  std::vector<Call> calls;
  Recorder recorder(calls);
  Parser parser(recorder);
  ASSERT_FALSE(parser.feed("retry: 250\nid: 42\ndata: a\n\nevent: t\ndata: partial\nda"));
  ASSERT_EQ(calls, (std::vector<Call>{retry(250), ev("a", "42")}));
  parser.reset();
  EXPECT_EQ(parser.last_event_id(), "42");
  EXPECT_EQ(parser.retry_ms(), 250u);
  EXPECT_EQ(parser.events_dispatched(), 1u);
  calls.clear();
  // The pending data, type and partial line "da" are gone; the id is still in force.
  ASSERT_FALSE(parser.feed("ta: b\n\ndata: c\n\n"));
  EXPECT_EQ(calls, std::vector<Call>{ev("c", "42")});
}

TEST(SseParser, ResetBetweenCrAndLf) {
  std::vector<Call> calls;
  Recorder recorder(calls);
  Parser parser(recorder);
  ASSERT_FALSE(parser.feed("data: a\r"));
  parser.reset();
  // The data line completed by the CR is dropped; the LF starts the new stream harmlessly.
  ASSERT_FALSE(parser.feed("\ndata: b\n\n"));
  EXPECT_EQ(calls, std::vector<Call>{ev("b")});
}

TEST(SseParser, ResetRearmsBomAndClearsFailure) {
  std::vector<Call> calls;
  Recorder recorder(calls);
  Parser parser(recorder, 16);
  ASSERT_FALSE(
      parser.feed("\xEF\xBB\xBF"
                  "id: 1\n"));
  EXPECT_EQ(parser.feed("data: this line is far too long\n"), ParseError::line_too_long);
  parser.reset();
  ASSERT_FALSE(parser.feed("\xEF\xBB"));
  ASSERT_FALSE(
      parser.feed("\xBF"
                  "data: ok\n\n"));
  EXPECT_EQ(calls, std::vector<Call>{ev("ok", "1")});
}

TEST(SseParser, EventViewsPointToCurrentEvent) {
  // A handler that consumes the views in place (no copies) sees each event's own bytes.
  struct Checker : Handler {
    std::vector<std::string> seen;
    void on_event(const Event& e) override {
      seen.push_back(std::string(e.type) + "|" + std::string(e.data) + "|" + std::string(e.id));
    }
  } checker;
  Parser parser(checker);
  std::string stream = "event: x\nid: 1\ndata: first\n\ndata: second\n\n";
  ASSERT_FALSE(parser.feed(stream));
  EXPECT_EQ(checker.seen, (std::vector<std::string>{"x|first|1", "message|second|1"}));
}

TEST(SseParser, EventsDispatchedVisibleInCallback) {
  struct Counter : Handler {
    Parser* parser = nullptr;
    std::vector<std::uint64_t> counts;
    void on_event(const Event&) override { counts.push_back(parser->events_dispatched()); }
  } counter;
  Parser parser(counter);
  counter.parser = &parser;
  ASSERT_FALSE(parser.feed("data: a\n\ndata: b\n\n"));
  EXPECT_EQ(counter.counts, (std::vector<std::uint64_t>{1, 2}));
}

}  // namespace
}  // namespace pushbench::sse
