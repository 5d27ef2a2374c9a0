// The WHATWG event-stream table (sse_conformance_cases.hpp) against sse::Parser: whole, split
// at every byte position into two feeds, and byte by byte.
#include <gtest/gtest.h>

#include "core/codec/sse_parser.hpp"
#include "tests/unit/sse_conformance_cases.hpp"

namespace pushbench::test {

/// Readable event values in failure messages (found by argument-dependent lookup).
void PrintTo(const SseExpectedEvent& e, std::ostream* os) {
  *os << "{" << testing::PrintToString(e.type) << ", " << testing::PrintToString(e.data) << ", "
      << testing::PrintToString(e.id) << "}";
}

namespace {

struct Collector : sse::Handler {
  void on_event(const sse::Event& ev) override {
    events.push_back({std::string(ev.type), std::string(ev.data), std::string(ev.id)});
  }
  std::vector<SseExpectedEvent> events;
};

void expect_case(const SseCase& c, const std::vector<std::string_view>& parts,
                 const std::string& how) {
  Collector col;
  sse::Parser p(col);
  for (auto part : parts) ASSERT_FALSE(p.feed(part)) << c.name << " " << how;
  EXPECT_EQ(col.events, c.events) << c.name << " " << how;
  EXPECT_EQ(p.retry_ms(), c.retry_ms) << c.name << " " << how;
  EXPECT_EQ(p.last_event_id(), c.last_event_id) << c.name << " " << how;
}

TEST(SseConformance, EveryCaseAtEverySplit) {
  for (const auto& c : sse_cases()) {
    const std::string_view in = c.input;
    expect_case(c, {in}, "whole");
    for (std::size_t i = 0; i <= in.size(); ++i) {
      expect_case(c, {in.substr(0, i), in.substr(i)}, "split at " + std::to_string(i));
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < in.size(); ++i) bytes.push_back(in.substr(i, 1));
    expect_case(c, bytes, "byte by byte");
  }
}

TEST(SseConformance, TableIsNotTrivial) {
  std::size_t events = 0;
  for (const auto& c : sse_cases()) events += c.events.size();
  EXPECT_GE(sse_cases().size(), 20u);
  EXPECT_GE(events, 30u);
}

}  // namespace
}  // namespace pushbench::test
