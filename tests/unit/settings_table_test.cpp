// The workload settings table: the rows `pushbench load` and suite scenarios share, the query
// they make, and what shipped suites parse to through it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "loadgen/run/settings_table.hpp"
#include "loadgen/suite/runner.hpp"

using namespace pushbench;
using namespace pushbench::loadgen;

namespace {

const SuiteScenario& suite_scenario(const Suite& suite, const std::string& group) {
  const auto it = std::find_if(suite.scenarios.begin(), suite.scenarios.end(),
                               [&](const SuiteScenario& s) { return s.group == group; });
  if (it == suite.scenarios.end()) throw std::runtime_error("no group " + group);
  return *it;
}

/// The message parse_suite throws for `text`, or "" when it parses.
std::string suite_error(const char* text) {
  try {
    parse_suite(nlohmann::json::parse(text));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(SettingsTable, RowsNameTheOptionTheSuiteKeyAndTheQueryParameter) {
  EXPECT_EQ(workload_settings().size(), 8u);
  const auto& retry = workload_setting("retry_ms");
  EXPECT_EQ(long_flag(retry), "--retry-ms");
  EXPECT_STREQ(retry.query_key, "retry");
  EXPECT_EQ(long_flag(workload_setting("rate")), "--rate");
  EXPECT_STREQ(workload_setting("rate").flag, "--rate,-r");
  EXPECT_STREQ(workload_setting("drop_after").query_key, "drop_after");
  ASSERT_TRUE(workload_setting("keepalive").range);
  EXPECT_EQ(workload_setting("keepalive").range->first, 0.01);
  EXPECT_EQ(workload_setting("keepalive").range->second, 3600.0);
  EXPECT_THROW(workload_setting("connections"), std::out_of_range);
}

TEST(SettingsTable, QueryHoldsRateSizePayloadAndTheSetOptionalRows) {
  WorkloadSettings s;
  EXPECT_EQ(workload_query(s), "rate=100&size=256&payload=json");
  s.spec.rate = 0.5;
  s.spec.topic = "a b";
  s.spec.keepalive_s = 5;
  s.spec.retry_ms = 200;
  s.payload = "text";
  EXPECT_EQ(workload_query(s), "retry=200&rate=0.5&size=256&payload=text&topic=a%20b&keepalive=5");
}

TEST(SettingsTable, ShippedSuitesParseToTheirValues) {
  const auto quick = load_suite("quick");
  const auto& broadcast = suite_scenario(quick, "broadcast-200x50/s-512B");
  EXPECT_EQ(broadcast.load.connections, 200u);
  EXPECT_EQ(broadcast.load.spec.rate, 50);
  EXPECT_EQ(broadcast.load.spec.size, 512u);
  EXPECT_EQ(broadcast.load.spec.payload, PayloadKind::json);
  EXPECT_EQ(broadcast.load.spec.topic, "quick");
  EXPECT_FALSE(broadcast.load.spec.count);
  EXPECT_FALSE(broadcast.load.spec.keepalive_s);

  const auto workloads = load_suite("workloads");
  const auto& idle = suite_scenario(workloads, "idle-10000-keepalive-5s");
  EXPECT_EQ(idle.load.connections, 10000u);
  EXPECT_EQ(idle.load.spec.rate, 0.001);
  EXPECT_EQ(idle.load.spec.size, 64u);
  EXPECT_EQ(idle.load.spec.keepalive_s, 5.0);
  EXPECT_EQ(idle.load.duration_s, 10);
  EXPECT_EQ(idle.load.warmup_s, 4);
  EXPECT_FALSE(idle.load.spec.topic);

  const auto throughput = load_suite("throughput");
  const auto& million = suite_scenario(throughput, "1m-slack1ms");
  EXPECT_EQ(million.load.connections, 10u);
  EXPECT_EQ(million.load.spec.rate, 100000);
  EXPECT_EQ(million.load.spec.size, 64u);
  EXPECT_EQ(million.load.server_timer_slack_us, 1000u);

  // The compression curve: 5,000 events/s in all at every connection count, and each matrix
  // cell's zlib settings reach the server's flags.
  const auto curve = load_suite("compression_curve");
  for (const char* group : {"conn-1", "conn-5", "conn-50", "conn-500", "conn-50-l6-m8-w15"}) {
    const auto& s = suite_scenario(curve, group);
    EXPECT_DOUBLE_EQ(static_cast<double>(s.load.connections) * s.load.spec.rate, 5000.0) << group;
  }
  const auto& cheap = suite_scenario(curve, "conn-50-l1-m4-w10");
  const auto& args = cheap.server_args;
  const auto flag = [&](const std::string& name) {
    const auto at = std::find(args.begin(), args.end(), name);
    return at == args.end() || at + 1 == args.end() ? std::string() : *(at + 1);
  };
  EXPECT_EQ(flag("--deflate-level"), "1");
  EXPECT_EQ(flag("--deflate-mem-level"), "4");
  EXPECT_EQ(flag("--deflate-window-bits"), "10");
  EXPECT_EQ(suite_scenario(curve, "conn-50-none").compression, "none");
}

TEST(SettingsTable, SuiteValuesOutsideTheRowRangeAreErrors) {
  EXPECT_EQ(suite_error(R"({"scenarios":[{"group":"g","rate":2000000}]})"),
            "suite: g: rate must be in [0.001, 1000000]");
  EXPECT_EQ(suite_error(R"({"scenarios":[{"group":"g","keepalive":0.001}]})"),
            "suite: g: keepalive must be in [0.01, 3600]");
  EXPECT_EQ(suite_error(R"({"scenarios":[{"group":"g","retry_ms":3600001}]})"),
            "suite: g: retry_ms must be in [0, 3600000]");
  EXPECT_EQ(suite_error(R"({"scenarios":[{"group":"g","size":1048577}]})"),
            "suite: g: size must be in [0, 1048576]");
  EXPECT_EQ(suite_error(R"({"defaults":{"drop_after":0},"scenarios":[{"group":"g"}]})"),
            "suite: g: drop_after must be in [0.001, 86400]");
  // The query's own validation still judges what the rows do not check.
  EXPECT_NE(suite_error(R"({"scenarios":[{"group":"g","payload":"bogus"}]})"), "");
  EXPECT_EQ(suite_error(R"({"scenarios":[{"group":"g","rate":1000000,"drop_after":86400}]})"), "");
  const auto s = parse_suite(nlohmann::json::parse(
      R"({"defaults":{"retry_ms":0,"count":3},"scenarios":[{"group":"g","drop_after":2}]})"));
  EXPECT_EQ(s.scenarios[0].load.spec.retry_ms, 0u);
  EXPECT_EQ(s.scenarios[0].load.spec.count, 3u);
  EXPECT_EQ(s.scenarios[0].load.spec.drop_after_s, 2.0);
}
