// `pushbench load --url URL ...`: one load run against any server.
#include <iostream>
#include <memory>
#include <stdexcept>

#include "core/measure/sysinfo.hpp"
#include "loadgen/cli/command.hpp"
#include "loadgen/measure/shard.hpp"
#include "loadgen/report/table.hpp"
#include "loadgen/run/find_max.hpp"
#include "loadgen/run/load.hpp"
#include "loadgen/run/progress.hpp"
#include "loadgen/run/start_at.hpp"

namespace pushbench::loadgen::cli {

namespace {

/// The load options: what goes straight into the LoadConfig, and what is typed as text or left
/// unset until the run checks and converts it.
struct LoadArgs {
  CLI::App* app = nullptr;             ///< the subcommand, to ask which options were given
  LoadConfig lc;                       ///< the run's configuration
  std::string http_version = "1.1";    ///< --http
  WorkloadSettings workload;           ///< the workload query's settings (rate, size, ...)
  std::string payload_file;            ///< --payload-file
  std::string compression = "none";    ///< --compression
  bool find_max = false;               ///< --find-max
  FindMaxOptions find_max_options;     ///< --p99-bound-ms, --step-factor
  std::optional<std::string> phase;    ///< --phase
  std::optional<int> server_pid;       ///< --server-pid
  std::string shard;                   ///< --shard K/N
  std::string start_at;                ///< --start-at
  std::string out;                     ///< --out
  bool json = false;                   ///< --json
  std::string progress_mode = "auto";  ///< --progress
};

/// Target and connection options: --url to --clock-offset-us.
void add_connection_options(CLI::App& load, LoadArgs& a) {
  auto& lc = a.lc;
  load.add_option("--url", lc.url,
                  "http(s)://host:port/sse (SSE), ws(s)://host:port/ws (WebSocket), "
                  "tcp://host:port (raw); https and wss use TLS with ALPN")
      ->required();
  load.add_option("--connections,-c", lc.connections,
                  "TCP connections (each carries --streams subscriptions)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000000u));
  load.add_option("--http", a.http_version,
                  "1.1 | 2: HTTP/2 by prior knowledge (http, ws) or ALPN h2 (https, wss); "
                  "WebSockets over HTTP/2 use extended CONNECT (RFC 8441)")
      ->capture_default_str()
      ->check(CLI::IsMember({"1.1", "2"}));
  load.add_option("--streams", lc.streams, "HTTP/2 streams per connection (multiplexing)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  load.add_option("--max-connections-per-origin", lc.max_connections_per_origin,
                  "browser model: at most N connections open at once (6 models HTTP/1.1 "
                  "browsers); further subscriptions wait for a free connection (0: no cap)")
      ->capture_default_str();
  load.add_flag("--tls12", lc.tls12, "allow TLS 1.2 (default: TLS 1.3 only)");
  load.add_option("--cacert", lc.ca_file,
                  "verify the server's certificate (chain and host name) against this PEM file; "
                  "default: no verification")
      ->check(CLI::ExistingFile);
  load.add_option("--clock-offset-us", lc.clock_offset_us,
                  "server on another host: its clock minus ours, in microseconds (subtracted "
                  "from every event's timestamps; without it such a run carries a warning)");
}

/// Workload modes: --chat to --slow-read-bps.
void add_mode_options(CLI::App& load, LoadArgs& a) {
  auto& lc = a.lc;
  load.add_flag("--chat", lc.chat,
                "chat / request-reply: each client sends --rate messages/s (open loop) and the "
                "server echoes them as events (WebSocket: same socket; SSE: POST /send on a "
                "second HTTP/1.1 connection, or a stream of the same HTTP/2 connection)");
  load.add_option("--publish-url", lc.publish_url,
                  "publish mode: POST each event (seq, ts = intended publish time) to this "
                  "broker URL at --rate, open loop, over one pipelined HTTP/1.1 keep-alive "
                  "connection, while the subscribers at --url (sent as given) receive them");
  load.add_flag("--resume", lc.resume,
                "resume workload: each stream is named; after a disconnect the client "
                "reconnects and resumes (SSE/HTTP/1.1: Last-Event-ID; others: last_seq)");
  add_setting_option(load, workload_setting("drop_after"), a.workload);
  add_setting_option(load, workload_setting("retry_ms"), a.workload);
  load.add_option("--reconnect-ms", lc.reconnect_ms,
                  "reconnection delay without a `retry:` field (jittered +-50%)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600000.0));
  load.add_option("--slow-fraction", lc.slow_fraction,
                  "slow-consumer workload: this share of the clients (spread evenly) read at "
                  "--slow-read-bps with a 16 KiB receive buffer; their latency is reported apart")
      ->check(CLI::Range(0.0, 1.0));
  load.add_option("--slow-read-bps", lc.slow_read_bps, "a slow client's read rate, bytes/s")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e12));
}

/// The streams' events: --threads to --keepalive.
void add_stream_options(CLI::App& load, LoadArgs& a) {
  auto& lc = a.lc;
  load.add_option("--threads,-t", lc.threads, "worker threads")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  for (const char* key : {"rate", "size", "payload"}) {
    add_setting_option(load, workload_setting(key), a.workload);
  }
  load.add_option("--payload-file", a.payload_file,
                  "your own sample messages, one per line, cycled (implies --payload file; the "
                  "server must be started with the same --payload-file)");
  load.add_option("--compression", a.compression,
                  "none | gzip | deflate (SSE, Accept-Encoding) | permessage-deflate (WebSocket)")
      ->capture_default_str()
      ->check(CLI::IsMember(compression_names()));
  load.add_option("--deflate-window-bits", lc.compression.window_bits,
                  "permessage-deflate: server_max_window_bits to request (9-15)")
      ->capture_default_str()
      ->check(CLI::Range(9, 15));
  load.add_flag("--no-context-takeover", lc.compression.no_context_takeover,
                "permessage-deflate: request server_ and client_no_context_takeover");
  for (const char* key : {"count", "topic", "keepalive"}) {
    add_setting_option(load, workload_setting(key), a.workload);
  }
}

/// Timing: --duration to --connect-rate.
void add_timing_options(CLI::App& load, LoadArgs& a) {
  auto& lc = a.lc;
  load.add_option("--duration,-d", lc.duration_s, "measurement seconds (a cap with --count)")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 86400.0));
  load.add_option("--warmup,-w", lc.warmup_s, "warm-up seconds, excluded from all figures")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  load.add_option("--drain", lc.drain_s, "seconds to wait for in-window events after the window")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  load.add_option("--connect-timeout", lc.connect_timeout_s, "seconds for connect + handshake")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 600.0));
  load.add_option("--connect-rate", lc.connect_rate,
                  "connect storm: open connections at this rate per second (0: all at once)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
}

/// The search, the schedule, the ACK policy and the run's identity: --find-max to --seed.
void add_run_options(CLI::App& load, LoadArgs& a) {
  auto& lc = a.lc;
  load.add_flag("--find-max", a.find_max,
                "raise --rate step by step until p99 exceeds --p99-bound-ms or events are lost; "
                "report the highest sustainable rate");
  load.add_option("--p99-bound-ms", a.find_max_options.p99_bound_ms, "find-max: latency bound")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1e6));
  load.add_option("--step-factor", a.find_max_options.step_factor,
                  "find-max: rate multiplier per step")
      ->capture_default_str()
      ->check(CLI::Range(1.01, 100.0));
  load.add_option("--phase", a.phase,
                  "each stream's schedule, sent as its epoch: aligned (all due together), spread "
                  "(stream i of N offset by i/N of a period), random (seeded offsets) or server "
                  "(no epoch: each stream starts when the server begins it); default spread, "
                  "server for --connect-rate and --keepalive")
      ->check(CLI::IsMember(phase_names()));
  load.add_option("--phase-seed", lc.phase_seed, "seed of --phase random")->capture_default_str();
  load.add_flag("--delayed-acks", lc.delayed_acks,
                "turn TCP_QUICKACK off on every subscriber connection: the kernel ACKs every "
                "second segment instead of every read that drains a small one (half the ACKs "
                "or fewer; on loopback the ones left are paid for in the server's send); in "
                "the report as loadgen.acks");
  load.add_flag("--busy-poll", lc.busy_poll,
                "workers poll for events without sleeping, each pinned to a CPU of its own "
                "(loadgen.worker_cpus): latency without the "
                "load generator's wake-up; cpu_s then includes the spinning and "
                "cpu_ns_per_event is null, the busy share counts the polls that ran handlers; "
                "in the report as loadgen.wait");
  load.add_flag("--verify-payload", lc.verify_payload,
                "check every event byte-for-byte against the wire contract");
  load.add_flag("!--no-workload-query", lc.add_workload_query,
                "send the URL as given (no rate/size/... parameters added)");
  load.add_option("--server-pid", a.server_pid, "sample this server process's CPU and memory");
  load.add_option("--name", lc.name, "scenario name in the report");
  load.add_option("--shard", a.shard,
                  "K/N: drive shard K (0-based) of N of the connections, with global client ids, "
                  "so that shards 0..N-1 together are the whole run (merge with merge --shards)");
  load.add_option("--seed", lc.seed,
                  "run seed (stream names, WebSocket keys); shards of one run need the same "
                  "(default: --start-at's time, else the clock)");
}

/// Output: --start-at to --progress.
void add_output_options(CLI::App& load, LoadArgs& a) {
  load.add_option("--start-at", a.start_at,
                  "begin (the warm-up) at this wall-clock instant: epoch nanoseconds or RFC 3339 "
                  "(2026-12-01T23:00:00Z); give every shard the same; the report records the "
                  "measured start skew and the clock's sync state");
  load.add_option("--out,-o", a.out, "write the JSON report here");
  load.add_flag("--json", a.json, "print the report JSON instead of the table");
  add_progress_option(load, a.progress_mode);
}

/// The value of a parse that returned either T or an error message; throws the message.
template <typename T>
T value_or_throw(std::variant<T, std::string> parsed) {
  if (auto* err = std::get_if<std::string>(&parsed)) throw std::runtime_error(*err);
  return std::get<T>(std::move(parsed));
}

/// The workload settings typed as text or optional, into `a.lc`.
void apply_workload_args(LoadArgs& a) {
  auto& lc = a.lc;
  lc.spec = a.workload.spec;
  lc.spec.payload = *parse_payload_kind(a.workload.payload);
  lc.compression.algorithm = *parse_compression(a.compression);
  if (!a.payload_file.empty()) {
    lc.payload_lines =
        std::make_shared<const PayloadLines>(value_or_throw(read_payload_lines(a.payload_file)));
    lc.spec.payload = PayloadKind::file;
  }
  lc.http = a.http_version == "2" ? HttpVersion::h2 : HttpVersion::h1;
  if (a.phase) lc.phase = parse_phase(*a.phase);
  // Options given explicitly must agree with the URL's workload parameters.
  for (const auto& row : workload_settings()) {
    if (a.app->count(std::string(long_flag(row))) > 0) lc.cli_workload_keys.insert(row.query_key);
  }
  if (a.app->count("--payload-file") > 0) lc.cli_workload_keys.insert("payload");
}

/// The run's settings typed as text, into `a.lc`; throws on a bad value or combination.
void apply_run_args(LoadArgs& a) {
  auto& lc = a.lc;
  // --find-max changes the rate itself: the URL must leave it to it.
  if (a.find_max) {
    const auto q = lc.url.find('?');
    bool url_rate = false;
    if (q != std::string::npos) {
      for_each_query_param(
          std::string_view(lc.url).substr(q + 1),
          [&](const std::string& k, const std::string&) { url_rate |= k == "rate"; });
    }
    if (url_rate) throw std::runtime_error("--find-max sets the rate: remove rate= from the URL");
  }
  if (a.server_pid) lc.server_pid = static_cast<pid_t>(*a.server_pid);
  if (!a.shard.empty()) lc.shard = value_or_throw(parse_shard(a.shard));
  if (!a.start_at.empty()) lc.start_at_ns = value_or_throw(parse_start_at(a.start_at));
}

int run_load_command(LoadArgs& a, const std::string& command_line) {
  apply_workload_args(a);
  apply_run_args(a);
  auto& lc = a.lc;
  const bool progress = progress_enabled(a.progress_mode);
  const std::string started = utc_timestamp();
  ProgressLine line(std::cerr, progress, stderr_line_columns());
  if (progress) {
    lc.progress = [&line](const ProgressSnapshot& s) { line.draw(format_progress(s)); };
  }
  if (a.find_max && (lc.shard || lc.start_at_ns)) {
    throw std::runtime_error("--find-max searches in one process: no --shard or --start-at");
  }
  auto scenario = a.find_max ? find_max(lc, a.find_max_options, run_load) : run_load(lc);
  line.clear();
  auto report = make_report(nlohmann::json::array({scenario}), command_line, std::nullopt, started);
  if (!a.out.empty()) write_report(report, a.out);
  if (a.json) {
    std::cout << report.dump(2) << "\n";
  } else {
    std::cout << comparison_table(report);
  }
  return 0;
}

}  // namespace

Subcommand add_load_command(CLI::App& app) {
  auto* load = app.add_subcommand("load", "drive one server (ours or any) and report");
  auto a = std::make_shared<LoadArgs>();
  a->app = load;
  add_connection_options(*load, *a);
  add_mode_options(*load, *a);
  add_stream_options(*load, *a);
  add_timing_options(*load, *a);
  add_run_options(*load, *a);
  add_output_options(*load, *a);
  return {load,
          [a](const std::string& command_line) { return run_load_command(*a, command_line); }};
}

}  // namespace pushbench::loadgen::cli
