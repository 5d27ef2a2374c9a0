// Sharded load: load --shard K/N and --start-at.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>

#include "core/sysinfo.hpp"
#include "helpers.hpp"
#include "loadgen/load.hpp"

namespace pushbench::test {
namespace {

using loadgen::LoadConfig;
using loadgen::ServerProcess;
using json = nlohmann::json;

const std::string kOut = std::string(PUSHBENCH_BIN_DIR) + "/../shard-test";

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

TEST(Shards, ThreeShardsOfACountedRunTileIt) {
  ServerProcess server(bin("pushbench-server"), "sse", 2);
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
  }
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

}  // namespace
}  // namespace pushbench::test
