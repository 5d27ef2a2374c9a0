// `pushbench run`: each scenario and transport against a fresh server (or proxy, broker,
// shards, Chromium), with the progress line and the verbose summary.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "loadgen/infra/broker.hpp"
#include "loadgen/infra/proxy_run.hpp"
#include "loadgen/report/repeat.hpp"
#include "loadgen/run/progress.hpp"
#include "loadgen/run/server_process.hpp"
#include "loadgen/suite/browser_suite.hpp"
#include "loadgen/suite/runner.hpp"
#include "loadgen/suite/shard_run.hpp"

namespace pushbench::loadgen {

using json = nlohmann::json;

namespace {

std::string url_for(const std::string& transport, std::uint16_t port, bool tls) {
  return endpoint_url(parse_transport(transport).value_or(Transport::raw),
                      "127.0.0.1:" + std::to_string(port), tls);
}

json pinning(const RunOptions& options) {
  const auto cpus = [](const std::optional<std::string>& c) {
    return c ? json(*c) : json(nullptr);
  };
  return {{"server_cpus", cpus(options.server_cpus)}, {"loadgen_cpus", cpus(options.loadgen_cpus)}};
}

/// One run of a broker scenario: the broker (pinned where our server would be) instead of our
/// server, the load generator publishing to it and subscribing from it.
json run_broker(const SuiteScenario& sc, const std::string& transport, const LoadConfig& base,
                const std::optional<std::vector<int>>& cpus, const RunOptions& options) {
  if (options.shards > 1) {
    throw std::runtime_error("suite: " + sc.group +
                             ": a broker run is driven by one "
                             "load-generator process (no --shards)");
  }
  static std::atomic<unsigned> runs{0};
  ProxyProcess broker(sc.broker, 0, false, false, cpus);
  LoadConfig load = base;
  const auto urls =
      broker_urls(sc.broker, transport, broker.port(),
                  "pushbench-" + std::to_string(getpid()) + "-" + std::to_string(runs++));
  load.url = urls.subscribe;
  load.publish_url = urls.publish;
  load.server_pid = broker.pid();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  json result = run_through_broker(broker, load);
  result["pinning"] = pinning(options);
  return result;
}

/// The CPUs of a suite's runs: the servers' (and brokers') set, and the load generator's (this
/// process is pinned to them; with several, shard K is pinned to the K-th, cycling).
struct SuiteCpus {
  std::optional<std::vector<int>> server;  ///< --server-cpus, parsed
  std::vector<int> shards;                 ///< --loadgen-cpus, parsed; empty when unset
};

/// Parses the CPU options and pins this process to --loadgen-cpus.
SuiteCpus pin_cpus(const RunOptions& options) {
  SuiteCpus cpus;
  if (options.server_cpus) {
    cpus.server = parse_cpu_list(*options.server_cpus);
    if (!cpus.server) throw std::runtime_error("bad --server-cpus '" + *options.server_cpus + "'");
  }
  if (options.loadgen_cpus) {
    auto list = parse_cpu_list(*options.loadgen_cpus);
    if (!list) throw std::runtime_error("bad --loadgen-cpus '" + *options.loadgen_cpus + "'");
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : *list) CPU_SET(c, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
      throw std::runtime_error("cannot pin the load generator to " + *options.loadgen_cpus);
    cpus.shards = *list;
  }
  return cpus;
}

/// What every run of a suite shares: the options, the CPUs, the progress line and the count.
struct SuiteRun {
  const RunOptions& options;  ///< as given to run_suite
  SuiteCpus cpus;             ///< from pin_cpus
  ProgressLine& line;         ///< the live progress line (may be disabled)
  std::size_t total = 0;      ///< runs of the suite: scenarios x transports
  std::size_t index = 0;      ///< the current run, from 1
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();  ///< suite start

  /// "[i/n elapsed] group transport"
  std::string heading(const std::string& group, const std::string& transport) const {
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
            .count();
    std::ostringstream h;
    h << "[" << index << "/" << total << " " << elapsed << "s] " << group << " " << transport;
    return h.str();
  }
};

/// The program `sc` starts as its server: options.server_binary, or the program its `server`
/// key names, from the same directory.
std::string server_program(const SuiteScenario& sc, const RunOptions& options) {
  if (sc.server == "pushbench-server") return options.server_binary;
  const auto dir = std::filesystem::path(options.server_binary).parent_path();
  return dir.empty() ? sc.server : (dir / sc.server).string();
}

/// The proxy in front of `transport`'s server in `sc`: none for a transport without HTTP.
ProxyKind proxy_for(const SuiteScenario& sc, const std::string& transport,
                    const RunOptions& options) {
  const auto t = parse_transport(transport);
  if (!t || !transport_info(*t).http) return ProxyKind::none;
  return sc.proxy.value_or(options.proxy);
}

/// One run of `transport` in `sc` against a fresh server (idle RSS and CPU start from the same
/// state every time), through a proxy, a broker, shards or Chromium where the scenario says so.
json run_fresh(SuiteRun& run, const SuiteScenario& sc, const std::string& transport,
               const LoadConfig& base) {
  const RunOptions& options = run.options;
  if (sc.broker != ProxyKind::none) {
    return run_broker(sc, transport, base, run.cpus.server, options);
  }
  const ProxyKind proxy_kind = proxy_for(sc, transport, options);
  // Behind a proxy, TLS ends at the proxy: the backend is cleartext.
  std::vector<std::string> server_args = sc.server_args;
  if (proxy_kind != ProxyKind::none) std::erase(server_args, std::string("--tls"));
  ServerProcess server(server_program(sc, options), transport, sc.server_threads, run.cpus.server,
                       server_args);
  std::optional<ProxyProcess> proxy;
  if (proxy_kind != ProxyKind::none) {
    proxy.emplace(proxy_kind, server.port(), sc.tls, base.http == HttpVersion::h2, run.cpus.server);
  }
  LoadConfig load = base;
  if (run.line.enabled()) {
    load.progress = [&run, &sc, &transport](const ProgressSnapshot& s) {
      run.line.draw(run.heading(sc.group, transport) + "  " + format_progress(s));
    };
  }
  load.url = url_for(transport, proxy ? proxy->port() : server.port(), sc.tls);
  load.compression.algorithm = compression_for(sc.compression, transport);
  load.server_pid = server.pid();
  // Give the server a moment to settle so its idle RSS is a true baseline.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  json result = sc.client == "chromium"
                    ? run_browser_scenario(sc, load.url, transport, options.interrupted)
                : proxy              ? run_through_proxy(*proxy, server.pid(), server.port(), load)
                : options.shards > 1 ? run_shards(load, options.shards, run.cpus.shards)
                                     : run_load(load);
  result["pinning"] = pinning(options);
  if (sc.server != "pushbench-server") result["server_program"] = sc.server;
  return result;
}

/// Refuses the scenarios that one load-generator process must drive when --shards asks for more.
void check_shards(const SuiteScenario& sc, ProxyKind proxy_kind, const RunOptions& options) {
  if (sc.find_max && options.shards > 1) {
    throw std::runtime_error("suite: " + sc.group +
                             ": a find-max search runs in one "
                             "process (no --shards)");
  }
  if (proxy_kind != ProxyKind::none && options.shards > 1) {
    throw std::runtime_error("suite: " + sc.group +
                             ": a run through a proxy is driven by "
                             "one load-generator process (no --shards)");
  }
}

/// The verbose line's end: " N ev/s, p99 X us, lost L".
void print_result_line(const json& result) {
  const auto& lat = result["latency_us"]["corrected"];
  std::cerr << " " << static_cast<long long>(result["throughput"]["events_per_s"].get<double>())
            << " ev/s, p99 "
            << (lat.is_null()
                    ? std::string("n/a")
                    : std::to_string(static_cast<long long>(lat["p99"].get<double>())) + " us")
            << ", lost " << result["events"]["lost"] << "\n";
}

/// Every repetition of `transport` in `sc` (find-max searches included), summarized.
json run_transport(SuiteRun& run, const SuiteScenario& sc, const std::string& transport) {
  const RunOptions& options = run.options;
  const std::string head = run.heading(sc.group, transport);
  if (run.line.enabled()) {
    run.line.draw(head + " ...");
  } else if (options.verbose) {
    std::cerr << head << " ..." << std::flush;
  }
  check_shards(sc, proxy_for(sc, transport, options), options);
  const auto fresh = [&](const LoadConfig& base) { return run_fresh(run, sc, transport, base); };
  std::vector<json> runs;
  for (unsigned rep = 0; rep < std::max(1u, options.repeat); ++rep) {
    runs.push_back(sc.find_max ? find_max(sc.load, *sc.find_max, fresh) : fresh(sc.load));
  }
  json result = summarize_repetitions(runs);
  run.line.clear();
  if (options.verbose) {
    if (run.line.enabled()) std::cerr << head << " ...";
    print_result_line(result);
  }
  return result;
}

}  // namespace

json run_suite(const Suite& suite, const RunOptions& options) {
  // Before any run, so that a suite is refused whole rather than after hours of results.
  for (const auto& sc : suite.scenarios) {
    for (const auto& transport : sc.transports) {
      if (sc.server != "pushbench-server" && proxy_for(sc, transport, options) != ProxyKind::none) {
        throw std::runtime_error("suite: " + sc.group + ": " + sc.server +
                                 " is measured directly (no --proxy)");
      }
    }
  }
  SuiteCpus cpus = pin_cpus(options);
  ProgressLine line(std::cerr, options.progress, stderr_line_columns());
  SuiteRun run{options, std::move(cpus), line};
  for (const auto& sc : suite.scenarios) run.total += sc.transports.size();
  json scenarios = json::array();
  for (const auto& sc : suite.scenarios) {
    for (const auto& transport : sc.transports) {
      if (options.interrupted && options.interrupted->load()) return scenarios;
      ++run.index;
      scenarios.push_back(run_transport(run, sc, transport));
    }
  }
  return scenarios;
}

}  // namespace pushbench::loadgen
