#include "loadgen/suite/runner.hpp"

#include <limits>
#include <type_traits>
#include <variant>

#include "core/base/text.hpp"
#include "loadgen/infra/broker.hpp"
#include "loadgen/infra/proxy_run.hpp"
#include "loadgen/run/settings_table.hpp"
#include "loadgen/suite/browser_suite.hpp"
#include "loadgen/suite/suite_matrix.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

namespace pushbench::loadgen {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

/// `v` as T. nlohmann converts any number to an integer type with a plain cast (a float out of
/// range is undefined behaviour, a negative value wraps around), so integer keys accept only
/// integers that T can hold.
template <typename T>
T value_as(const json& v, const char* key) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using Limits = std::numeric_limits<T>;
    const auto max = static_cast<std::uint64_t>(Limits::max());
    bool fits = false;
    if (v.is_number_unsigned()) {
      fits = v.get<std::uint64_t>() <= max;
    } else if (v.is_number_integer()) {
      const auto i = v.get<std::int64_t>();
      fits = i < 0 ? i >= static_cast<std::int64_t>(Limits::min())
                   : static_cast<std::uint64_t>(i) <= max;
    }
    if (!fits) {
      throw std::runtime_error(std::string("suite: '") + key + "' must be an integer in range");
    }
  }
  return v.get<T>();
}

template <typename T>
T get_or(const json& obj, const json& defaults, const char* key, T fallback) {
  try {
    if (obj.contains(key)) return value_as<T>(obj.at(key), key);
    if (defaults.contains(key)) return value_as<T>(defaults.at(key), key);
  } catch (const json::exception&) {
    throw std::runtime_error(std::string("suite: bad value for '") + key + "'");
  }
  return fallback;
}

/// Reads the compression keys of a suite scenario into its load options and server flags.
void parse_compression_keys(const json& s, const json& defaults, SuiteScenario& sc) {
  sc.compression = get_or<std::string>(s, defaults, "compression", "none");
  if (sc.compression != "on" && !parse_compression(sc.compression)) {
    throw std::runtime_error("suite: " + sc.group + ": compression must be none, on, gzip, " +
                             "deflate or permessage-deflate, got '" + sc.compression + "'");
  }
  const int level = get_or<int>(s, defaults, "deflate_level", 6);
  const int window = get_or<int>(s, defaults, "deflate_window_bits", 15);
  const int mem = get_or<int>(s, defaults, "deflate_mem_level", 8);
  const bool no_context = get_or<bool>(s, defaults, "no_context_takeover", false);
  const auto min_size = get_or<std::size_t>(s, defaults, "pmd_min_size", 0);
  if (level < 0 || level > 9 || window < 9 || window > 15 || mem < 1 || mem > 9) {
    throw std::runtime_error(
        "suite: " + sc.group +
        ": deflate_level 0-9, deflate_window_bits 9-15, deflate_mem_level 1-9");
  }
  sc.load.compression.window_bits = window;
  sc.load.compression.no_context_takeover = no_context;
  sc.server_args = {"--deflate-level",      std::to_string(level),   "--deflate-window-bits",
                    std::to_string(window), "--deflate-mem-level",   std::to_string(mem),
                    "--pmd-min-size",       std::to_string(min_size)};
  if (no_context) {
    sc.server_args.insert(sc.server_args.end(),
                          {"--sse-reset-per-event", "--pmd-server-no-context-takeover",
                           "--pmd-client-no-context-takeover"});
  }
  sc.load.compression_details = {{"level", level},
                                 {"window_bits", window},
                                 {"mem_level", mem},
                                 {"context_takeover", !no_context},
                                 {"pmd_min_size", min_size}};
}

}  // namespace

Compression compression_for(const std::string& setting, const std::string& transport) {
  const Transport p = parse_transport(transport).value_or(Transport::raw);
  if (setting == "on") return natural_compression(p);
  const Compression c = *parse_compression(setting);
  if (auto err = check_compression(c, p)) throw std::runtime_error(*err);
  return c;
}

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

namespace {

/// Rejects keys a scenario (or the defaults) does not know, so a typo is an error, not a no-op.
void check_keys(const json& obj, const std::string& where) {
  static const std::set<std::string> known = {"group",
                                              "transports",
                                              "connections",
                                              "threads",
                                              "delayed_acks",
                                              "busy_poll",
                                              "rate",
                                              "size",
                                              "payload",
                                              "payload_file",
                                              "duration",
                                              "warmup",
                                              "drain",
                                              "count",
                                              "topic",
                                              "keepalive",
                                              "connect_rate",
                                              "find_max",
                                              "p99_bound_ms",
                                              "step_factor",
                                              "max_steps",
                                              "server_threads",
                                              "compression",
                                              "deflate_level",
                                              "deflate_window_bits",
                                              "deflate_mem_level",
                                              "no_context_takeover",
                                              "pmd_min_size",
                                              "http",
                                              "tls",
                                              "streams",
                                              "max_connections_per_origin",
                                              "resume",
                                              "drop_after",
                                              "retry_ms",
                                              "reconnect_ms",
                                              "chat",
                                              "slow_fraction",
                                              "slow_read_bps",
                                              "shared_compression",
                                              "phase",
                                              "phase_seed",
                                              "timer_slack_us",
                                              "proxy",
                                              "client",
                                              "broker",
                                              "server"};
  for (const auto& [key, value] : obj.items()) {
    if (!known.count(key))
      throw std::runtime_error("suite: " + where + ": unknown key \"" + key + "\"");
  }
}

/// Throws the suite error "suite: <group>: <why>".
[[noreturn]] void scenario_error(const SuiteScenario& sc, const std::string& why) {
  throw std::runtime_error("suite: " + sc.group + ": " + why);
}

/// The `server` key: our server, or the feeder (bench/feeder), which paces private streams over
/// cleartext HTTP/1.1 and raw TCP in ticks of the scenario's timer slack, on one thread, and
/// refuses every stream it does not serve (so a scenario that asks for one is refused here).
void parse_server_program_key(const json& s, const json& defaults, SuiteScenario& sc) {
  sc.server = get_or<std::string>(s, defaults, "server", "pushbench-server");
  if (sc.server == "pushbench-server") return;
  if (sc.server != "pushbench-feeder") {
    scenario_error(sc,
                   "server must be pushbench-server or pushbench-feeder, got '" + sc.server + "'");
  }
  const auto& l = sc.load;
  if (sc.tls || l.http != HttpVersion::h1 || sc.compression != "none" ||
      l.compression_details.contains("shared_broadcast")) {
    scenario_error(sc, "pushbench-feeder speaks cleartext HTTP/1.1 (and raw) without compression");
  }
  if (sc.broker != ProxyKind::none || sc.client != "pushbench" || sc.server_threads != 1 ||
      sc.proxy.value_or(ProxyKind::none) != ProxyKind::none) {
    scenario_error(sc,
                   "pushbench-feeder runs on one thread for pushbench's subscribers, "
                   "without a broker or a proxy");
  }
  if (l.server_timer_slack_us.value_or(0) < 10) {
    scenario_error(sc, "pushbench-feeder needs timer_slack_us >= 10 (its tick)");
  }
  if (l.spec.topic || l.spec.keepalive_s || l.chat || l.resume || l.spec.drop_after_s ||
      l.spec.retry_ms || l.spec.payload == PayloadKind::file) {
    scenario_error(sc,
                   "pushbench-feeder paces private streams only (no topic, keep-alive, chat, "
                   "resume, drop_after, retry_ms or payload file)");
  }
  // Compression settings mean nothing to it: the tick is all it takes.
  sc.server_args = {"--timer-slack-us", std::to_string(*l.server_timer_slack_us)};
}

/// The `broker` key: the broker takes our server's place, so the scenario must be one the
/// publish mode runs (SSE or WebSocket subscribers, cleartext HTTP/1.1, time mode).
void parse_broker_key(const json& s, const json& defaults, SuiteScenario& sc) {
  const auto name = get_or<std::string>(s, defaults, "broker", "none");
  const auto kind = parse_broker_kind(name);
  if (!kind) {
    throw std::runtime_error("suite: " + sc.group + ": broker must be none or nchan, got '" + name +
                             "'");
  }
  sc.broker = *kind;
  if (sc.broker == ProxyKind::none) return;
  const auto& l = sc.load;
  const bool raw = std::any_of(sc.transports.begin(), sc.transports.end(), [](const auto& t) {
    return !transport_info(*parse_transport(t)).http;
  });
  if (raw || sc.tls || l.http != HttpVersion::h1 || (sc.proxy && *sc.proxy != ProxyKind::none) ||
      l.chat || l.resume || l.spec.topic || l.spec.count || l.spec.keepalive_s || sc.find_max ||
      l.connect_rate > 0 || sc.compression != "none") {
    throw std::runtime_error("suite: " + sc.group +
                             ": a broker run has SSE or WebSocket "
                             "subscribers over cleartext HTTP/1.1 in time mode (no raw, tls, "
                             "http 2, proxy, chat, resume, topic, count, keepalive, find_max, "
                             "connect_rate or compression)");
  }
}

/// `transports`: each a known transport; all of them when missing.
void parse_transport_keys(const json& s, const json& defaults, SuiteScenario& sc) {
  std::vector<std::string> all;
  for (const auto& row : transports()) all.emplace_back(row.name);
  sc.transports = get_or<std::vector<std::string>>(s, defaults, "transports", all);
  for (const auto& t : sc.transports) {
    if (!parse_transport(t))
      throw std::runtime_error("suite: unknown transport '" + t + "' in " + sc.group);
  }
}

/// The run's size and timing, the client's ACK policy, the find-max search and the server's
/// threads.
void parse_run_keys(const json& s, const json& defaults, SuiteScenario& sc) {
  auto& l = sc.load;
  l.group = sc.group;
  l.connections = get_or<unsigned>(s, defaults, "connections", 10);
  l.threads = get_or<unsigned>(s, defaults, "threads", 1);
  l.delayed_acks = get_or<bool>(s, defaults, "delayed_acks", false);
  l.busy_poll = get_or<bool>(s, defaults, "busy_poll", false);
  l.duration_s = get_or<double>(s, defaults, "duration", 5);
  l.warmup_s = get_or<double>(s, defaults, "warmup", 1);
  l.drain_s = get_or<double>(s, defaults, "drain", 2);
  l.connect_rate = get_or<double>(s, defaults, "connect_rate", 0);
  if (get_or<bool>(s, defaults, "find_max", false)) {
    FindMaxOptions fo;
    fo.p99_bound_ms = get_or<double>(s, defaults, "p99_bound_ms", fo.p99_bound_ms);
    fo.step_factor = get_or<double>(s, defaults, "step_factor", fo.step_factor);
    fo.max_steps = get_or<unsigned>(s, defaults, "max_steps", fo.max_steps);
    sc.find_max = fo;
  }
  sc.server_threads = get_or<unsigned>(s, defaults, "server_threads", 1);
}

/// `http`, `tls`, `streams` and `max_connections_per_origin`, checked against the transports.
void parse_http_keys(const json& s, const json& defaults, SuiteScenario& sc) {
  auto& l = sc.load;
  const auto http = get_or<std::string>(s, defaults, "http", "1.1");
  if (http != "1.1" && http != "2") {
    throw std::runtime_error("suite: " + sc.group + ": http must be \"1.1\" or \"2\"");
  }
  l.http = http == "2" ? HttpVersion::h2 : HttpVersion::h1;
  sc.tls = get_or<bool>(s, defaults, "tls", false);
  l.streams = get_or<std::size_t>(s, defaults, "streams", 1);
  l.max_connections_per_origin = get_or<std::size_t>(s, defaults, "max_connections_per_origin", 0);
  if (l.streams == 0) throw std::runtime_error("suite: " + sc.group + ": streams must be >= 1");
  if (l.streams > 1 && l.http != HttpVersion::h2) {
    throw std::runtime_error("suite: " + sc.group + ": streams above 1 need \"http\": \"2\"");
  }
  for (const auto& t : sc.transports) {
    const auto& info = transport_info(*parse_transport(t));
    if ((l.http == HttpVersion::h2 && !info.http2) || (sc.tls && !info.tls)) {
      throw std::runtime_error("suite: " + sc.group +
                               ": raw is the cleartext TCP baseline (no HTTP/2, no TLS); list "
                               "\"transports\": [\"sse\", \"ws\"]");
    }
  }
}

/// The rows of the workload settings table (rate, size, payload, count, ...): each within its
/// range, then the query they make through the same validation as a server's.
void parse_stream_keys(const json& s, const json& defaults, SuiteScenario& sc) {
  WorkloadSettings settings;
  for (const auto& row : workload_settings()) {
    if (!s.contains(row.suite_key) && !defaults.contains(row.suite_key)) continue;
    std::visit(
        [&](auto ref) {
          auto& value = ref(settings);
          using T = typename SettingValue<std::decay_t<decltype(value)>>::type;
          const T v = get_or<T>(s, defaults, row.suite_key, T{});
          if constexpr (std::is_arithmetic_v<T>) {
            const auto d = static_cast<double>(v);
            if (row.range && (d < row.range->first || d > row.range->second)) {
              throw std::runtime_error("suite: " + sc.group + ": " + row.suite_key +
                                       " must be in [" + format_number(row.range->first) + ", " +
                                       format_number(row.range->second) + "]");
            }
          }
          value = v;
        },
        row.field);
  }
  auto spec = StreamSpec::parse_query(workload_query(settings));
  if (auto* err = std::get_if<std::string>(&spec))
    throw std::runtime_error("suite: " + sc.group + ": " + *err);
  sc.load.spec = std::get<StreamSpec>(spec);
}

/// The clients' behaviour: resume, chat, reconnection and the slow consumers.
void parse_client_keys(const json& s, const json& defaults, SuiteScenario& sc) {
  auto& l = sc.load;
  l.resume = get_or<bool>(s, defaults, "resume", false);
  l.chat = get_or<bool>(s, defaults, "chat", false);
  l.reconnect_ms = get_or<double>(s, defaults, "reconnect_ms", l.reconnect_ms);
  l.slow_fraction = get_or<double>(s, defaults, "slow_fraction", 0);
  l.slow_read_bps = get_or<double>(s, defaults, "slow_read_bps", l.slow_read_bps);
  if (l.slow_fraction < 0 || l.slow_fraction >= 1 || !(l.slow_read_bps > 0)) {
    throw std::runtime_error("suite: " + sc.group +
                             ": slow_fraction must be in [0, 1), slow_read_bps positive");
  }
}

/// `proxy`: a known reverse proxy, and none in front of raw.
void parse_proxy_key(const json& s, const json& defaults, SuiteScenario& sc) {
  if (s.contains("proxy") || defaults.contains("proxy")) {
    const auto name = get_or<std::string>(s, defaults, "proxy", "none");
    sc.proxy = parse_proxy_kind(name);
    if (!sc.proxy) {
      throw std::runtime_error("suite: " + sc.group + ": proxy must be none, nginx, " +
                               "nginx-gzip, nghttpx or haproxy, got '" + name + "'");
    }
  }
  for (const auto& t : sc.transports) {
    if (!transport_info(*parse_transport(t)).http && sc.proxy && *sc.proxy != ProxyKind::none) {
      throw std::runtime_error("suite: " + sc.group + ": raw speaks no HTTP: no proxy");
    }
  }
}

/// The server's flags (tls, shared compression, timer slack, payload file) and the phase.
void parse_server_keys(const json& s, const json& defaults, SuiteScenario& sc) {
  auto& l = sc.load;
  if (sc.tls) sc.server_args.push_back("--tls");
  if (get_or<bool>(s, defaults, "shared_compression", false)) {
    sc.server_args.push_back("--pmd-shared-broadcast");
    sc.load.compression_details["shared_broadcast"] = true;
  }
  for (const auto& t : sc.transports) compression_for(sc.compression, t);  // throws if unfit
  if (auto p = get_or<std::string>(s, defaults, "phase", ""); !p.empty()) {
    l.phase = parse_phase(p);
    if (!l.phase) {
      throw std::runtime_error("suite: " + sc.group + ": phase must be one of " +
                               join(phase_names(), ", ") + ", got '" + p + "'");
    }
  }
  l.phase_seed = get_or<std::uint64_t>(s, defaults, "phase_seed", l.phase_seed);
  const auto slack = get_or<unsigned>(s, defaults, "timer_slack_us", 0);
  if (slack > 1'000'000) {
    throw std::runtime_error("suite: " + sc.group + ": timer_slack_us must be at most 1000000");
  }
  l.server_timer_slack_us = slack;
  if (slack > 0)
    sc.server_args.insert(sc.server_args.end(), {"--timer-slack-us", std::to_string(slack)});
  if (auto file = get_or<std::string>(s, defaults, "payload_file", ""); !file.empty()) {
    auto lines = read_payload_lines(file);
    if (auto* err = std::get_if<std::string>(&lines))
      throw std::runtime_error("suite: " + sc.group + ": " + *err);
    l.payload_lines =
        std::make_shared<const PayloadLines>(std::get<PayloadLines>(std::move(lines)));
    l.spec.payload = PayloadKind::file;
    sc.server_args.insert(sc.server_args.end(), {"--payload-file", file});
  }
}

/// One scenario of the suite, its missing keys taken from `defaults`.
SuiteScenario parse_scenario(const json& s, const json& defaults) {
  SuiteScenario sc;
  sc.group = get_or<std::string>(s, json::object(), "group", "");
  if (sc.group.empty()) throw std::runtime_error("suite: every scenario needs a \"group\"");
  check_keys(s, sc.group);
  parse_transport_keys(s, defaults, sc);
  parse_run_keys(s, defaults, sc);
  parse_http_keys(s, defaults, sc);
  parse_stream_keys(s, defaults, sc);
  parse_client_keys(s, defaults, sc);
  parse_compression_keys(s, defaults, sc);
  parse_proxy_key(s, defaults, sc);
  parse_broker_key(s, defaults, sc);
  parse_server_keys(s, defaults, sc);
  sc.client = get_or<std::string>(s, defaults, "client", "pushbench");
  if (sc.client != "pushbench" && sc.client != "chromium") {
    throw std::runtime_error("suite: " + sc.group + ": client must be pushbench or chromium");
  }
  if (sc.client == "chromium") prepare_browser_scenario(sc);
  parse_server_program_key(s, defaults, sc);
  const auto& l = sc.load;
  if (l.connections == 0 || l.threads == 0 || l.duration_s <= 0 || l.warmup_s < 0)
    throw std::runtime_error("suite: " + sc.group +
                             ": connections, threads and duration must be positive");
  return sc;
}

}  // namespace

Suite parse_suite(const json& doc) {
  if (!doc.is_object() || !doc.contains("scenarios") || !doc["scenarios"].is_array()) {
    throw std::runtime_error("suite: expected an object with a \"scenarios\" array");
  }
  const auto typed = [&](const char* key, bool ok, const char* what) {
    if (doc.contains(key) && !ok)
      throw std::runtime_error(std::string("suite: \"") + key + "\" must be " + what);
  };
  typed("defaults", doc.contains("defaults") && doc["defaults"].is_object(), "an object");
  typed("name", doc.contains("name") && doc["name"].is_string(), "a string");
  const json defaults = doc.value("defaults", json::object());
  check_keys(defaults, "defaults");
  Suite suite;
  suite.name = doc.value("name", "custom");
  for (const auto& s : doc["scenarios"]) suite.scenarios.push_back(parse_scenario(s, defaults));
  return suite;
}

Suite load_suite(const std::string& name_or_path) {
  std::string path = name_or_path;
  if (path.find('/') == std::string::npos && !path.ends_with(".json")) {
    path = std::string(PUSHBENCH_SOURCE_DIR) + "/bench/suites/" + path + ".json";
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read suite '" + path + "'");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json doc;
  try {
    doc = expand_suite_text(text);
  } catch (const json::exception& e) {
    throw std::runtime_error("suite '" + path + "' is not valid JSON: " + e.what());
  }
  return parse_suite(doc);
}

}  // namespace pushbench::loadgen
