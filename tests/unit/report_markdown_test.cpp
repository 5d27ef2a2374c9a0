#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/report/report_markdown.hpp"

namespace pushbench::loadgen {
namespace {

using json = nlohmann::json;

json markdown_scenario(const std::string& group, const std::string& transport) {
  return {
      {"name", group + "-" + transport},
      {"group", group},
      {"transport", transport},
      {"compression", {{"algorithm", "none"}}},
      {"events", {{"expected", 50000}, {"received", 50000}, {"lost", 0}}},
      {"throughput", {{"events_per_s", 10000.4}}},
      {"wire", {{"bytes_per_event", 301.25}}},
      {"latency_us",
       {{"corrected", {{"p50", 100.04}, {"p99", 200.0}, {"p999", 400.0}}},
        {"uncorrected", {{"p99", 150.0}}}}},
      {"server", {{"cpu_ns_per_event", 5000.0}, {"rss_bytes_per_connection", 2048.0}}},
      {"loadgen", {{"saturated", false}}},
      {"warnings", json::array()},
  };
}

json markdown_report(const std::vector<json>& scenarios) {
  return {{"schema_version", 1},
          {"tool", {{"name", "pushbench"}, {"version", "0.1.0"}, {"git_sha", "3f9c2a71d0be"}}},
          {"environment", {{"cpu_model", "AMD EPYC 7763 | 64-Core"}}},
          {"started_at", "2026-11-24T01:02:03Z"},
          {"suite", "quick"},
          {"scenarios", scenarios}};
}

bool md_contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ReportMarkdown, HeaderAndOneTablePerGroup) {
  const std::string md = report_markdown(
      markdown_report({markdown_scenario("stream", "sse"), markdown_scenario("stream", "ws"), markdown_scenario("fanout", "raw")}));
  EXPECT_TRUE(md_contains(md, "0.1.0")) << md;
  EXPECT_TRUE(md_contains(md, "3f9c2a71d0be"));
  EXPECT_TRUE(md_contains(md, "AMD EPYC 7763 \\| 64-Core")) << md;
  EXPECT_TRUE(md_contains(md, "2026-11-24T01:02:03Z"));
  EXPECT_TRUE(md_contains(md, "quick"));
  EXPECT_TRUE(md_contains(md, "### stream\n\n|   | sse | ws |\n|---|--:|--:|\n")) << md;
  EXPECT_TRUE(md_contains(md, "### fanout\n\n|   | raw |\n|---|--:|\n")) << md;
  EXPECT_LT(md.find("### stream"), md.find("### fanout"));
  EXPECT_TRUE(md_contains(md, "| events/s | 10000 | 10000 |"));
  EXPECT_TRUE(md_contains(md, "| lost / expected | 0 / 50000 | 0 / 50000 |"));
  EXPECT_TRUE(md_contains(md, "| corrected p50 (µs) | 100.0 | 100.0 |"));
  EXPECT_TRUE(md_contains(md, "| corrected p99 (µs) | 200.0 | 200.0 |"));
  EXPECT_TRUE(md_contains(md, "| corrected p99.9 (µs) | 400.0 | 400.0 |"));
  EXPECT_TRUE(md_contains(md, "| uncorrected p99 (µs) | 150.0 | 150.0 |"));
  EXPECT_TRUE(md_contains(md, "| wire bytes/event | 301.2 | 301.2 |") ||
              md_contains(md, "| wire bytes/event | 301.3 | 301.3 |"));
  EXPECT_TRUE(md_contains(md, "| compression | none | none |"));
  EXPECT_TRUE(md_contains(md, "| server CPU ns/event | 5000 | 5000 |"));
  EXPECT_TRUE(md_contains(md, "| server RSS/conn (KiB) | 2.0 | 2.0 |"));
  EXPECT_TRUE(md_contains(md, "| loadgen saturated | no | no |"));
  EXPECT_FALSE(md_contains(md, "Warnings"));
}

TEST(ReportMarkdown, NullAndMissingFiguresReadNa) {
  json s = markdown_scenario("g", "sse");
  s["server"]["cpu_ns_per_event"] = nullptr;
  s["events"]["expected"] = nullptr;
  s.erase("wire");
  s.erase("compression");
  s["loadgen"]["saturated"] = true;
  const std::string md = report_markdown(markdown_report({s}));
  EXPECT_TRUE(md_contains(md, "| server CPU ns/event | n/a |")) << md;
  EXPECT_TRUE(md_contains(md, "| lost / expected | 0 / n/a |"));
  EXPECT_TRUE(md_contains(md, "| wire bytes/event | n/a |"));
  EXPECT_TRUE(md_contains(md, "| compression | n/a |"));
  EXPECT_TRUE(md_contains(md, "| loadgen saturated | **YES** |"));

  json header_less = markdown_report({s});
  header_less.erase("tool");
  header_less["suite"] = nullptr;
  const std::string bare = report_markdown(header_less);
  EXPECT_TRUE(md_contains(bare, "suite: n/a")) << bare;
  EXPECT_TRUE(md_contains(bare, "pushbench n/a")) << bare;
}

TEST(ReportMarkdown, WarningsAreListedAndEscaped) {
  json s = markdown_scenario("a|b", "ws");
  s["warnings"] = {"load generator saturated | figures unreliable", "second\nline"};
  const std::string md = report_markdown(markdown_report({markdown_scenario("a|b", "sse"), s}));
  EXPECT_TRUE(md_contains(md, "### a\\|b")) << md;
  EXPECT_TRUE(md_contains(md, "- ws: load generator saturated \\| figures unreliable\n")) << md;
  EXPECT_TRUE(md_contains(md, "- ws: second line\n")) << md;
  EXPECT_GT(md.find("- ws:"), md.find("| loadgen saturated"));
}

TEST(ReportMarkdown, RepeatedTransportInAGroupIsHeadedByName) {
  json second = markdown_scenario("g", "sse");
  second["name"] = "g-sse-2";
  const std::string md = report_markdown(markdown_report({markdown_scenario("g", "sse"), second}));
  EXPECT_TRUE(md_contains(md, "|   | g-sse | g-sse-2 |")) << md;
}

TEST(ReportMarkdown, EmptyOrMalformedReports) {
  EXPECT_TRUE(md_contains(report_markdown(json::object()), "No scenarios"));
  EXPECT_TRUE(md_contains(report_markdown(json::array()), "No scenarios"));
  EXPECT_NO_THROW(report_markdown(json{{"scenarios", {1, "x", nullptr}}}));
}

TEST(MarkdownEscape, EscapesTableAndEmphasisCharacters) {
  EXPECT_EQ(markdown_escape("a|b"), "a\\|b");
  EXPECT_EQ(markdown_escape("a\\|b"), "a\\\\\\|b");
  EXPECT_EQ(markdown_escape("x*y_z"), "x\\*y\\_z");
  EXPECT_EQ(markdown_escape("one\r\ntwo\nthree"), "one two three");
  EXPECT_EQ(markdown_escape("plain-text 1.0/s"), "plain-text 1.0/s");
}

}  // namespace
}  // namespace pushbench::loadgen
