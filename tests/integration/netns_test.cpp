// Multi-host sharding on one machine: network namespaces as hosts on a veth bridge (addresses
// from the benchmarking range 198.18.0.0/15), the server in one, three shards in others started
// with one --start-at. The bridge lives in a namespace of its own, so the machine's own network
// gets nothing and nothing leaves it; everything is removed afterwards, also on failure.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/base/clock.hpp"
#include "helpers.hpp"

extern char** environ;

namespace pushbench::test {
namespace {

using json = nlohmann::json;

const std::string kNetnsOut = std::string(PUSHBENCH_BIN_DIR) + "/../netns-test";

int sh(const std::string& cmd) {
  return run_command(cmd + " >/dev/null 2>&1", 10).first;
}

/// Namespaces and a server process, removed (by name and pid) when the test ends in any way.
struct Hosts {
  std::string prefix = "pbs" + std::to_string(getpid()) + "-";
  std::vector<std::string> made;
  pid_t server = -1;

  std::string add(const std::string& name) {
    const std::string ns = prefix + name;
    if (sh("ip netns add " + ns) != 0) throw std::runtime_error("ip netns add " + ns + " failed");
    made.push_back(ns);
    return ns;
  }
  ~Hosts() {
    if (server > 0) {
      kill(server, SIGTERM);
      waitpid(server, nullptr, 0);
    }
    for (const auto& ns : made) sh("ip netns del " + ns);  // takes its veth ends with it
  }
};

TEST(MultiHost, ShardsInNetworkNamespacesStartTogetherAndMerge) {
  if (geteuid() != 0) GTEST_SKIP() << "creating network namespaces needs root";
  if (sh("ip netns list") != 0) GTEST_SKIP() << "no `ip netns` (iproute2) here";
  std::filesystem::create_directories(kNetnsOut);
  Hosts hosts;
  const std::string sw = hosts.add("sw");
  ASSERT_EQ(sh("ip -n " + sw + " link add br0 type bridge && ip -n " + sw + " link set br0 up"), 0);
  std::vector<std::string> ns;
  for (int i = 0; i < 4; ++i) {  // 198.18.0.1: server; .2-.4: shards
    const std::string h = hosts.add(i == 0 ? "srv" : "lg" + std::to_string(i - 1));
    const std::string v = "v" + std::to_string(i);
    ASSERT_EQ(sh("ip -n " + sw + " link add " + v + " type veth peer name eth0 netns " + h +
                 " && ip -n " + sw + " link set " + v + " master br0 up && ip -n " + h +
                 " addr add 198.18.0." + std::to_string(i + 1) + "/24 dev eth0 && ip -n " + h +
                 " link set eth0 up && ip -n " + h + " link set lo up"),
              0);
    ns.push_back(h);
  }
  const std::string port_file = kNetnsOut + "/port";
  std::filesystem::remove(port_file);
  const std::string server_bin = bin("pushbench-server");
  std::vector<std::string> args = {"ip",           "netns",       "exec",    ns[0],
                                   server_bin,     "--transport", "sse",     "--listen",
                                   "198.18.0.1:0", "--port-file", port_file, "--quiet"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ASSERT_EQ(posix_spawnp(&hosts.server, "ip", nullptr, nullptr, argv.data(), environ), 0);
  std::string port;
  for (int i = 0; i < 500 && port.empty(); ++i) {
    std::ifstream(port_file) >> port;
    if (port.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(port.empty()) << "the server in " << ns[0] << " did not start";

  const std::int64_t at = realtime_ns() + 2'000'000'000;
  std::vector<std::future<std::pair<int, std::string>>> shards;
  for (int k = 0; k < 3; ++k) {
    const std::string cmd = "ip netns exec " + ns[k + 1] + " " + bin("pushbench") +
                            " load --url http://198.18.0.1:" + port +
                            "/sse -c 8 --count 50 --rate 100 -w 0 -d 20 --drain 1 --shard " +
                            std::to_string(k) + "/3 --start-at " + std::to_string(at) +
                            " --name netns --out " + kNetnsOut + "/shard" + std::to_string(k) +
                            ".json 2>&1";
    shards.push_back(std::async(std::launch::async, [cmd] { return run_command(cmd, 40); }));
  }
  for (auto& f : shards) {
    const auto [rc, out] = f.get();
    EXPECT_EQ(rc, 0) << out;
  }
  double worst = 0;
  for (int k = 0; k < 3; ++k) {
    const json r = json::parse(std::ifstream(kNetnsOut + "/shard" + std::to_string(k) + ".json"));
    const json& s = r["scenarios"][0];
    EXPECT_EQ(s["clock"]["start_at_ns"], at);
    EXPECT_FALSE(s["clock"]["same_host"].get<bool>());  // 198.18.0.1 is another "host"
    const double skew = s["clock"]["start_skew_us"].get<double>();
    EXPECT_GE(skew, 0);
    worst = std::max(worst, skew);
    std::cout << "netns shard " << k << " (" << ns[k + 1] << ", connections "
              << s["shard"]["first_connection"] << "+" << s["shard"]["connections"]
              << "): start skew " << skew << " us\n";
  }
  EXPECT_LT(worst, 50'000);  // one kernel clock: the skew is wake-up latency only
  const std::string merged = kNetnsOut + "/merged.json";
  const auto [mrc, mout] =
      run_command(bin("pushbench") + " merge --shards " + kNetnsOut + "/shard0.json " + kNetnsOut +
                  "/shard1.json " + kNetnsOut + "/shard2.json --out " + merged + " 2>&1");
  ASSERT_EQ(mrc, 0) << mout;
  const json m = json::parse(std::ifstream(merged));
  const json& s = m["scenarios"][0];
  EXPECT_EQ(s["events"]["expected"], 8 * 50);
  EXPECT_EQ(s["events"]["received"], 8 * 50);
  EXPECT_EQ(s["clock"]["start_skew_us"].get<double>(), worst);
  EXPECT_EQ(run_command("/usr/bin/python3 " + source("scripts/validate_report.py") + " " +
                        source("core/report.schema.json") + " " + merged)
                .first,
            0);
}

TEST(MultiHost, NamespacesAreGoneAfterwards) {
  // (Each test runs in a process of its own: any test's namespaces count.)
  const auto [rc, out] = run_command("ip netns list 2>/dev/null | grep -c '^pbs[0-9]*-' || true");
  EXPECT_EQ(out, "0\n") << "left behind: " << out;
}

}  // namespace
}  // namespace pushbench::test
