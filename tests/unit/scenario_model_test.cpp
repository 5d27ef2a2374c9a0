// The typed report (loadgen/report/scenario_model): the figures round-trip through JSON, a
// reader survives any input, every compared figure is typed, and the field lists match
// core/report.schema.json section by section.
#include "loadgen/report/scenario_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "loadgen/report/compare.hpp"

namespace pushbench::loadgen {
namespace {

using json = nlohmann::json;

ScenarioFigures populated() {
  ScenarioFigures f;
  f.name = "g-sse";
  f.group = "g";
  f.transport = "sse";
  f.http_version = "2";
  f.tls = true;
  f.schedule = {"spread", 7, 250};
  f.events = {100, 98, 2, 1, 0};
  f.throughput = {980.5, 250'000.25, 300'000.75};
  f.wire = {30'000, 400, 21, 306.1, 44};
  f.latency_us = {summary_or_null(Summary{98, 10, 20, 19, 30, 40, 50, 60, 70}),
                  summary_or_null(Summary{98, 5, 6, 6, 7, 8, 9, 9, 9})};
  f.connect_us = summary_or_null(Summary{1, 100, 100, 100, 100, 100, 100, 100, 100});
  f.server = {4242,      0.5,     5100.5,  1 << 20, 2 << 20,  10'485.76,
              10'485.76, 1 << 19, 3 << 19, 2'000.5, 1'000.25, 0.25};
  f.loadgen = {0.25, 2550.25, 0.125, 2, false, 0.31, "delayed", "busy_poll", "0,1"};
  f.errors = {{"connect_refused", 3}};
  f.warnings = {"a warning"};
  return f;
}

TEST(ScenarioModel, FiguresRoundTripThroughJson) {
  const ScenarioFigures f = populated();
  json j;
  to_json(j, f);
  EXPECT_EQ(scenario_figures(j), f);
  EXPECT_EQ(scenario_figures(json::parse(j.dump())), f) << "as a report file reads back";
  EXPECT_TRUE(j["first_event_us"].is_null()) << "a missing summary is written as null";
  EXPECT_TRUE(j["events"]["received"].is_number_unsigned()) << "counts stay integers";
  EXPECT_TRUE(j["server"]["pid"].is_number_integer());
  EXPECT_TRUE(j["schedule"]["server_timer_slack_us"].is_number_unsigned());
  // A blank model writes every key, null where nothing was measured.
  json blank;
  to_json(blank, ScenarioFigures{});
  EXPECT_TRUE(blank["server"]["cpu_ns_per_event"].is_null());
  EXPECT_TRUE(blank["latency_us"]["corrected"].is_null());
  EXPECT_EQ(scenario_figures(blank), ScenarioFigures{});
}

TEST(ScenarioModel, WritingMergesIntoTheScenarioObject) {
  json s = {{"url", "http://127.0.0.1:1/"}, {"compression", {{"algorithm", "none"}}}};
  to_json(s, populated());
  EXPECT_EQ(s["url"], "http://127.0.0.1:1/") << "keys outside the model stay";
  EXPECT_EQ(s["compression"]["algorithm"], "none");
  EXPECT_EQ(s["transport"], "sse");
}

TEST(ScenarioModel, AReaderLeavesWhatItCannotReadNullAndNeverThrows) {
  json j;
  to_json(j, populated());
  j["events"]["lost"] = -2;        // impossible: not a count
  j["events"]["received"] = "98";  // a string is not a number
  j["throughput"]["events_per_s"] = nullptr;
  j["loadgen"]["saturated"] = 1;  // not a boolean
  j["latency_us"]["corrected"] = json::array();
  j["errors"]["bad"] = "x";
  j.erase("wire");
  const ScenarioFigures f = scenario_figures(j);
  EXPECT_FALSE(f.events.lost);
  EXPECT_FALSE(f.events.received);
  EXPECT_EQ(f.events.expected, 100u);
  EXPECT_FALSE(f.throughput.events_per_s);
  EXPECT_FALSE(f.loadgen.saturated);
  EXPECT_FALSE(f.latency_us.corrected);
  EXPECT_TRUE(f.latency_us.uncorrected);
  EXPECT_EQ(f.errors, (std::map<std::string, std::uint64_t>{{"connect_refused", 3}}));
  EXPECT_EQ(f.wire, WireFigures{});
  // A whole count written as a float (a merged report) still reads; a fraction does not.
  j["events"]["duplicated"] = 4.0;
  j["events"]["out_of_order"] = 4.5;
  EXPECT_EQ(scenario_figures(j).events.duplicated, 4u);
  EXPECT_FALSE(scenario_figures(j).events.out_of_order);
  // A summary missing one of its numbers lacks that one only (null, never a 0 percentile).
  j["latency_us"]["uncorrected"].erase("p999");
  EXPECT_FALSE(scenario_figures(j).latency_us.uncorrected->p999);
  EXPECT_EQ(scenario_figures(j).latency_us.uncorrected->p99, 8);
  j["connect_us"]["p50"] = nullptr;
  EXPECT_FALSE(figure_value(scenario_figures(j), "connect_us.p50"));
  EXPECT_EQ(figure_value(scenario_figures(j), "connect_us.p99"), 100);
  EXPECT_EQ(summary_or_null(Summary{}), std::nullopt) << "an empty histogram has no summary";
  for (const json& garbage : {json(), json(3), json("s"), json::array({1, 2}),
                              json{{"events", 5}, {"latency_us", {{"corrected", 7}}}}}) {
    EXPECT_EQ(scenario_figures(garbage), ScenarioFigures{}) << garbage.dump();
  }
}

TEST(ScenarioModel, FigureValueReadsEveryNumberByItsDottedPath) {
  const ScenarioFigures f = populated();
  EXPECT_EQ(figure_value(f, "latency_us.corrected.p99"), 40);
  EXPECT_EQ(figure_value(f, "events.lost"), 2);
  EXPECT_EQ(figure_value(f, "server.pid"), 4242);
  EXPECT_FALSE(figure_value(f, "first_event_us.p50")) << "null summary";
  EXPECT_FALSE(figure_value(f, "loadgen.saturated")) << "a boolean is not a figure";
  EXPECT_FALSE(figure_value(f, "latency_us.corrected")) << "a section is not a figure";
  EXPECT_FALSE(figure_value(f, "latency_us.corrected.p99.x"));
  EXPECT_FALSE(figure_value(f, "nothing.here"));
  EXPECT_FALSE(figure_value(f, ""));
  const auto paths = figure_paths();
  for (const auto& fig : compared_figures()) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), fig.path), paths.end())
        << fig.path << " is compared but not a typed figure";
    EXPECT_TRUE(figure_value(f, fig.path)) << fig.path;
  }
}

/// The schema's object at `section` of a scenario ("" = the scenario, "<summary>" = the fields of
/// a summary), or null when the schema has no such section.
json schema_section(const json& schema, const std::string& section) {
  if (section == "<summary>") return schema["$defs"]["summary_fields"];
  json cur = schema["$defs"]["scenario"];
  std::string rest = section;
  while (!rest.empty()) {
    const auto dot = rest.find('.');
    const std::string key = rest.substr(0, dot);
    if (!cur.contains("properties") || !cur["properties"].contains(key)) return nullptr;
    cur = cur["properties"][key];
    rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
  }
  return cur;
}

TEST(ScenarioModel, EveryTypedSectionMatchesTheSchema) {
  std::ifstream in(std::string(PUSHBENCH_SOURCE_DIR) + "/core/report.schema.json");
  const json schema = json::parse(in);
  const auto sections = scenario_figure_keys();
  ASSERT_EQ(sections.count(""), 1u);
  ASSERT_EQ(sections.count("<summary>"), 1u);
  for (const auto& [section, keys] : sections) {
    SCOPED_TRACE(section.empty() ? "scenario" : section);
    const json s = schema_section(schema, section);
    ASSERT_TRUE(s.is_object() && s.contains("properties"))
        << "the schema has no section " << section;
    std::set<std::string> listed;
    for (const auto& [k, v] : s["properties"].items()) listed.insert(k);
    for (const auto& k : keys)
      EXPECT_EQ(listed.count(k), 1u) << k << " is written, not in the schema";
    if (section.empty()) continue;  // the scenario has more sections than the typed ones
    // A typed section is typed whole: every key the schema lists for it is a field.
    const std::set<std::string> fields(keys.begin(), keys.end());
    for (const auto& k : listed) EXPECT_EQ(fields.count(k), 1u) << k << " is in the schema only";
    if (section == "<summary>") continue;  // closed where it is used (summary, nullable_summary)
    EXPECT_EQ(s["additionalProperties"], false) << "a typed section is closed";
  }
}

}  // namespace
}  // namespace pushbench::loadgen
