// Sharded load (load --shard K/N, --start-at), shard merging (merge --shards) and run --shards.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>

#include "core/measure/cpu_affinity.hpp"
#include "core/measure/histogram.hpp"
#include "core/measure/sysinfo.hpp"
#include "helpers.hpp"
#include "loadgen/report/shard_merge.hpp"
#include "loadgen/run/load.hpp"
#include "loadgen/suite/shard_run.hpp"

namespace pushbench::test {
namespace {

using loadgen::LoadConfig;
using loadgen::ServerProcess;
using loadgen::ShardReport;
using json = nlohmann::json;
using pushbench::LatencyHistogram;

const std::string kShardOut = std::string(PUSHBENCH_BIN_DIR) + "/../shard-test";

LoadConfig counted(std::uint16_t port, const std::string& transport) {
  LoadConfig lc;
  lc.url = url_for(transport, port);
  lc.connections = 10;
  lc.spec.rate = 200;
  lc.spec.count = 60;
  lc.warmup_s = 0;
  lc.duration_s = 20;  // a cap: the run ends when every stream has sent its 60 events
  lc.drain_s = 1;
  return lc;
}

json as_report(const json& scenario) {
  return loadgen::make_report(json::array({scenario}), "test", std::nullopt, utc_timestamp());
}

int validate(const std::string& path) {
  return run_command("/usr/bin/python3 " + source("scripts/validate_report.py") + " " +
                     source("core/report.schema.json") + " " + path)
      .first;
}

std::string expect_merge_error(std::vector<ShardReport> shards) {
  try {
    loadgen::merge_shards(shards);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "merge_shards accepted bad shards";
  return {};
}

TEST(Shards, ThreeShardsOfACountedRunTileItAndMergeExactly) {
  ServerProcess server(bin("pushbench-server"), "sse", 2);
  std::vector<ShardReport> shards;
  for (unsigned k = 0; k < 3; ++k) {
    LoadConfig lc = counted(server.port(), "sse");
    lc.shard = loadgen::ShardSpec{k, 3};
    lc.seed = 42;
    lc.name = "counted";
    const json s = loadgen::run_load(lc);
    EXPECT_EQ(s["shard"]["index"], k);
    EXPECT_EQ(s["shard"]["count"], 3);
    EXPECT_EQ(s["shard"]["first_connection"], (std::vector<int>{0, 4, 7}[k]));
    EXPECT_EQ(s["shard"]["connections"], k == 0 ? 4 : 3);  // the remainder goes to shard 0
    EXPECT_EQ(s["shard"]["seed"], 42);
    EXPECT_EQ(s["workload"]["connections"], k == 0 ? 4 : 3);
    EXPECT_EQ(s["events"]["expected"], (k == 0 ? 4 : 3) * 60);
    EXPECT_EQ(s["events"]["received"], (k == 0 ? 4 : 3) * 60);
    shards.push_back({"shard" + std::to_string(k) + ".json", as_report(s)});
  }
  // Given in any order, the shards merge into the run of 10 connections.
  std::swap(shards[0], shards[2]);
  const json m = loadgen::merge_shards(shards);
  const json& s = m["scenarios"][0];
  EXPECT_EQ(s["workload"]["connections"], 10);
  EXPECT_EQ(s["events"]["expected"], 600);
  EXPECT_EQ(s["events"]["received"], 600);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["latency_us"]["corrected"]["count"], 600);
  EXPECT_EQ(s["connect_us"]["count"], 10);
  EXPECT_FALSE(s.contains("shard"));
  ASSERT_EQ(s["shards"]["each"].size(), 3u);
  EXPECT_EQ(s["shards"]["each"][0]["source"], "shard0.json");
  EXPECT_EQ(m["merged_shards"].size(), 3u);
  // Percentiles come from the added bins: the merged p99 is that of a histogram of all events.
  LatencyHistogram all;
  double cpu = 0;
  for (const auto& sh : shards) {
    const json& sc = sh.report["scenarios"][0];
    all.merge(*LatencyHistogram::from_json(sc["histograms"]["latency_corrected"],
                                           sc["latency_us"]["corrected"]));
    cpu += sc["loadgen"]["cpu_s"].get<double>();
  }
  EXPECT_EQ(s["latency_us"]["corrected"], to_json(all.summary_us()));
  EXPECT_DOUBLE_EQ(s["loadgen"]["cpu_s"].get<double>(), cpu);

  std::filesystem::create_directories(kShardOut);
  const std::string path = kShardOut + "/merged.json";
  loadgen::write_report(m, path);
  EXPECT_EQ(validate(path), 0);
  const auto [rrc, table] = run_command(bin("pushbench") + " report " + path);
  EXPECT_EQ(rrc, 0) << table;
  EXPECT_EQ(run_command(bin("pushbench") + " compare " + path + " " + path).first, 0);

  // Refusals, each naming the problem.
  EXPECT_NE(expect_merge_error({shards[0], shards[1]}).find("reports were given"),
            std::string::npos);
  EXPECT_NE(expect_merge_error({shards[0], shards[1], shards[1]}).find("appears twice"),
            std::string::npos);
  auto other = shards;
  other[1].report["tool"]["git_sha"] = "0000000";
  EXPECT_NE(expect_merge_error(other).find("commit"), std::string::npos);
  other = shards;
  other[1].report["scenarios"][0]["workload"]["rate_per_stream"] = 100;
  EXPECT_NE(expect_merge_error(other).find("rate_per_stream"), std::string::npos);
  for (const char* policy : {"acks", "wait"}) {
    other = shards;
    other[2].report["scenarios"][0]["loadgen"][policy] = "another";
    EXPECT_NE(expect_merge_error(other).find(std::string("loadgen/") + policy), std::string::npos)
        << "shards that ACK or wait differently are not one run";
  }
  other = shards;
  other[1].report["scenarios"][0]["shard"]["seed"] = 7;
  EXPECT_NE(expect_merge_error(other).find("another plan"), std::string::npos);
  other = shards;
  other[2].report["scenarios"][0]["histograms"]["connect"]["bins_per_decade"] = 100;
  EXPECT_NE(expect_merge_error(other).find("layout"), std::string::npos);
  other = shards;
  other[0].report["scenarios"][0].erase("shard");
  EXPECT_NE(expect_merge_error(other).find("no shard section"), std::string::npos);

  // The CLI: a missing shard is a clear error, all three merge.
  for (const auto& sh : shards) loadgen::write_report(sh.report, kShardOut + "/" + sh.source);
  const auto [mrc, mout] =
      run_command(bin("pushbench") + " merge --shards " + kShardOut + "/shard0.json " + kShardOut +
                  "/shard2.json --out " + kShardOut + "/m2.json 2>&1");
  EXPECT_EQ(mrc, 1);
  EXPECT_NE(mout.find("shard0.json is shard 0 of 3, but 2 reports were given"), std::string::npos)
      << mout;
  const auto [orc, oout] =
      run_command(bin("pushbench") + " merge --shards " + kShardOut + "/shard0.json " + kShardOut +
                  "/shard1.json " + kShardOut + "/shard2.json --out " + kShardOut + "/m3.json 2>&1");
  EXPECT_EQ(orc, 0) << oout;
  EXPECT_EQ(validate(kShardOut + "/m3.json"), 0);
}

// Each shard checks its own CPUs for --busy-poll; run --shards must not put two spinning shards
// on one CPU between them (refused before any shard starts).
TEST(Shards, BusyPollShardsThatWouldShareACpuAreRefused) {
  LoadConfig lc;
  lc.url = "tcp://127.0.0.1:9";
  lc.connections = 4;
  lc.busy_poll = true;
  EXPECT_THROW(loadgen::run_shards(lc, 3, {0, 1}), std::runtime_error) << "3 shards, 2 CPUs";
  EXPECT_THROW(loadgen::run_shards(lc, 2, {0}), std::runtime_error)
      << "one CPU listed: the shards are not pinned apart";
  lc.threads = allowed_cpus();
  EXPECT_THROW(loadgen::run_shards(lc, 2, {}), std::runtime_error) << "unpinned: 2 x all CPUs";
}

// Unpinned spinning shards on one host get CPUs of their own from this process's mask, rather
// than each pinning its worker to the mask's first CPU: the merge lists them on distinct CPUs.
TEST(Shards, UnpinnedBusyPollShardsSpinOnCpusOfTheirOwn) {
  const std::vector<int> mine = affinity_cpu_list();
  if (mine.size() < 2 || allowed_cpus() < 2) GTEST_SKIP() << "needs two CPUs";
  ServerProcess server(bin("pushbench-server"), "raw", 1);
  LoadConfig lc = counted(server.port(), "raw");
  lc.connections = 2;
  lc.threads = 1;
  lc.busy_poll = true;
  const json s = loadgen::run_shards(lc, 2, {});
  EXPECT_EQ(s["loadgen"]["worker_cpus"], std::to_string(mine[0]) + ";" + std::to_string(mine[1]));
  EXPECT_EQ(s["events"]["received"], 2 * 60);
  EXPECT_EQ(s["events"]["lost"], 0);
}

TEST(Shards, BadShardOrStartIsAClearError) {
  const std::string load = bin("pushbench") + " load --url http://127.0.0.1:9/sse -d 1 ";
  for (const char* bad : {"3/2", "0/0", "two", "1/"}) {
    const auto [rc, out] = run_command(load + "--shard " + bad + " 2>&1");
    EXPECT_EQ(rc, 1) << bad << ": " << out;
    EXPECT_NE(out.find("--shard must be K/N"), std::string::npos) << out;
  }
  auto [rc, out] = run_command(load + "--shard 1/3 2>&1");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("needs --seed"), std::string::npos) << out;
  std::tie(rc, out) = run_command(load + "--start-at soon 2>&1");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("RFC 3339"), std::string::npos) << out;
  std::tie(rc, out) = run_command(load + "--start-at 2020-01-01T00:00:00Z 2>&1");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("missed the start"), std::string::npos) << out;
  std::tie(rc, out) = run_command(load + "-c 2 --shard 2/3 --seed 1 2>&1");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("leave this shard none"), std::string::npos) << out;
}

TEST(Shards, StartAtBeginsConcurrentShardsAtOneInstant) {
  ServerProcess server(bin("pushbench-server"), "ws", 2);
  const std::int64_t at = realtime_ns() + 700'000'000;
  std::vector<std::future<json>> runs;
  for (unsigned k = 0; k < 2; ++k) {
    runs.push_back(std::async(std::launch::async, [&, k] {
      LoadConfig lc = counted(server.port(), "ws");
      lc.spec.count = 20;
      lc.shard = loadgen::ShardSpec{k, 2};
      lc.start_at_ns = at;
      return loadgen::run_load(lc);
    }));
  }
  for (auto& r : runs) {
    const json s = r.get();
    const json& clock = s["clock"];
    EXPECT_EQ(clock["source"], "CLOCK_REALTIME");
    EXPECT_EQ(clock["start_at_ns"], at);
    EXPECT_EQ(s["shard"]["seed"], at);  // the start time seeds both shards alike
    ASSERT_TRUE(clock["start_skew_us"].is_number());
    const double skew = clock["start_skew_us"].get<double>();
    EXPECT_GE(skew, 0);
    EXPECT_LT(skew, 50'000);
    std::cout << "shard " << s["shard"]["index"] << " start skew " << skew << " us, clock "
              << clock["clocksource"] << ", sync " << clock["sync"].dump() << "\n";
    EXPECT_EQ(s["events"]["received"], 5 * 20);
  }
}

TEST(Shards, RunWithThreeShardsEqualsTheSingleRun) {
  std::filesystem::create_directories(kShardOut);
  const std::string suite = kShardOut + "/suite.json";
  std::ofstream(suite) << R"({"name": "shards",
    "defaults": {"transports": ["sse", "ws"], "warmup": 0, "duration": 20, "drain": 1},
    "scenarios": [{"group": "counted", "connections": 12, "rate": 200, "count": 500}]})";
  const std::string single = kShardOut + "/single.json", sharded = kShardOut + "/sharded.json";
  const auto [src, sout] =
      run_command(bin("pushbench") + " run --suite " + suite + " --out " + single + " 2>&1", 90);
  ASSERT_EQ(src, 0) << sout;
  const auto [rc, out] =
      run_command(bin("pushbench") + " run --suite " + suite +
                      " --shards 3 --loadgen-cpus 0-1 --out " + sharded + " 2>&1",
                  90);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(validate(sharded), 0);
  const json a = json::parse(std::ifstream(single)), b = json::parse(std::ifstream(sharded));
  ASSERT_EQ(a["scenarios"].size(), 2u);
  ASSERT_EQ(b["scenarios"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const json& one = a["scenarios"][i];
    const json& three = b["scenarios"][i];
    EXPECT_EQ(three["name"], one["name"]);
    EXPECT_EQ(three["shards"]["each"].size(), 3u);
    EXPECT_EQ(three["workload"]["connections"], 12);
    EXPECT_EQ(one["events"]["expected"], 6000);
    EXPECT_EQ(three["events"]["expected"], one["events"]["expected"]);
    EXPECT_EQ(three["events"]["received"], one["events"]["received"]);
    EXPECT_EQ(three["latency_us"]["corrected"]["count"], one["latency_us"]["corrected"]["count"]);
    EXPECT_TRUE(three["server"]["cpu_s"].is_number());  // sampled by shard 0
    // Latency: the median within the histogram's 1 % plus scheduling noise of a shared 2-core
    // machine (three load generators and a server on 2 cores). 500 events a connection spread
    // the run over 2.5 s, so one hiccup of a busy runner cannot move the median (with 100, over
    // 0.5 s, a sub-second stall once made it 2.7 ms against 0.14 ms). The p99 of two separate
    // runs is 60 events' worth of scheduling luck (it differed by 12 ms under ASan at a load
    // average of 1): it is printed, not bounded. That a merged p99 is the p99 of all events is asserted
    // exactly in ThreeShardsOfACountedRunTileItAndMergeExactly.
    for (const char* q : {"p50", "p99"}) {
      const double x = one["latency_us"]["corrected"][q].get<double>();
      const double y = three["latency_us"]["corrected"][q].get<double>();
      if (q == std::string("p50")) {
        EXPECT_LE(std::fabs(x - y), 0.01 * std::max(x, y) + 2'000) << one["name"] << " " << q;
      }
      std::cout << one["name"].get<std::string>() << " " << q << ": single " << x
                << " us, 3 shards " << y << " us\n";
    }
    std::cout << one["name"].get<std::string>() << " expected/received: single "
              << one["events"]["expected"] << "/" << one["events"]["received"] << ", 3 shards "
              << three["events"]["expected"] << "/" << three["events"]["received"]
              << ", max start skew " << three["clock"]["start_skew_us"] << " us\n";
  }
  // A shard that cannot run fails the run, naming it.
  std::ofstream(kShardOut + "/tiny.json") << R"({"name": "tiny", "defaults": {"transports": ["sse"]},
    "scenarios": [{"group": "tiny", "connections": 2, "rate": 10, "duration": 0.2}]})";
  const auto [trc, tout] = run_command(bin("pushbench") + " run --suite " + kShardOut +
                                       "/tiny.json --shards 3 --out " + kShardOut + "/t.json 2>&1");
  EXPECT_EQ(trc, 1);
  EXPECT_NE(tout.find("shard 2/3 failed"), std::string::npos) << tout;
}

/// Runs `lc` as `n` concurrent shards starting together and merges their reports.
json run_concurrent_shards(LoadConfig lc, unsigned n) {
  lc.start_at_ns = realtime_ns() + 600'000'000;
  std::vector<std::future<json>> runs;
  for (unsigned k = 0; k < n; ++k) {
    runs.push_back(std::async(std::launch::async, [lc, k, n]() mutable {
      lc.shard = loadgen::ShardSpec{k, n};
      return loadgen::run_load(lc);
    }));
  }
  std::vector<ShardReport> shards;
  for (auto& r : runs) shards.push_back({"shard", as_report(r.get())});
  return loadgen::merge_shards(shards)["scenarios"][0];
}

TEST(Shards, WorkloadSectionsMerge) {
  ServerProcess server(bin("pushbench-server"), "ws", 2);
  LoadConfig storm = counted(server.port(), "ws");
  storm.connections = 20;
  storm.connect_rate = 40;  // 0.5 s for all 20, ids paced globally over both shards
  storm.spec.count.reset();
  storm.spec.rate = 10;
  storm.duration_s = 1;
  const json s = run_concurrent_shards(storm, 2);
  EXPECT_EQ(s["storm"]["established"], 20);
  EXPECT_EQ(s["storm"]["failed"], 0);
  ASSERT_TRUE(s["storm"]["achieved_connects_per_s"].is_number()) << s["storm"].dump();
  const double rate = s["storm"]["achieved_connects_per_s"].get<double>();
  EXPECT_GT(rate, 30);  // 19 intervals over ~0.475 s: 40/s, not one shard's 20/s
  EXPECT_LT(rate, 60);
  EXPECT_EQ(s["connect_us"]["count"], 20);

  LoadConfig chat = counted(server.port(), "ws");
  chat.connections = 4;
  chat.chat = true;
  chat.spec.count.reset();
  chat.spec.rate = 20;
  chat.duration_s = 0.6;
  const json c = run_concurrent_shards(chat, 2);
  for (const auto& each : c["shards"]["each"]) EXPECT_EQ(each["connections"], 2);
  const auto sent = c["chat"]["messages_sent"].get<std::uint64_t>();
  EXPECT_GT(sent, 30u);
  EXPECT_EQ(c["workload"]["connections"], 4);
  EXPECT_EQ(c["events"]["lost"], 0);
}

}  // namespace
}  // namespace pushbench::test
