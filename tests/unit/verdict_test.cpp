#include <gtest/gtest.h>

#include "loadgen/report/table.hpp"
#include "loadgen/report/verdict.hpp"

namespace pushbench::loadgen {
namespace {

using json = nlohmann::json;

json verdict_scenario(const std::string& transport, double cpu_ns, json repetitions = nullptr) {
  json s = {{"group", "g"},
            {"transport", transport},
            {"schedule", {{"phase", "spread"}}},
            {"pinning", {{"server_cpus", "0"}, {"loadgen_cpus", "1"}}},
            {"server", {{"cpu_ns_per_event", cpu_ns}}},
            {"wire", {{"bytes_per_event", transport == "raw" ? 262.0 : 281.0}}}};
  if (!repetitions.is_null()) s["repetitions"] = repetitions;
  return s;
}

json reps(std::vector<double> cpu) {
  return {{"runs", cpu.size()},
          {"server.cpu_ns_per_event", {{"median", cpu[cpu.size() / 2]}, {"values", cpu}}}};
}

TEST(Verdict, NamesTheBestTransportAndTheRatioOfEachOther) {
  const json report = {{"scenarios", {verdict_scenario("sse", 22000), verdict_scenario("raw", 15500),
                                      verdict_scenario("ws", 26700)}}};
  const auto v = group_verdicts(report);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0]["group"], "g");
  EXPECT_EQ(v[0]["conditions"]["phase"], "spread");
  EXPECT_EQ(v[0]["conditions"]["server_cpus"], "0");
  const auto& cpu = v[0]["figures"][0];
  EXPECT_EQ(cpu["figure"], "server.cpu_ns_per_event");
  EXPECT_EQ(cpu["best"], "raw");
  ASSERT_EQ(cpu["entries"].size(), 3u);
  EXPECT_EQ(cpu["entries"][0]["noise"], "best");
  EXPECT_EQ(cpu["entries"][1]["transport"], "sse");
  EXPECT_NEAR(cpu["entries"][1]["ratio"].get<double>(), 22000.0 / 15500, 1e-9);
  EXPECT_EQ(cpu["entries"][1]["noise"], "single run");
  EXPECT_DOUBLE_EQ(cpu["entries"][2]["value"].get<double>(), 26.7);  // shown in us
  // A figure no scenario has is not judged.
  for (const auto& f : v[0]["figures"]) EXPECT_NE(f["figure"], "latency_us.corrected.p99");
  const auto text = format_verdict(v[0], "");
  EXPECT_NE(text.find("server CPU/event"), std::string::npos) << text;
  EXPECT_NE(text.find("raw best (15.5 us)"), std::string::npos) << text;
  EXPECT_NE(text.find("sse 1.42x (single run)"), std::string::npos) << text;
  EXPECT_NE(comparison_table(report).find("verdict (phase spread, server CPUs 0"), std::string::npos);
  EXPECT_EQ(text.find("busy-polled"), std::string::npos) << "the defaults are not spelled out";
}

TEST(Verdict, SaysWhenTheLoadGeneratorDidNotAckOrWaitAsAClientDoes) {
  json report = {{"scenarios", {verdict_scenario("sse", 22000), verdict_scenario("raw", 15500)}}};
  for (auto& s : report["scenarios"]) s["loadgen"] = {{"acks", "delayed"}, {"wait", "busy_poll"}};
  const auto v = group_verdicts(report);
  EXPECT_EQ(v[0]["conditions"]["loadgen_acks"], "delayed");
  EXPECT_EQ(v[0]["conditions"]["loadgen_wait"], "busy_poll");
  EXPECT_NE(format_verdict(v[0], "").find("(ACKs delayed; loadgen busy-polled)"), std::string::npos)
      << format_verdict(v[0], "");
}

TEST(Verdict, RepetitionsSeparateOnlyWhenTheRunsDoNotOverlap) {
  json apart = {{"scenarios", {verdict_scenario("sse", 22000, reps({21000, 22000, 23000})),
                               verdict_scenario("raw", 15500, reps({15000, 15500, 16000}))}}};
  EXPECT_EQ(group_verdicts(apart)[0]["figures"][0]["entries"][1]["noise"], "separated");
  EXPECT_EQ(group_verdicts(apart)[0]["conditions"]["runs"], 3);
  json overlap = {{"scenarios", {verdict_scenario("sse", 16000, reps({15200, 16000, 17000})),
                                 verdict_scenario("raw", 15500, reps({15000, 15500, 16000}))}}};
  EXPECT_EQ(group_verdicts(overlap)[0]["figures"][0]["entries"][1]["noise"], "within noise");
}

TEST(Verdict, LoneScenariosAndMalformedReportsGiveNoVerdict) {
  EXPECT_TRUE(group_verdicts(json::object()).empty());
  EXPECT_TRUE(group_verdicts({{"scenarios", {verdict_scenario("sse", 1)}}}).empty());
  EXPECT_TRUE(group_verdicts({{"scenarios", {1, "x", nullptr}}}).empty());
  // Keys of the wrong type are read as missing, never thrown on.
  json odd = {{"scenarios", {verdict_scenario("sse", 1), verdict_scenario("ws", 2)}}};
  odd["scenarios"][0]["group"] = nullptr;
  odd["scenarios"][0]["name"] = 7;
  odd["scenarios"][1]["transport"] = 5;
  odd["scenarios"][1]["repetitions"] = {{"runs", -3}};
  EXPECT_NO_THROW(group_verdicts(odd));
  odd["scenarios"][0]["group"] = "g";
  const auto v_odd = group_verdicts(odd);
  ASSERT_EQ(v_odd.size(), 1u);
  EXPECT_EQ(v_odd[0]["figures"][0]["entries"][1]["transport"], "?");
  const json zero = {{"scenarios", {verdict_scenario("sse", 0), verdict_scenario("ws", 5)}}};
  const auto v = group_verdicts(zero);
  EXPECT_TRUE(v[0]["figures"][0]["entries"][1]["ratio"].is_null());
  EXPECT_NE(format_verdict(v[0], "  ").find("ws 0.005 us"), std::string::npos);
}

}  // namespace
}  // namespace pushbench::loadgen
