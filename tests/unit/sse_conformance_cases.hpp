#pragma once
// The WHATWG "Interpreting an event stream" rules as data: input bytes and the events a
// conforming client dispatches, in the spirit of web-platform-tests' eventsource/format-*.htm
// (BOM, comments, fields without a colon, bogus retry values, NUL in id, CR/LF/CRLF, data before
// a final empty line, ...). Used by sse_conformance_test.cpp (every split point) and by the
// integration test that checks `pushbench tap` prints the same events.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pushbench::test {

/// One dispatched event as a client sees it.
struct SseExpectedEvent {
  std::string type;  ///< event type ("message" by default)
  std::string data;  ///< data, lines joined with LF
  std::string id;    ///< last event id in force
  bool operator==(const SseExpectedEvent&) const = default;
};

/// One case of the table.
struct SseCase {
  const char* name;                        ///< what the case is about
  std::string input;                       ///< the stream bytes
  std::vector<SseExpectedEvent> events;    ///< events in dispatch order
  std::optional<std::uint64_t> retry_ms;   ///< the reconnection time in force at the end
  std::string last_event_id;               ///< the last event id buffer at the end
};

using namespace std::string_literals;

/// The table.
inline const std::vector<SseCase>& sse_cases() {
  static const std::vector<SseCase> cases = {
      {"bom-stripped-once", "\xEF\xBB\xBF" "data:1\n\n\xEF\xBB\xBF" "data:2\n\ndata:3\n\n",
       {{"message", "1", ""}, {"message", "3", ""}}, {}, ""},
      {"double-bom", "\xEF\xBB\xBF\xEF\xBB\xBF" "data:1\n\ndata:2\n\ndata:3\n\n",
       {{"message", "2", ""}, {"message", "3", ""}}, {}, ""},
      {"comments", "data:1\n\n:\n:x\n:  two spaces\ndata:2\n:comment\n\n:\n",
       {{"message", "1", ""}, {"message", "2", ""}}, {}, ""},
      {"data-empty-and-valueless", "data:\n\ndata\ndata\n\ndata:test\n\n",
       {{"message", "", ""}, {"message", "\n", ""}, {"message", "test", ""}}, {}, ""},
      {"event-empty-is-message", "event: \ndata:data\n\nevent\ndata:x\n\n",
       {{"message", "data", ""}, {"message", "x", ""}}, {}, ""},
      {"event-type-resets", "event:test\ndata:x\n\ndata:x\n\n",
       {{"test", "x", ""}, {"message", "x", ""}}, {}, ""},
      {"event-without-data-is-not-dispatched", "event:a\n\ndata:b\n\n",
       {{"message", "b", ""}}, {}, ""},
      {"id-persists", "id: 1\n\ndata:x\n\ndata:y\n\n", {{"message", "x", "1"}, {"message", "y", "1"}},
       {}, "1"},
      {"id-empty-resets", "id:1\ndata:x\n\nid\ndata:y\n\nid:2\ndata:z\n\nid:\ndata:w\n\n",
       {{"message", "x", "1"}, {"message", "y", ""}, {"message", "z", "2"}, {"message", "w", ""}},
       {}, ""},
      {"id-with-nul-ignored", "id:a\ndata:x\n\nid:b\0c\ndata:y\n\n"s,
       {{"message", "x", "a"}, {"message", "y", "a"}}, {}, "a"},
      {"id-space-stripped-once", "id:  spaced\ndata:x\n\n", {{"message", "x", " spaced"}}, {},
       " spaced"},
      {"retry-valid", "retry:03000\ndata:x\n\n", {{"message", "x", ""}}, 3000, ""},
      {"retry-bogus-ignored", "retry:3000\nretry:1000x\nretry:  12\nretry:-1\nretry:1.5\ndata:x\n\n",
       {{"message", "x", ""}}, 3000, ""},
      {"retry-empty-or-valueless-ignored", "retry\nretry:\ndata:test\n\n",
       {{"message", "test", ""}}, {}, ""},
      {"unknown-fields-ignored",
       "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n",
       {{"message", "test\n\ntest", ""}}, {}, ""},
      {"field-parsing",
       "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n"
       " data:32\ndata:4\n\n"s,
       {{"message", "\0\n 2\n1\n3\n\n4"s, ""}}, {}, ""},
      {"newlines-cr-lf-crlf", "data:test\r\ndata\ndata:test\r\n\r\ndata:a\rdata:b\r\r",
       {{"message", "test\n\ntest", ""}, {"message", "a\nb", ""}}, {}, ""},
      {"cr-cr-is-two-lines", "data:a\r\rdata:b\n\n", {{"message", "a", ""}, {"message", "b", ""}},
       {}, ""},
      {"lf-cr-is-two-line-ends", "data:a\n\rdata:b\n\n",
       {{"message", "a", ""}, {"message", "b", ""}}, {}, ""},
      {"nul-in-data", "data:\0\n\n\n\n"s, {{"message", "\0"s, ""}}, {}, ""},
      {"utf8-data", "data:\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n\n",
       {{"message", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", ""}}, {}, ""},
      {"colon-in-value-kept", "data: a:b: c\n\n", {{"message", "a:b: c", ""}}, {}, ""},
      {"data-before-final-empty-line", "retry:1000\ndata:test1\n\nid:test\ndata:test2",
       {{"message", "test1", ""}}, 1000, "test"},
      {"trailing-data-without-blank-line", "data:a\n\ndata:b\n", {{"message", "a", ""}}, {}, ""},
      {"only-comments-and-blank-lines", ":a\n\n\n:b\r\n\r\n", {}, {}, ""},
  };
  return cases;
}

}  // namespace pushbench::test
