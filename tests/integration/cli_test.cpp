// The CLI end to end: run a suite file with a matrix, validate and render its report, compare.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "helpers.hpp"

namespace pushbench::test {
namespace {

const std::string kOut = std::string(PUSHBENCH_BIN_DIR) + "/../cli-test";

TEST(Cli, RunsASuiteMatrixAndWritesAValidReport) {
  std::filesystem::create_directories(kOut);
  const std::string suite = kOut + "/suite.json";
  std::ofstream(suite) << R"({
    "name": "cli-test",
    "defaults": {"transports": ["sse", "ws"], "duration": 0.6, "warmup": 0.2, "drain": 0.5},
    "matrix": [{"group": "m-{size}B-{compression}",
                "axes": {"size": [128, 2048], "compression": ["none", "on"]},
                "exclude": [{"size": 128, "compression": "on"}],
                "fixed": {"connections": 3, "rate": 100}}]
  })";
  const std::string report = kOut + "/report.json";
  const auto [rc, out] = run_command(bin("pushbench") + " run --suite " + suite + " --out " +
                                         report + " 2>&1",
                                     120);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("m-2048B-on"), std::string::npos) << out;
  std::ifstream in(report);
  const auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j["scenarios"].size(), 6u);  // 3 matrix points x 2 transports
  EXPECT_EQ(j["suite"], "cli-test");
  for (const auto& s : j["scenarios"]) {
    EXPECT_EQ(s["events"]["lost"], 0) << s["name"];
    EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
    if (s["group"] == "m-2048B-on") {
      EXPECT_EQ(s["compression"]["algorithm"], s["transport"] == "sse" ? "gzip" : "permessage-deflate");
      EXPECT_EQ(s["compression"]["negotiated_connections"], 3);
      EXPECT_EQ(s["compression"]["level"], 6);
    }
  }
  const auto [vrc, vout] = run_command("/usr/bin/python3 " + source("scripts/validate_report.py") +
                                       " " + source("core/report.schema.json") + " " + report);
  EXPECT_EQ(vrc, 0) << vout;
  const auto [mrc, md] = run_command(bin("pushbench") + " report --format markdown " + report);
  EXPECT_EQ(mrc, 0);
  EXPECT_NE(md.find("| sse | ws |"), std::string::npos) << md;
  // A report compared with itself has no regression.
  const auto [crc, cout] = run_command(bin("pushbench") + " compare " + report + " " + report);
  EXPECT_EQ(crc, 0) << cout;
  // merge: runs of one build become one report with repetitions, valid and comparable.
  const std::string merged = kOut + "/merged.json";
  const auto [grc, gout] = run_command(bin("pushbench") + " merge " + report + " " + report +
                                       " " + report + " --out " + merged + " 2>&1");
  ASSERT_EQ(grc, 0) << gout;
  const auto m = nlohmann::json::parse(std::ifstream(merged));
  ASSERT_EQ(m["scenarios"].size(), 6u);
  EXPECT_EQ(m["scenarios"][0]["repetitions"]["runs"], 3);
  EXPECT_EQ(run_command("/usr/bin/python3 " + source("scripts/validate_report.py") + " " +
                        source("core/report.schema.json") + " " + merged)
                .first,
            0);
  EXPECT_EQ(run_command(bin("pushbench") + " compare " + report + " " + merged).first, 0);
  // A merged report is not merged again, and the error says why.
  const auto [erc, eout] =
      run_command(bin("pushbench") + " merge " + merged + " " + report + " -o " + kOut +
                  "/x.json 2>&1");
  EXPECT_EQ(erc, 1);
  EXPECT_NE(eout.find("already has repetitions"), std::string::npos) << eout;
}

TEST(Cli, CompareExitCodes) {
  std::filesystem::create_directories(kOut);
  auto report = [](double eps, double p99) {
    return nlohmann::json{
        {"scenarios",
         {{{"name", "s"}, {"group", "g"}, {"transport", "sse"},
           {"throughput", {{"events_per_s", eps}}},
           {"latency_us", {{"corrected", {{"p50", 10}, {"p99", p99}, {"p999", 300}}}}}}}}};
  };
  std::ofstream(kOut + "/base.json") << report(1000, 100);
  std::ofstream(kOut + "/slower.json") << report(1000, 150);
  std::ofstream(kOut + "/same.json") << report(1030, 104);
  std::ofstream(kOut + "/broken.json") << "{not json";
  const auto cmp = bin("pushbench") + " compare " + kOut + "/base.json ";
  EXPECT_EQ(run_command(cmp + kOut + "/slower.json").first, 1);
  EXPECT_EQ(run_command(cmp + kOut + "/same.json").first, 0);
  EXPECT_EQ(run_command(cmp + kOut + "/slower.json --threshold 60%").first, 0);
  EXPECT_EQ(run_command(cmp + kOut + "/broken.json 2>/dev/null").first, 2);
  EXPECT_EQ(run_command(cmp + kOut + "/missing.json 2>/dev/null").first, 2);
  EXPECT_EQ(run_command(cmp + kOut + "/same.json --threshold abc 2>/dev/null").first, 2);
  const auto [rc, md] = run_command(cmp + kOut + "/slower.json --format markdown");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(md.find("|---"), std::string::npos) << md;
}

TEST(Cli, CtrlCWritesTheReportOfWhatFinished) {
  std::filesystem::create_directories(kOut);
  const std::string suite = kOut + "/long-suite.json";
  std::ofstream(suite) << R"({"name": "long", "defaults": {"transports": ["raw"], "duration": 0.8,
    "warmup": 0.1, "drain": 0.2, "connections": 2, "rate": 50},
    "scenarios": [{"group": "a"}, {"group": "b"}, {"group": "c"}, {"group": "d"}, {"group": "e"}]})";
  const std::string report = kOut + "/interrupted.json";
  std::filesystem::remove(report);
  const auto [rc, out] = run_command(
      "sh -c '" + bin("pushbench") + " run --suite " + suite + " --out " + report +
          " & pid=$!; sleep 1.6; kill -INT $pid; wait $pid' 2>&1",
      60);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("interrupted"), std::string::npos) << out;
  std::ifstream in(report);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["interrupted"], true);
  EXPECT_GE(j["scenarios"].size(), 1u);
  EXPECT_LT(j["scenarios"].size(), 5u);
  for (const auto& s : j["scenarios"]) EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
}

TEST(Cli, BadSuiteIsAClearError) {
  std::filesystem::create_directories(kOut);
  std::ofstream(kOut + "/bad-suite.json") << R"({"scenarios":[{"group":"g","compression":"gzip","transports":["ws"]}]})";
  auto [rc, out] = run_command(bin("pushbench") + " run --suite " + kOut + "/bad-suite.json 2>&1");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("does not apply"), std::string::npos) << out;
  std::tie(rc, out) = run_command(bin("pushbench") + " run --suite no-such-suite 2>&1");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("cannot read suite"), std::string::npos) << out;
}

}  // namespace
}  // namespace pushbench::test
