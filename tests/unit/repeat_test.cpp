#include <gtest/gtest.h>

#include "loadgen/report/compare.hpp"
#include "loadgen/report/repeat.hpp"

namespace pushbench::loadgen {
namespace {

nlohmann::json run(double eps, double p99, int id) {
  return {{"name", "s"},
          {"id", id},
          {"throughput", {{"events_per_s", eps}}},
          {"latency_us", {{"corrected", {{"p99", p99}}}}}};
}

TEST(Repeat, MedianAndMad) {
  EXPECT_EQ(median({}), 0);
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median_absolute_deviation({1, 2, 3, 4, 100}), 1);
}

TEST(Repeat, RepresentativeIsTheMedianRunAndFiguresAreSummarised) {
  const auto s = summarize_repetitions({run(100, 50, 0), run(110, 10, 1), run(90, 30, 2)});
  EXPECT_EQ(s["id"], 2);  // p99 30 is the median
  const auto& r = s["repetitions"];
  EXPECT_EQ(r["runs"], 3);
  EXPECT_EQ(r["representative_run"], 2);
  EXPECT_EQ(r["throughput.events_per_s"]["median"], 100);
  EXPECT_EQ(r["throughput.events_per_s"]["mad"], 10);
  EXPECT_EQ(r["latency_us.corrected.p99"]["values"].size(), 3u);
  EXPECT_FALSE(r.contains("wire.bytes_per_event"));
  EXPECT_EQ(summarize_repetitions({run(1, 2, 7)})["id"], 7);
  EXPECT_THROW(summarize_repetitions({}), std::invalid_argument);
}

TEST(Repeat, ARunThatDeliveredNothingIsTheWorstNotTheBest) {
  auto lost = run(0, 0, 1);
  lost["latency_us"]["corrected"] = nullptr;  // every event lost: no latency at all
  // Keys 50, none, 30: the run without a p99 is the worst (infinity), so the median is 50 (run
  // 0), not 30 as a p99 of 0 would make it.
  const auto s = summarize_repetitions({run(100, 50, 0), lost, run(90, 30, 2)});
  EXPECT_EQ(s["id"], 0);
  EXPECT_EQ(s["repetitions"]["representative_run"], 0);
  EXPECT_EQ(s["repetitions"]["latency_us.corrected.p99"]["values"].size(), 2u);
  // Two runs: the worse of the middle two is kept, in either order.
  EXPECT_EQ(summarize_repetitions({run(100, 50, 0), lost})["id"], 1);
  EXPECT_EQ(summarize_repetitions({lost, run(100, 50, 0)})["id"], 1);
  EXPECT_EQ(summarize_repetitions({run(100, 50, 0), run(100, 60, 3)})["id"], 3);
}

TEST(Repeat, WhatOtherRunsSawBecomesTheSummarysWarnings) {
  auto clean = run(100, 30, 0);
  clean["warnings"] = {"shared"};
  auto lossy = run(90, 40, 1);
  lossy["events"] = {{"expected", 600}, {"lost", 200}};
  lossy["errors"] = {{"unexpected_eof", 2}, {"server_closed", 1}};
  lossy["warnings"] = {"shared", "3 connection error(s); see errors",
                       "server CPU was 99% of one core"};
  auto other = run(110, 20, 2);
  const auto s = summarize_repetitions({other, clean, lossy});  // p99 20, 30, 40: run 2 of 3
  EXPECT_EQ(s["id"], 0);
  EXPECT_EQ(s["warnings"], nlohmann::json({"shared", "run 3 of 3: lost 200 of 600 events",
                                           "run 3 of 3: 3 connection error(s); see errors",
                                           "run 3 of 3: server CPU was 99% of one core"}))
      << "a warning the representative already has is not repeated";
  // A clean set of runs adds nothing.
  EXPECT_EQ(summarize_repetitions({run(1, 2, 0), run(1, 3, 1)})["warnings"],
            nlohmann::json::array());
}

TEST(Repeat, CompareFlagsALossInAnyRepetition) {
  const auto with_loss = [](double p99, std::uint64_t lost, int id) {
    auto r = run(100, p99, id);
    r["events"] = {{"expected", 1000}, {"lost", lost}};
    return r;
  };
  const auto base = nlohmann::json{
      {"scenarios",
       {summarize_repetitions({with_loss(50, 0, 0), with_loss(50, 0, 1), with_loss(50, 0, 2)})}}};
  // One run of three lost events: the median loss is 0, but loss appeared.
  const auto now = nlohmann::json{
      {"scenarios",
       {summarize_repetitions({with_loss(50, 0, 0), with_loss(50, 7, 1), with_loss(50, 0, 2)})}}};
  EXPECT_TRUE(compare_reports(base, now, CompareOptions{}).regressed());
  EXPECT_FALSE(compare_reports(base, base, CompareOptions{}).regressed());
}

TEST(Repeat, CompareTreatsMadNoiseAsNoise) {
  auto base = nlohmann::json{
      {"scenarios", {summarize_repetitions({run(100, 50, 0), run(100, 80, 1), run(100, 20, 2)})}}};
  auto now = nlohmann::json{
      {"scenarios", {summarize_repetitions({run(100, 65, 0), run(100, 95, 1), run(100, 35, 2)})}}};
  // p99 median 50 -> 65 is +30%, but within 3 x MAD (30): noise, not a regression.
  EXPECT_FALSE(compare_reports(base, now, CompareOptions{}).regressed());
}

/// A single-run report of commit `sha` with scenarios a and b.
nlohmann::json single_report(const std::string& sha, const std::string& started, double p99_a,
                             double p99_b) {
  auto a = run(100, p99_a, 0);
  a["name"] = "a";
  auto b = run(200, p99_b, 1);
  b["name"] = "b";
  return {{"schema_version", 1},
          {"tool", {{"name", "pushbench"}, {"git_sha", sha}}},
          {"started_at", started},
          {"finished_at", started},
          {"scenarios", {a, b}}};
}

TEST(Merge, SingleRunReportsBecomeRepetitions) {
  const auto m = merge_reports({single_report("abc", "2026-01-01T00:00:02Z", 10, 40),
                                single_report("abc", "2026-01-01T00:00:01Z", 30, 60),
                                single_report("abc", "2026-01-01T00:00:03Z", 20, 50)});
  ASSERT_EQ(m["scenarios"].size(), 2u);
  EXPECT_EQ(m["scenarios"][0]["name"], "a");
  const auto& ra = m["scenarios"][0]["repetitions"];
  EXPECT_EQ(ra["runs"], 3);
  EXPECT_EQ(ra["latency_us.corrected.p99"]["median"], 20);
  EXPECT_EQ(ra["latency_us.corrected.p99"]["mad"], 10);
  EXPECT_EQ(ra["latency_us.corrected.p99"]["values"], nlohmann::json({10, 30, 20}));
  EXPECT_EQ(m["scenarios"][1]["repetitions"]["latency_us.corrected.p99"]["median"], 50);
  EXPECT_EQ(m["started_at"], "2026-01-01T00:00:01Z");
  EXPECT_EQ(m["finished_at"], "2026-01-01T00:00:03Z");
  EXPECT_EQ(m["merged_from"].size(), 3u);
  // Scenarios are matched by name, whatever their order in later reports.
  auto swapped = single_report("abc", "x", 30, 60);
  std::swap(swapped["scenarios"][0], swapped["scenarios"][1]);
  const auto m2 = merge_reports({single_report("abc", "x", 10, 40), swapped});
  EXPECT_EQ(m2["scenarios"][0]["repetitions"]["latency_us.corrected.p99"]["values"],
            nlohmann::json({10, 30}));
}

TEST(Merge, BadInputsAreClearErrors) {
  const auto ok = single_report("abc", "x", 10, 40);
  const auto message = [](const std::vector<nlohmann::json>& reports) {
    try {
      merge_reports(reports);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({ok}).find("at least two"), std::string::npos);
  EXPECT_NE(message({ok, single_report("def", "x", 1, 2)}).find("from commit 'def'"),
            std::string::npos);
  auto fewer = ok;
  fewer["scenarios"].erase(1);
  EXPECT_NE(message({ok, fewer}).find("report 2 has 1 scenarios, report 1 has 2"),
            std::string::npos);
  auto renamed = ok;
  renamed["scenarios"][1]["name"] = "c";
  EXPECT_NE(message({ok, renamed}).find("'b' is missing from report 2"), std::string::npos);
  auto unnamed = ok;
  unnamed["scenarios"][1] = 42;
  EXPECT_NE(message({ok, unnamed}).find("report 2 has a scenario without a name"),
            std::string::npos);
  auto repeated = merge_reports({ok, ok});
  EXPECT_NE(message({repeated, ok}).find("already has repetitions"), std::string::npos);
  auto twice = ok;
  twice["scenarios"][1]["name"] = "a";
  EXPECT_NE(message({ok, twice}).find("appears twice"), std::string::npos);
  EXPECT_NE(message({ok, nlohmann::json::array()}).find("report 2 has no scenarios"),
            std::string::npos);
}

}  // namespace
}  // namespace pushbench::loadgen
