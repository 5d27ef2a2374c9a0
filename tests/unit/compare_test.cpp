#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/report/compare.hpp"

namespace pushbench::loadgen {
namespace {

using json = nlohmann::json;

/// A scenario with every compared figure set; `tweak` is merged over it.
json compare_scenario(const std::string& name, const json& tweak = json::object()) {
  json s = {
      {"name", name},
      {"group", name.substr(0, name.find('/'))},
      {"transport", name.substr(name.find('/') + 1)},
      {"throughput", {{"events_per_s", 10000.0}}},
      {"latency_us",
       {{"corrected", {{"p50", 100.0}, {"p99", 200.0}, {"p999", 400.0}}},
        {"uncorrected", {{"p99", 150.0}}}}},
      {"wire", {{"bytes_per_event", 300.0}}},
      {"server", {{"cpu_ns_per_event", 5000.0}, {"rss_bytes_per_connection", 20000.0}}},
      {"loadgen", {{"cpu_ns_per_event", 3000.0}}},
      {"events", {{"lost", 0}, {"expected", 50000}}},
  };
  s.merge_patch(tweak);
  return s;
}

json compare_report(const std::vector<json>& scenarios) {
  return {{"schema_version", 1}, {"scenarios", scenarios}};
}

const FigureDelta* find(const CompareResult& r, const std::string& scenario,
                        const std::string& figure) {
  for (const auto& d : r.deltas) {
    if (d.scenario == scenario && d.figure == figure) return &d;
  }
  return nullptr;
}

TEST(Compare, IdenticalReportsHaveNoRegression) {
  const json base = compare_report({compare_scenario("g/sse"), compare_scenario("g/ws")});
  const auto r = compare_reports(base, base, {});
  EXPECT_FALSE(r.regressed());
  EXPECT_EQ(r.deltas.size(), 20u);
  for (const auto& d : r.deltas) {
    EXPECT_EQ(d.change, 0) << d.figure;
    EXPECT_FALSE(d.improved || d.regressed || d.noise) << d.figure;
  }
  EXPECT_TRUE(r.only_in_base.empty());
  EXPECT_TRUE(r.only_in_new.empty());
}

TEST(Compare, LowerIsBetterRegressionPastThreshold) {
  const json base = compare_report({compare_scenario("g/sse")});
  const json now = compare_report({compare_scenario("g/sse", {{"latency_us", {{"corrected", {{"p99", 250.0}}}}}})});
  const auto r = compare_reports(base, now, {});
  EXPECT_TRUE(r.regressed());
  const auto* d = find(r, "g/sse", "latency_us.corrected.p99");
  ASSERT_NE(d, nullptr);
  EXPECT_DOUBLE_EQ(d->base, 200);
  EXPECT_DOUBLE_EQ(d->now, 250);
  EXPECT_DOUBLE_EQ(d->change, 0.25);
  EXPECT_FALSE(d->higher_is_better);
  EXPECT_TRUE(d->regressed);
  EXPECT_FALSE(d->improved);
}

TEST(Compare, HigherIsBetterRegressionPastThreshold) {
  const json base = compare_report({compare_scenario("g/ws")});
  const json now = compare_report({compare_scenario("g/ws", {{"throughput", {{"events_per_s", 8000.0}}}})});
  const auto r = compare_reports(base, now, {});
  EXPECT_TRUE(r.regressed());
  const auto* d = find(r, "g/ws", "throughput.events_per_s");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->higher_is_better);
  EXPECT_DOUBLE_EQ(d->change, -0.2);
  EXPECT_TRUE(d->regressed);
}

TEST(Compare, ImprovementsAreNotRegressions) {
  const json base = compare_report({compare_scenario("g/sse")});
  const json now = compare_report({compare_scenario("g/sse", {{"throughput", {{"events_per_s", 13000.0}}},
                                              {"wire", {{"bytes_per_event", 150.0}}}})});
  const auto r = compare_reports(base, now, {});
  EXPECT_FALSE(r.regressed());
  EXPECT_TRUE(find(r, "g/sse", "throughput.events_per_s")->improved);
  EXPECT_TRUE(find(r, "g/sse", "wire.bytes_per_event")->improved);
  EXPECT_DOUBLE_EQ(find(r, "g/sse", "wire.bytes_per_event")->change, -0.5);
}

TEST(Compare, ChangesWithinThresholdAreIgnored) {
  const json base = compare_report({compare_scenario("g/sse")});
  const json now = compare_report({compare_scenario("g/sse", {{"latency_us", {{"corrected", {{"p50", 109.0}}}}},
                                              {"throughput", {{"events_per_s", 9100.0}}}})});
  auto r = compare_reports(base, now, {});
  EXPECT_FALSE(r.regressed());
  EXPECT_FALSE(find(r, "g/sse", "latency_us.corrected.p50")->improved);
  // A tighter threshold catches the same change.
  CompareOptions strict;
  strict.threshold = 0.05;
  r = compare_reports(base, now, strict);
  EXPECT_TRUE(find(r, "g/sse", "latency_us.corrected.p50")->regressed);
  EXPECT_TRUE(find(r, "g/sse", "throughput.events_per_s")->regressed);
}

TEST(Compare, MadNoiseIsNotARegressionEvenPastThreshold) {
  const json base = compare_report({compare_scenario(
      "g/sse",
      {{"repetitions", {{"latency_us.corrected.p99", {{"median", 200.0}, {"mad", 10.0}}}}}})});
  const json now = compare_report({compare_scenario(
      "g/sse",
      {{"latency_us", {{"corrected", {{"p99", 999.0}}}}},
       {"repetitions", {{"latency_us.corrected.p99", {{"median", 240.0}, {"mad", 15.0}}}}}})});
  auto r = compare_reports(base, now, {});
  const auto* d = find(r, "g/sse", "latency_us.corrected.p99");
  ASSERT_NE(d, nullptr);
  EXPECT_DOUBLE_EQ(d->base, 200);  // medians, not the single-run figure
  EXPECT_DOUBLE_EQ(d->now, 240);
  EXPECT_DOUBLE_EQ(d->change, 0.2);
  EXPECT_TRUE(d->noise);  // 40 <= 3 * max(10, 15)
  EXPECT_FALSE(d->regressed);
  EXPECT_FALSE(r.regressed());
  EXPECT_NE(format_compare(r, {}).find("noise"), std::string::npos);

  CompareOptions tight;
  tight.mad_factor = 2;  // 40 > 2 * 15
  r = compare_reports(base, now, tight);
  d = find(r, "g/sse", "latency_us.corrected.p99");
  EXPECT_FALSE(d->noise);
  EXPECT_TRUE(d->regressed);
}

TEST(Compare, OverlappingRunsAreNoiseSeparatedRunsAreNot) {
  // MADs alone would call this a regression (60 > 3 x 5); the runs overlap, so it is noise.
  const auto reps = [](double median, double mad, std::vector<double> values) {
    return json{{"repetitions",
                 {{"latency_us.corrected.p99",
                   {{"median", median}, {"mad", mad}, {"values", values}}}}}};
  };
  const json base = compare_report({compare_scenario("g/sse", reps(200, 5, {195, 200, 205, 290, 198}))});
  const json overlapping = compare_report({compare_scenario("g/sse", reps(260, 5, {255, 260, 265, 201, 262}))});
  auto r = compare_reports(base, overlapping, {});
  auto* d = find(r, "g/sse", "latency_us.corrected.p99");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->noise);
  EXPECT_FALSE(d->regressed);

  // Every new run above every base run: a regression.
  const json separated = compare_report({compare_scenario("g/sse", reps(300, 5, {295, 300, 305, 291, 310}))});
  r = compare_reports(base, separated, {});
  d = find(r, "g/sse", "latency_us.corrected.p99");
  EXPECT_FALSE(d->noise);
  EXPECT_TRUE(d->regressed);
  // The same downwards is an improvement.
  r = compare_reports(separated, base, {});
  d = find(r, "g/sse", "latency_us.corrected.p99");
  EXPECT_TRUE(d->improved);

  // Only one side lists values: the MAD rule alone decides (60 > 3 x 5).
  json no_values = base;
  no_values["scenarios"][0]["repetitions"]["latency_us.corrected.p99"].erase("values");
  r = compare_reports(no_values, overlapping, {});
  EXPECT_TRUE(find(r, "g/sse", "latency_us.corrected.p99")->regressed);
}

TEST(Compare, LossInSomeBaseRunsIsNotLossAppearing) {
  const auto lost = [](double median, std::vector<double> values) {
    return json{{"repetitions",
                 {{"events.lost", {{"median", median}, {"mad", 0.0}, {"values", values}}}}}};
  };
  // The base median is 0 but two base runs lost events too: overlapping runs, noise.
  auto r = compare_reports(compare_report({compare_scenario("g/sse", lost(0, {0, 0, 0, 3, 5}))}),
                           compare_report({compare_scenario("g/sse", lost(2, {0, 2, 4, 1, 3}))}), {});
  EXPECT_FALSE(find(r, "g/sse", "events.lost")->regressed);
  // No base run lost anything: any loss is a regression.
  r = compare_reports(compare_report({compare_scenario("g/sse", lost(0, {0, 0, 0, 0, 0}))}),
                      compare_report({compare_scenario("g/sse", lost(1, {0, 1, 0, 2, 1}))}), {});
  EXPECT_TRUE(find(r, "g/sse", "events.lost")->regressed);
}

TEST(Compare, LostRisingFromZeroIsARegression) {
  const json base = compare_report({compare_scenario("g/raw")});
  const json now = compare_report({compare_scenario("g/raw", {{"events", {{"lost", 1}}}})});
  CompareOptions lax;
  lax.threshold = 1e9;
  const auto r = compare_reports(base, now, lax);
  const auto* d = find(r, "g/raw", "events.lost");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(std::isinf(d->change) && d->change > 0);
  EXPECT_TRUE(d->regressed);
  EXPECT_TRUE(r.regressed());
  // And back to 0 is an improvement.
  const auto back = compare_reports(now, base, {});
  EXPECT_TRUE(find(back, "g/raw", "events.lost")->improved);
  EXPECT_DOUBLE_EQ(find(back, "g/raw", "events.lost")->change, -1);
}

TEST(Compare, ZeroBaseOfALowerIsBetterFigureIsAnInfiniteRegression) {
  const json base = compare_report({compare_scenario("g/sse", {{"server", {{"cpu_ns_per_event", 0.0}}}})});
  const json now = compare_report({compare_scenario("g/sse")});
  const auto r = compare_reports(base, now, {});
  const auto* d = find(r, "g/sse", "server.cpu_ns_per_event");
  EXPECT_TRUE(std::isinf(d->change) && d->change > 0);
  EXPECT_TRUE(d->regressed);
  const auto json_out = json::parse(format_compare(r, {0.10, 3.0, CompareFormat::json}));
  for (const auto& delta : json_out["deltas"]) {
    if (delta["figure"] == "server.cpu_ns_per_event") {
      EXPECT_TRUE(delta["change"].is_null());
    }
  }
}

TEST(Compare, NullOrMissingFiguresAreSkipped) {
  const json base = compare_report({compare_scenario("g/sse", {{"server", {{"cpu_ns_per_event", nullptr}}}})});
  json now_scenario = compare_scenario("g/sse");
  now_scenario["wire"].erase("bytes_per_event");
  const auto r = compare_reports(base, compare_report({now_scenario}), {});
  EXPECT_EQ(r.deltas.size(), 8u);
  EXPECT_EQ(find(r, "g/sse", "server.cpu_ns_per_event"), nullptr);
  EXPECT_EQ(find(r, "g/sse", "wire.bytes_per_event"), nullptr);
  EXPECT_NE(find(r, "g/sse", "server.rss_bytes_per_connection"), nullptr);
}

TEST(Compare, UnmatchedScenariosAreListed) {
  const json base = compare_report({compare_scenario("a/sse"), compare_scenario("b/sse")});
  const json now = compare_report({compare_scenario("a/sse"), compare_scenario("c/ws")});
  const auto r = compare_reports(base, now, {});
  EXPECT_EQ(r.only_in_base, std::vector<std::string>{"b/sse"});
  EXPECT_EQ(r.only_in_new, std::vector<std::string>{"c/ws"});
  EXPECT_EQ(r.deltas.size(), 10u);
  const std::string text = format_compare(r, {});
  EXPECT_NE(text.find("only in base: b/sse"), std::string::npos) << text;
  EXPECT_NE(text.find("only in new: c/ws"), std::string::npos) << text;
}

TEST(Compare, FallsBackToGroupAndTransport) {
  json renamed = compare_scenario("g/sse", {{"throughput", {{"events_per_s", 5000.0}}}});
  renamed["name"] = "g-sse";
  const auto r = compare_reports(compare_report({compare_scenario("g/sse")}), compare_report({renamed}), {});
  EXPECT_TRUE(r.only_in_base.empty());
  EXPECT_TRUE(r.only_in_new.empty());
  EXPECT_TRUE(find(r, "g/sse", "throughput.events_per_s")->regressed);
}

TEST(Compare, TextFormat) {
  const json base = compare_report({compare_scenario("g/sse")});
  const json now = compare_report({compare_scenario("g/sse", {{"latency_us", {{"corrected", {{"p99", 250.0}}}}}})});
  const std::string text = format_compare(compare_reports(base, now, {}), {});
  EXPECT_NE(text.find("scenario"), std::string::npos);
  EXPECT_NE(text.find("latency_us.corrected.p99"), std::string::npos);
  EXPECT_NE(text.find("+25.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("REGRESSED"), std::string::npos);
  EXPECT_NE(text.find("1 regression, 0 improvements"), std::string::npos) << text;
}

TEST(Compare, MarkdownFormat) {
  json base_scenario = compare_scenario("g|x/sse");
  const json base = compare_report({base_scenario, compare_scenario("gone/ws")});
  base_scenario["throughput"]["events_per_s"] = 20000.0;
  const json now = compare_report({base_scenario});
  CompareOptions o;
  o.format = CompareFormat::markdown;
  const std::string md = format_compare(compare_reports(base, now, o), o);
  EXPECT_NE(md.find("| scenario | figure | base | new | change | verdict |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("|---"), std::string::npos);
  EXPECT_NE(md.find("g\\|x/sse"), std::string::npos) << md;
  EXPECT_NE(md.find("improved"), std::string::npos);
  EXPECT_NE(md.find("Only in base: gone/ws"), std::string::npos) << md;
  EXPECT_EQ(md.find("g|x"), std::string::npos);
}

TEST(Compare, JsonFormatParses) {
  const json base = compare_report({compare_scenario("g/sse"), compare_scenario("old/ws")});
  const json now = compare_report({compare_scenario("g/sse", {{"events", {{"lost", 3}}}}), compare_scenario("new/ws")});
  CompareOptions o;
  o.format = CompareFormat::json;
  const auto r = compare_reports(base, now, o);
  const json doc = json::parse(format_compare(r, o));
  EXPECT_EQ(doc["regressed"], true);
  EXPECT_EQ(doc["regressions"], 1);
  EXPECT_EQ(doc["improvements"], 0);
  EXPECT_DOUBLE_EQ(doc["threshold"].get<double>(), 0.10);
  ASSERT_EQ(doc["deltas"].size(), r.deltas.size());
  EXPECT_EQ(doc["deltas"][0]["scenario"], "g/sse");
  EXPECT_EQ(doc["deltas"][0]["figure"], "throughput.events_per_s");
  EXPECT_EQ(doc["deltas"][0]["higher_is_better"], true);
  EXPECT_EQ(doc["only_in_base"], json::array({"old/ws"}));
  EXPECT_EQ(doc["only_in_new"], json::array({"new/ws"}));
}

TEST(Compare, MalformedReportsCompareAsEmpty) {
  const auto r = compare_reports(json::array(), json{{"scenarios", 5}}, {});
  EXPECT_TRUE(r.deltas.empty());
  EXPECT_FALSE(r.regressed());
  EXPECT_NO_THROW(format_compare(r, {}));
}

}  // namespace
}  // namespace pushbench::loadgen
