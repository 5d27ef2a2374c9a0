// Real server processes on ephemeral loopback ports, driven by the load generator.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/measure/cpu_affinity.hpp"
#include "core/measure/sysinfo.hpp"
#include "core/net/tls.hpp"
#include "helpers.hpp"
#include "loadgen/run/load.hpp"

namespace pushbench::test {
namespace {

using loadgen::LoadConfig;
using loadgen::ServerProcess;


class TransportLoad : public ::testing::TestWithParam<std::string> {};

TEST_P(TransportLoad, CountedStreamArrivesCompletelyWithLatencyAndWireBytes) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 2);
  LoadConfig lc;
  lc.url = url_for(GetParam(), server.port());
  lc.connections = 8;
  lc.threads = 2;
  lc.spec.rate = 400;
  lc.spec.size = 300;
  lc.spec.count = 200;
  lc.warmup_s = 0;
  lc.duration_s = 20;  // a cap: the run ends when every stream has ended
  lc.verify_payload = true;
  lc.server_pid = server.pid();
  const auto s = loadgen::run_load(lc);

  EXPECT_EQ(s["events"]["expected"], 8 * 200);
  EXPECT_EQ(s["events"]["received"], 8 * 200);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["duplicated"], 0);
  EXPECT_EQ(s["events"]["out_of_order"], 0);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  ASSERT_TRUE(s["latency_us"]["corrected"].is_object());
  EXPECT_EQ(s["latency_us"]["corrected"]["count"], 8 * 200);
  EXPECT_EQ(s["latency_us"]["uncorrected"]["count"], 8 * 200);
  EXPECT_GT(s["latency_us"]["corrected"]["p50"].get<double>(), 0);
  EXPECT_GE(s["latency_us"]["corrected"]["max"].get<double>(),
            s["latency_us"]["corrected"]["p99"].get<double>());
  EXPECT_GT(s["wire"]["bytes_received"].get<std::uint64_t>(), 8u * 200 * 300);
  EXPECT_GT(s["wire"]["bytes_per_event"].get<double>(), 300.0);
  EXPECT_GT(s["wire"]["bytes_sent"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(s["connect_us"]["count"], 8);
  EXPECT_TRUE(s["server"]["cpu_s"].is_number());
  EXPECT_TRUE(s["server"]["rss_bytes_peak"].is_number());
  EXPECT_EQ(s["transport"], GetParam() == "sse" ? "sse" : GetParam() == "ws" ? "ws" : "raw");
  EXPECT_EQ(s["loadgen"]["acks"], "kernel");
  EXPECT_EQ(s["loadgen"]["wait"], "block");
  EXPECT_GT(s["wire"]["segments_sent"].get<std::uint64_t>(), 0u);

  // The report it belongs to validates against the published schema.
  const std::string path = std::string(PUSHBENCH_BIN_DIR) + "/../test-report-" + GetParam() + ".json";
  loadgen::write_report(loadgen::make_report(nlohmann::json::array({s}), "test", std::nullopt, utc_timestamp()),
                        path);
  const auto [rc, out] = run_command("/usr/bin/python3 " + source("scripts/validate_report.py") +
                                     " " + source("core/report.schema.json") + " " + path);
  EXPECT_EQ(rc, 0) << out;
}

TEST_P(TransportLoad, TimedWindowExcludesWarmupAndLosesNothing) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  LoadConfig lc;
  lc.url = url_for(GetParam(), server.port());
  lc.connections = 4;
  lc.spec.rate = 200;
  lc.spec.size = 128;
  lc.warmup_s = 0.3;
  lc.duration_s = 1.0;
  const auto s = loadgen::run_load(lc);
  // 4 streams x 200/s x 1 s, give or take the event that straddles each window edge.
  const auto expected = s["events"]["expected"].get<std::uint64_t>();
  EXPECT_NEAR(static_cast<double>(expected), 800.0, 8.0);
  EXPECT_EQ(s["events"]["received"], expected);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  EXPECT_NEAR(s["throughput"]["events_per_s"].get<double>(), 800.0, 40.0);
}

TEST_P(TransportLoad, BroadcastTopicReachesEverySubscriber) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 2);
  LoadConfig lc;
  lc.url = url_for(GetParam(), server.port());
  lc.connections = 6;
  lc.threads = 2;
  lc.spec.rate = 300;
  lc.spec.size = 200;
  lc.spec.topic = "t-" + GetParam();
  lc.warmup_s = 0.3;
  lc.duration_s = 1.0;
  lc.verify_payload = true;
  const auto s = loadgen::run_load(lc);
  EXPECT_EQ(s["workload"]["kind"], "broadcast");
  EXPECT_NEAR(s["events"]["expected"].get<double>(), 6 * 300, 12);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
}

/// Every one of `n` events arrived, in order, without an error: what a client-side policy
/// (--delayed-acks, --busy-poll) must leave as it was.
void expect_every_event(const nlohmann::json& s, int n) {
  EXPECT_EQ(s["events"]["received"], n);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["out_of_order"], 0);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
}

// --delayed-acks changes how often the client ACKs, not what arrives: every event, in order,
// byte for byte, and the report says which policy the run used.
TEST_P(TransportLoad, DelayedAcksLoseNothingAndAreReported) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  const auto s = load_scenario(url_for(GetParam(), server.port()),
                               "--delayed-acks -c 4 -r 400 -s 300 --count 200 -w 0 -d 20 "
                               "--verify-payload");
  EXPECT_EQ(s["loadgen"]["acks"], "delayed");
  // An ACK every second segment, each event its own segment here: about 0.5 per event (the
  // kernel's default sends one per read, 1 per event when the reader keeps up).
  const double segments_per_event = s["wire"]["segments_sent"].get<double>() / (4 * 200);
  EXPECT_LE(segments_per_event, 0.75) << "the sockets were not in delayed-ACK mode";
  expect_every_event(s, 4 * 200);
}

// --busy-poll changes how the worker waits, not what arrives: every event, in order, byte for
// byte, with the worker never blocking (its voluntary context switches are the wake-ups a
// blocking worker has, one per event at this rate), and a busy share that is its work, not its
// spinning.
TEST_P(TransportLoad, BusyPollLosesNothingNeverSleepsAndIsReported) {
  ServerProcess server(bin("pushbench-server"), GetParam(), 1);
  const auto s = load_scenario(url_for(GetParam(), server.port()),
                               "--busy-poll -c 1 -r 200 -s 100 --count 200 -w 0 -d 20 "
                               "--verify-payload");
  EXPECT_EQ(s["loadgen"]["wait"], "busy_poll");
  EXPECT_LT(s["loadgen"]["wakeups_per_event"].get<double>(), 0.25)
      << "a worker that blocks wakes about once per event at 200 events/s";
  EXPECT_EQ(s["loadgen"]["saturated"], false) << "the spinning is not counted as busy";
  EXPECT_GT(s["loadgen"]["max_thread_busy"].get<double>(), 0) << "the handlers' time is";
  EXPECT_TRUE(s["loadgen"]["cpu_ns_per_event"].is_null()) << "spinning is not a cost per event";
  expect_every_event(s, 200);
  EXPECT_TRUE(has_warning(s, "busy-polled"))
      << "the report says its CPU figure includes the spinning: " << s["warnings"];
}

INSTANTIATE_TEST_SUITE_P(AllTransports, TransportLoad, ::testing::Values("sse", "ws", "raw"));

// Two spinning workers on two CPUs: each runs pinned to a CPU of its own (the kernel's
// placement could put both on one, and they would take turns), as the report says and as the
// threads' own masks show while they run.
TEST(LoadBusyPoll, EachWorkerSpinsOnACpuOfItsOwn) {
  const std::vector<int> mine = affinity_cpu_list();
  if (mine.size() < 2 || allowed_cpus() < 2) GTEST_SKIP() << "needs two CPUs";
  const std::string a = std::to_string(mine[0]), b = std::to_string(mine[1]);
  ServerProcess server(bin("pushbench-server"), "raw", 1);
  const std::string out = ::testing::TempDir() + "busy_pinned.json";
  // One connection a worker, 3 s of events; the threads' masks are read from /proc while the
  // workers spin.
  const std::string load = "taskset -c " + a + "," + b + " " + bin("pushbench") + " load --url " +
                           url_for("raw", server.port()) +
                           " -c 2 -t 2 -r 100 -s 64 --count 300 -d 20 -w 0 --busy-poll "
                           "--progress never --out " +
                           out +
                           " >/dev/null 2>&1 & pid=$!; sleep 1.5; "
                           "grep -h Cpus_allowed_list /proc/$pid/task/*/status | sort | uniq -c; "
                           "wait $pid";
  const auto [status, masks] = run_command("bash -c '" + load + "'");
  ASSERT_EQ(status, 0) << masks;
  for (const auto& cpu : {a, b}) {
    EXPECT_NE(masks.find(" 1 Cpus_allowed_list:\t" + cpu + "\n"), std::string::npos)
        << "one thread on CPU " << cpu << " alone: " << masks;
  }
  const auto report = nlohmann::json::parse(std::ifstream(out));
  const auto& s = report["scenarios"][0];
  EXPECT_EQ(s["loadgen"]["worker_cpus"], a + "," + b);
  EXPECT_FALSE(has_warning(s, "without pinning")) << s["warnings"];
  expect_every_event(s, 2 * 300);
}

TEST(LoadErrors, BusyPollWithMoreWorkersThanCpusIsRefused) {
  // Spinning workers sharing a core would take turns: the latency would be the scheduler's.
  const auto [status, out] =
      run_command("taskset -c 0 " + bin("pushbench") +
                  " load --url tcp://127.0.0.1:9 -c 2 -t 2 --busy-poll -d 1 2>&1");
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("--busy-poll with 2 worker threads on 1 CPU(s)"), std::string::npos) << out;
}

TEST(LoadErrors, RefusedConnectionsAreCountedNotFatal) {
  // Bind and close a socket to find a port nobody listens on.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  LoadConfig lc;
  lc.url = "http://127.0.0.1:" + std::to_string(port) + "/sse";
  lc.connections = 3;
  lc.warmup_s = 0;
  lc.duration_s = 0.5;
  const auto s = loadgen::run_load(lc);
  EXPECT_EQ(s["errors"]["connect_failed"], 3);
  // The report says why: the system's words and the address.
  const std::string cause = s["error_causes"]["connect_failed"];
  EXPECT_NE(cause.find("refused"), std::string::npos) << cause;
  EXPECT_NE(cause.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << cause;
  EXPECT_EQ(s["events"]["received"], 0);
  ASSERT_FALSE(s["warnings"].empty());
  EXPECT_NE(s["warnings"].dump().find("connect_failed: "), std::string::npos) << s["warnings"];
}

TEST(LoadErrors, BadUrlIsAClearError) {
  LoadConfig lc;
  lc.url = "ftp://127.0.0.1:1/x";
  EXPECT_THROW(loadgen::run_load(lc), std::runtime_error);
}

// The clock rule: a supplied offset (server clock minus ours) is subtracted from every event's
// timestamps, so claiming the server runs 50 ms ahead adds 50 ms to every latency.
TEST(ClockOffset, ShiftsEveryLatencyAndIsReported) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  LoadConfig lc;
  lc.url = url_for("sse", server.port());
  lc.connections = 2;
  lc.spec.rate = 100;
  lc.spec.count = 30;
  lc.warmup_s = 0;
  lc.duration_s = 10;
  const auto plain = loadgen::run_load(lc);
  lc.clock_offset_us = 50000;
  const auto shifted = loadgen::run_load(lc);
  EXPECT_EQ(plain["clock"]["same_host"], true);
  EXPECT_TRUE(plain["clock"]["offset_us"].is_null());
  EXPECT_EQ(shifted["clock"]["offset_us"], 50000.0);
  // Event times are read on our clock, so the window classifies them as the offset says.
  EXPECT_GT(shifted["events"]["received"].get<int>(), 0);
  EXPECT_EQ(shifted["events"]["received"], shifted["events"]["expected"]);
  EXPECT_EQ(shifted["events"]["lost"], 0);
  const double min_shifted = shifted["latency_us"]["corrected"]["min"].get<double>();
  EXPECT_GE(min_shifted, 50000.0);
  EXPECT_LT(min_shifted - plain["latency_us"]["corrected"]["min"].get<double>(), 60000.0);
}

TEST(LoadTls, CaCertVerifiesTheServerCertificate) {
  // The server's certificate from a file; the load generator verifies it (chain and IP name)
  // only with --cacert, and a certificate from another issuer fails with the reason.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pushbench-cacert-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  const auto server_pair = tls::generate_self_signed();
  const auto other_pair = tls::generate_self_signed();
  const std::string cert = write("cert.pem", server_pair.cert_pem);
  const std::string key = write("key.pem", server_pair.key_pem);
  const std::string other = write("other.pem", other_pair.cert_pem);
  ServerProcess server(bin("pushbench-server"), "sse", 1, std::nullopt,
                       {"--tls", "--cert", cert, "--key", key});
  LoadConfig lc;
  lc.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/sse";
  lc.connections = 2;
  lc.spec.rate = 50;
  lc.warmup_s = 0.1;
  lc.duration_s = 0.4;
  lc.ca_file = cert;
  auto s = loadgen::run_load(lc);
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  EXPECT_GT(s["events"]["received"].get<std::uint64_t>(), 0u);

  lc.ca_file = other;
  s = loadgen::run_load(lc);
  EXPECT_EQ(s["errors"]["tls_handshake"], 2) << s["errors"].dump();
  const std::string cause = s["error_causes"]["tls_handshake"];
  EXPECT_NE(cause.find("certificate verify failed"), std::string::npos) << cause;

  // tap verifies the same way.
  const auto tap = bin("pushbench") + " tap --count 1 --timeout 5 --cacert ";
  EXPECT_EQ(run_command(tap + cert + " " + lc.url + "?rate=50").first, 0);
  const auto [rc, out] = run_command(tap + other + " " + lc.url + "?rate=50 2>&1");
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("certificate verify failed"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pushbench::test
