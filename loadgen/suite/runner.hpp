#pragma once
// `pushbench run`: starts one server process per scenario and transport on an ephemeral loopback
// port, drives it with the load generator and writes one report.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/run/find_max.hpp"
#include "loadgen/run/load.hpp"
#include "loadgen/infra/proxy_config.hpp"

namespace pushbench::loadgen {

/// One scenario of a suite, run once per transport.
struct SuiteScenario {
  std::string group;                   ///< name shared by the transports' runs
  std::vector<std::string> transports; ///< "sse", "ws", "raw"
  LoadConfig load;                     ///< url is filled in per transport
  unsigned server_threads = 1;
  std::string compression = "none";    ///< none | on (each transport's natural one) | explicit
  std::optional<FindMaxOptions> find_max;  ///< search the highest sustainable rate instead
  std::vector<std::string> server_args;  ///< extra pushbench-server flags (compression, payload)
  bool tls = false;                    ///< https:// / wss:// against a server started with --tls
                                       ///< (behind a proxy: TLS at the proxy's front only)
  std::optional<ProxyKind> proxy;      ///< reverse proxy in front of the server (key `proxy`;
                                       ///< unset: RunOptions::proxy)
  std::string client = "pushbench";    ///< who subscribes: "pushbench" (the load generator) or
                                       ///< "chromium" (headless Chromium, see browser_suite.hpp)
  ProxyKind broker = ProxyKind::none;  ///< key `broker`: none (our server) or nchan, started
                                       ///< instead of our server; the load generator publishes
                                       ///< to it (publish mode)
  std::string server = "pushbench-server";  ///< key `server`: the program started as the server:
                                            ///< pushbench-server, or pushbench-feeder
                                            ///< (bench/feeder: the same streams' bytes for a
                                            ///< fraction of the CPU, to find the load
                                            ///< generator's own limit), found beside
                                            ///< RunOptions::server_binary
};

struct Suite {
  std::string name;
  std::vector<SuiteScenario> scenarios;
};

/// Parses a suite document: {"name": str, "defaults": {...}, "scenarios": [{...}]} where a
/// scenario has group, transports, connections, threads, rate, size, payload, payload_file,
/// duration, warmup, drain, count, topic, server_threads, compression (none | on | gzip | deflate
/// | permessage-deflate), deflate_level, deflate_window_bits, deflate_mem_level,
/// no_context_takeover, pmd_min_size, http ("1.1" | "2"), tls, streams (HTTP/2 streams per
/// connection), max_connections_per_origin, resume, drop_after, retry_ms, reconnect_ms, chat,
/// slow_fraction, slow_read_bps (slow-consumer workload), shared_compression (a WebSocket
/// broadcast compressed once for all subscribers), proxy (none | nginx | nginx-gzip | nghttpx |
/// haproxy), client (pushbench | chromium), broker (none | nchan: the load generator
/// publishes, the subscribers receive from the broker), server (pushbench-server |
/// pushbench-feeder: cleartext HTTP/1.1 or raw, no compression, one server thread, a timer
/// slack as its tick) (missing keys come from "defaults"). Unknown
/// keys are errors. Throws std::runtime_error with the offending key on bad input.
Suite parse_suite(const nlohmann::json& doc);
/// Loads a suite: `name_or_path` is a file path, or the name of a file in bench/suites/ ("quick",
/// "compression"). Matrices are expanded (axes in the order written). Throws std::runtime_error
/// for an unreadable file, invalid JSON or a bad suite.
Suite load_suite(const std::string& name_or_path);

struct RunOptions {
  std::string server_binary;            ///< pushbench-server to spawn
  std::optional<std::string> server_cpus;   ///< e.g. "0" or "0-1": pin servers to these CPUs
  std::optional<std::string> loadgen_cpus;  ///< pin this process to these CPUs
  bool verbose = true;                  ///< print a line per scenario to stderr
  bool progress = false;                ///< live progress line on stderr (a TTY)
  unsigned repeat = 1;                  ///< runs per scenario and transport (median and MAD)
  unsigned shards = 1;                  ///< load-generator processes per run (>1: forked shards
                                        ///< started together and merged, see run_shards)
  ProxyKind proxy = ProxyKind::none;    ///< `--proxy`: for scenarios without a `proxy` key
  const std::atomic<bool>* interrupted = nullptr;  ///< when set, stop after the current run
};

/// Runs every scenario of `suite`; returns the report's scenarios array (only the runs that
/// finished when `options.interrupted` became true).
nlohmann::json run_suite(const Suite& suite, const RunOptions& options);

/// The compression `transport` uses in a scenario whose `compression` key is `setting` ("on":
/// its natural one). Throws std::runtime_error when the transport does not take it.
Compression compression_for(const std::string& setting, const std::string& transport);

/// Parses a CPU list such as "0,2-3"; nullopt when malformed.
std::optional<std::vector<int>> parse_cpu_list(const std::string& s);

}  // namespace pushbench::loadgen
