#include "loadgen/runner.hpp"

#include "loadgen/server_process.hpp"

#include <sched.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace pushbench::loadgen {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string url_for(const std::string& transport, std::uint16_t port) {
  const std::string hostport = "127.0.0.1:" + std::to_string(port);
  if (transport == "sse") return "http://" + hostport + "/sse";
  if (transport == "ws") return "ws://" + hostport + "/ws";
  return "tcp://" + hostport;
}

template <typename T>
T get_or(const json& obj, const json& defaults, const char* key, T fallback) {
  try {
    if (obj.contains(key)) return obj.at(key).get<T>();
    if (defaults.contains(key)) return defaults.at(key).get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(std::string("suite: bad value for '") + key + "'");
  }
  return fallback;
}

}  // namespace

std::optional<std::vector<int>> parse_cpu_list(const std::string& s) {
  std::vector<int> cpus;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const auto comma = s.find(',', pos);
    const std::string part = s.substr(pos, comma - pos);
    pos = comma == std::string::npos ? s.size() : comma + 1;
    const auto dash = part.find('-');
    try {
      std::size_t used = 0;
      const int a = std::stoi(part.substr(0, dash), &used);
      if (used != (dash == std::string::npos ? part.size() : dash)) return std::nullopt;
      const int b = dash == std::string::npos ? a : std::stoi(part.substr(dash + 1));
      if (a < 0 || b < a || b >= CPU_SETSIZE) return std::nullopt;
      for (int c = a; c <= b; ++c) cpus.push_back(c);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  if (cpus.empty()) return std::nullopt;
  return cpus;
}

Suite parse_suite(const json& doc) {
  if (!doc.is_object() || !doc.contains("scenarios") || !doc["scenarios"].is_array()) {
    throw std::runtime_error("suite: expected an object with a \"scenarios\" array");
  }
  const json defaults = doc.value("defaults", json::object());
  Suite suite;
  suite.name = doc.value("name", "custom");
  for (const auto& s : doc["scenarios"]) {
    SuiteScenario sc;
    sc.group = get_or<std::string>(s, json::object(), "group", "");
    if (sc.group.empty()) throw std::runtime_error("suite: every scenario needs a \"group\"");
    sc.transports = get_or<std::vector<std::string>>(s, defaults, "transports",
                                                     {"sse", "ws", "raw"});
    for (const auto& t : sc.transports) {
      if (t != "sse" && t != "ws" && t != "raw")
        throw std::runtime_error("suite: unknown transport '" + t + "' in " + sc.group);
    }
    auto& l = sc.load;
    l.group = sc.group;
    l.connections = get_or<unsigned>(s, defaults, "connections", 10);
    l.threads = get_or<unsigned>(s, defaults, "threads", 1);
    l.duration_s = get_or<double>(s, defaults, "duration", 5);
    l.warmup_s = get_or<double>(s, defaults, "warmup", 1);
    l.drain_s = get_or<double>(s, defaults, "drain", 2);
    sc.server_threads = get_or<unsigned>(s, defaults, "server_threads", 1);
    // The stream parameters go through the same validation as a server's query string.
    std::string query = "rate=" + std::to_string(get_or<double>(s, defaults, "rate", 100)) +
                        "&size=" + std::to_string(get_or<std::size_t>(s, defaults, "size", 256)) +
                        "&payload=" + get_or<std::string>(s, defaults, "payload", "json");
    if (auto c = get_or<std::int64_t>(s, defaults, "count", -1); c >= 0)
      query += "&count=" + std::to_string(c);
    if (auto t = get_or<std::string>(s, defaults, "topic", ""); !t.empty()) query += "&topic=" + t;
    auto spec = StreamSpec::parse_query(query);
    if (auto* err = std::get_if<std::string>(&spec))
      throw std::runtime_error("suite: " + sc.group + ": " + *err);
    l.spec = std::get<StreamSpec>(spec);
    if (l.connections == 0 || l.threads == 0 || l.duration_s <= 0 || l.warmup_s < 0)
      throw std::runtime_error("suite: " + sc.group +
                               ": connections, threads and duration must be positive");
    suite.scenarios.push_back(std::move(sc));
  }
  return suite;
}

Suite quick_suite() {
  return parse_suite(json::parse(R"({
    "name": "quick",
    "defaults": {"transports": ["sse", "ws", "raw"], "duration": 5, "warmup": 1, "payload": "json"},
    "scenarios": [
      {"group": "stream-100x100/s-256B", "connections": 100, "rate": 100, "size": 256},
      {"group": "stream-10x2000/s-1KiB", "connections": 10, "rate": 2000, "size": 1024},
      {"group": "broadcast-200x50/s-512B", "connections": 200, "rate": 50, "size": 512,
       "topic": "quick"}
    ]
  })"));
}

json run_suite(const Suite& suite, const RunOptions& options) {
  std::optional<std::vector<int>> server_cpus;
  if (options.server_cpus) {
    server_cpus = parse_cpu_list(*options.server_cpus);
    if (!server_cpus) throw std::runtime_error("bad --server-cpus '" + *options.server_cpus + "'");
  }
  if (options.loadgen_cpus) {
    auto cpus = parse_cpu_list(*options.loadgen_cpus);
    if (!cpus) throw std::runtime_error("bad --loadgen-cpus '" + *options.loadgen_cpus + "'");
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : *cpus) CPU_SET(c, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
      throw std::runtime_error("cannot pin the load generator to " + *options.loadgen_cpus);
  }
  json scenarios = json::array();
  std::size_t total = 0, index = 0;
  for (const auto& sc : suite.scenarios) total += sc.transports.size();
  for (const auto& sc : suite.scenarios) {
    for (const auto& transport : sc.transports) {
      ++index;
      if (options.verbose) {
        std::cerr << "[" << index << "/" << total << "] " << sc.group << " " << transport << " ..."
                  << std::flush;
      }
      ServerProcess server(options.server_binary, transport, sc.server_threads, server_cpus);
      LoadConfig load = sc.load;
      load.url = url_for(transport, server.port());
      load.server_pid = server.pid();
      // Give the server a moment to settle so its idle RSS is a true baseline.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      json result = run_load(load);
      if (options.verbose) {
        const auto& lat = result["latency_us"]["corrected"];
        std::cerr << " " << static_cast<long long>(result["throughput"]["events_per_s"].get<double>())
                  << " ev/s, p99 "
                  << (lat.is_null() ? std::string("n/a")
                                    : std::to_string(static_cast<long long>(lat["p99"].get<double>())) + " us")
                  << ", lost " << result["events"]["lost"] << "\n";
      }
      scenarios.push_back(std::move(result));
    }
  }
  return scenarios;
}

}  // namespace pushbench::loadgen
