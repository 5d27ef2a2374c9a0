// pushbench: the load generator and suite runner.
//   pushbench load --url URL ...   one load run against any server
//   pushbench run [--suite FILE]   spawn our servers per transport and run a suite
//   pushbench tap URL              print every event as a JSON line
//   pushbench browser --url URL    headless Chromium as the client
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/measure/sysinfo.hpp"
#include "loadgen/browser/browser_cli.hpp"
#include "loadgen/report/compare.hpp"
#include "loadgen/run/find_max.hpp"
#include "loadgen/run/load.hpp"
#include "loadgen/run/progress.hpp"
#include "loadgen/report/repeat.hpp"
#include "loadgen/report/report_markdown.hpp"
#include "loadgen/suite/runner.hpp"
#include "loadgen/measure/shard.hpp"
#include "loadgen/report/shard_merge.hpp"
#include "loadgen/soak/soak.hpp"
#include "loadgen/run/start_at.hpp"
#include "loadgen/report/table.hpp"
#include "loadgen/report/verdict.hpp"
#include "loadgen/run/tap.hpp"

namespace {

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += argv[i];
  }
  return s;
}

/// A report file's JSON; std::runtime_error when unreadable or invalid.
nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read report '" + path + "'");
  try {
    auto j = nlohmann::json::parse(in);
    if (!j.is_object() || !j.contains("scenarios")) {
      throw std::runtime_error("'" + path + "' is not a pushbench report (no scenarios)");
    }
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("report '" + path + "' is not valid JSON: " + e.what());
  }
}

/// "10%" or "0.1" as a fraction; nullopt when malformed or negative.
std::optional<double> parse_threshold(std::string s) {
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size() || v < 0) return std::nullopt;
    return percent ? v / 100 : v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// pushbench-server next to this executable.
std::string sibling_server() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "pushbench-server";
  return (self.parent_path() / "pushbench-server").string();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pushbench;
  using namespace pushbench::loadgen;
  CLI::App app{"pushbench: SSE vs WebSocket vs raw-TCP push benchmark"};
  app.require_subcommand(1);

  // --- load ---
  auto* load = app.add_subcommand("load", "drive one server (ours or any) and report");
  LoadConfig lc;
  std::string payload = "json";
  std::optional<std::uint64_t> count;
  std::optional<std::string> topic;
  std::optional<int> server_pid;
  std::string load_out;
  bool load_json = false;
  load->add_option("--url", lc.url,
                   "http(s)://host:port/sse (SSE), ws(s)://host:port/ws (WebSocket), "
                   "tcp://host:port (raw); https and wss use TLS with ALPN")
      ->required();
  load->add_option("--connections,-c", lc.connections,
                   "TCP connections (each carries --streams subscriptions)")
      ->capture_default_str()->check(CLI::Range(1u, 1000000u));
  std::string http_version = "1.1";
  load->add_option("--http", http_version,
                   "1.1 | 2: HTTP/2 by prior knowledge (http, ws) or ALPN h2 (https, wss); "
                   "WebSockets over HTTP/2 use extended CONNECT (RFC 8441)")
      ->capture_default_str()->check(CLI::IsMember({"1.1", "2"}));
  load->add_option("--streams", lc.streams, "HTTP/2 streams per connection (multiplexing)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  load->add_option("--max-connections-per-origin", lc.max_connections_per_origin,
                   "browser model: at most N connections open at once (6 models HTTP/1.1 "
                   "browsers); further subscriptions wait for a free connection (0: no cap)")
      ->capture_default_str();
  load->add_flag("--tls12", lc.tls12, "allow TLS 1.2 (default: TLS 1.3 only)");
  load->add_option("--cacert", lc.ca_file,
                   "verify the server's certificate (chain and host name) against this PEM file; "
                   "default: no verification")
      ->check(CLI::ExistingFile);
  load->add_option("--clock-offset-us", lc.clock_offset_us,
                   "server on another host: its clock minus ours, in microseconds (subtracted "
                   "from every event's timestamps; without it such a run carries a warning)");
  std::optional<double> drop_after;
  std::optional<std::uint64_t> retry_ms;
  load->add_flag("--chat", lc.chat,
                 "chat / request-reply: each client sends --rate messages/s (open loop) and the "
                 "server echoes them as events (WebSocket: same socket; SSE: POST /send on a "
                 "second HTTP/1.1 connection, or a stream of the same HTTP/2 connection)");
  load->add_option("--publish-url", lc.publish_url,
                   "publish mode: POST each event (seq, ts = intended publish time) to this "
                   "broker URL at --rate, open loop, over one pipelined HTTP/1.1 keep-alive "
                   "connection, while the subscribers at --url (sent as given) receive them");
  load->add_flag("--resume", lc.resume,
                 "resume workload: each stream is named; after a disconnect the client "
                 "reconnects and resumes (SSE/HTTP/1.1: Last-Event-ID; others: last_seq)");
  load->add_option("--drop-after", drop_after,
                   "fault injection: ask the server to drop each connection after S seconds")
      ->check(CLI::Range(0.001, 86400.0));
  load->add_option("--retry-ms", retry_ms, "ask the SSE server to send `retry: MS`")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{3600000}));
  load->add_option("--reconnect-ms", lc.reconnect_ms,
                   "reconnection delay without a `retry:` field (jittered +-50%)")
      ->capture_default_str()->check(CLI::Range(0.0, 600000.0));
  load->add_option("--slow-fraction", lc.slow_fraction,
                   "slow-consumer workload: this share of the clients (spread evenly) read at "
                   "--slow-read-bps with a 16 KiB receive buffer; their latency is reported apart")
      ->check(CLI::Range(0.0, 1.0));
  load->add_option("--slow-read-bps", lc.slow_read_bps, "a slow client's read rate, bytes/s")
      ->capture_default_str()->check(CLI::Range(1.0, 1e12));
  load->add_option("--threads,-t", lc.threads, "worker threads")->capture_default_str()->check(
      CLI::Range(1u, 256u));
  load->add_option("--rate,-r", lc.spec.rate, "events/s per stream (open loop)")
      ->capture_default_str()->check(CLI::Range(1e-3, 1e6));
  load->add_option("--size,-s", lc.spec.size, "event data bytes")->capture_default_str()->check(
      CLI::Range(std::size_t{0}, StreamSpec::max_event_bytes));
  load->add_option("--payload", payload, "json | text | random | file (see --payload-file)")
      ->capture_default_str()->check(CLI::IsMember(payload_kind_names()));
  std::string payload_file;
  load->add_option("--payload-file", payload_file,
                   "your own sample messages, one per line, cycled (implies --payload file; the "
                   "server must be started with the same --payload-file)");
  std::string compression = "none";
  load->add_option("--compression", compression,
                   "none | gzip | deflate (SSE, Accept-Encoding) | permessage-deflate (WebSocket)")
      ->capture_default_str()
      ->check(CLI::IsMember(compression_names()));
  load->add_option("--deflate-window-bits", lc.compression.window_bits,
                   "permessage-deflate: server_max_window_bits to request (9-15)")
      ->capture_default_str()->check(CLI::Range(9, 15));
  load->add_flag("--no-context-takeover", lc.compression.no_context_takeover,
                 "permessage-deflate: request server_ and client_no_context_takeover");
  load->add_option("--count", count, "events per stream; the run ends when every stream ends");
  load->add_option("--topic", topic, "subscribe to a broadcast topic instead of private streams");
  std::optional<double> keepalive;
  load->add_option("--keepalive", keepalive,
                   "idle workload: ask for a keep-alive (SSE comment, WebSocket ping) every S "
                   "seconds; use with a low --rate")
      ->check(CLI::Range(0.01, 3600.0));
  load->add_option("--duration,-d", lc.duration_s, "measurement seconds (a cap with --count)")
      ->capture_default_str()->check(CLI::Range(0.01, 86400.0));
  load->add_option("--warmup,-w", lc.warmup_s, "warm-up seconds, excluded from all figures")
      ->capture_default_str()->check(CLI::Range(0.0, 3600.0));
  load->add_option("--drain", lc.drain_s, "seconds to wait for in-window events after the window")
      ->capture_default_str()->check(CLI::Range(0.0, 600.0));
  load->add_option("--connect-timeout", lc.connect_timeout_s, "seconds for connect + handshake")
      ->capture_default_str()->check(CLI::Range(0.01, 600.0));
  load->add_option("--connect-rate", lc.connect_rate,
                   "connect storm: open connections at this rate per second (0: all at once)")
      ->capture_default_str()->check(CLI::Range(0.0, 1e6));
  bool find_max_flag = false;
  FindMaxOptions fo;
  load->add_flag("--find-max", find_max_flag,
                 "raise --rate step by step until p99 exceeds --p99-bound-ms or events are lost; "
                 "report the highest sustainable rate");
  load->add_option("--p99-bound-ms", fo.p99_bound_ms, "find-max: latency bound")
      ->capture_default_str()->check(CLI::Range(0.001, 1e6));
  load->add_option("--step-factor", fo.step_factor, "find-max: rate multiplier per step")
      ->capture_default_str()->check(CLI::Range(1.01, 100.0));
  std::optional<std::string> phase;
  load->add_option("--phase", phase,
                   "each stream's schedule, sent as its epoch: aligned (all due together), spread "
                   "(stream i of N offset by i/N of a period), random (seeded offsets) or server "
                   "(no epoch: each stream starts when the server begins it); default spread, "
                   "server for --connect-rate and --keepalive")
      ->check(CLI::IsMember(phase_names()));
  load->add_option("--phase-seed", lc.phase_seed, "seed of --phase random")->capture_default_str();
  load->add_flag("--verify-payload", lc.verify_payload,
                 "check every event byte-for-byte against the wire contract");
  load->add_flag("!--no-workload-query", lc.add_workload_query,
                 "send the URL as given (no rate/size/... parameters added)");
  load->add_option("--server-pid", server_pid, "sample this server process's CPU and memory");
  load->add_option("--name", lc.name, "scenario name in the report");
  std::string shard_text;
  load->add_option("--shard", shard_text,
                   "K/N: drive shard K (0-based) of N of the connections, with global client ids, "
                   "so that shards 0..N-1 together are the whole run (merge with merge --shards)");
  load->add_option("--seed", lc.seed,
                   "run seed (stream names, WebSocket keys); shards of one run need the same "
                   "(default: --start-at's time, else the clock)");
  std::string start_at_text;
  load->add_option("--start-at", start_at_text,
                   "begin (the warm-up) at this wall-clock instant: epoch nanoseconds or RFC 3339 "
                   "(2026-12-01T23:00:00Z); give every shard the same; the report records the "
                   "measured start skew and the clock's sync state");
  load->add_option("--out,-o", load_out, "write the JSON report here");
  load->add_flag("--json", load_json, "print the report JSON instead of the table");
  std::string progress_mode = "auto";
  const std::string progress_help =
      "live progress line on stderr: auto (when stderr is a terminal), always or never";
  load->add_option("--progress", progress_mode, progress_help)
      ->capture_default_str()->check(CLI::IsMember({"auto", "always", "never"}));

  // --- run ---
  auto* run = app.add_subcommand("run", "spawn servers on loopback and run a suite");
  std::string suite_file = "quick";
  std::string run_out = "results/latest.json";
  RunOptions ro;
  ro.server_binary = sibling_server();
  run->add_option("--suite", suite_file,
                  "suite file, or a name in bench/suites/ (quick, full, compression, workloads)")
      ->capture_default_str();
  run->add_option("--out,-o", run_out, "report path")->capture_default_str();
  run->add_option("--server-binary", ro.server_binary, "pushbench-server to spawn")
      ->capture_default_str();
  run->add_option("--server-cpus", ro.server_cpus, "pin servers to these CPUs, e.g. 0 or 0-1");
  run->add_option("--loadgen-cpus", ro.loadgen_cpus, "pin the load generator to these CPUs");
  run->add_option("--repeat", ro.repeat,
                  "run each scenario N times; the report keeps the median run and the median "
                  "and MAD of every figure")
      ->capture_default_str()->check(CLI::Range(1u, 100u));
  run->add_option("--shards", ro.shards,
                  "drive each run with N load-generator processes started together (like "
                  "load --shard K/N --start-at T; pinned one CPU each when --loadgen-cpus lists "
                  "several) and merge them into one scenario")
      ->capture_default_str()->check(CLI::Range(1u, 64u));
  std::string run_proxy = "none";
  run->add_option("--proxy", run_proxy,
                  "reverse proxy in front of every scenario's server that sets no `proxy` key: "
                  "none, nginx, nginx-gzip, nghttpx, haproxy")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "nginx", "nginx-gzip", "nghttpx", "haproxy"}));
  run->add_option("--progress", progress_mode, progress_help)
      ->capture_default_str()->check(CLI::IsMember({"auto", "always", "never"}));

  auto browser = add_browser_command(app);

  // --- tap ---
  auto* tap = app.add_subcommand("tap", "print every received event as one JSON line");
  TapOptions to;
  tap->add_option("url", to.url, "http(s)://, ws(s):// or tcp:// URL (sent as given)")->required();
  tap->add_flag("--http2", to.http2, "HTTP/2: prior knowledge, or ALPN h2 over TLS");
  tap->add_option("--count,-n", to.count, "exit 0 after this many events");
  tap->add_option("--timeout", to.timeout_s, "give up after this many seconds (0: never)")
      ->capture_default_str();
  tap->add_option("--cacert", to.ca_file,
                  "verify the server's certificate (chain and host name) against this PEM file")
      ->check(CLI::ExistingFile);

  // --- soak ---
  auto* soak = app.add_subcommand(
      "soak", "our servers under sustained mixed load, churn and faults; exit 1 on a failed check");
  SoakOptions so;
  so.server_binary = sibling_server();
  std::string soak_server_cpus, soak_loadgen_cpus;
  soak->add_option("--duration,-d", so.duration_s, "seconds of load and faults")
      ->capture_default_str()->check(CLI::Range(5u, 86400u));
  soak->add_option("--out,-o", so.out, "report path")->capture_default_str();
  soak->add_option("--server-binary", so.server_binary, "pushbench-server to spawn")
      ->capture_default_str();
  soak->add_option("--server-cpus", soak_server_cpus, "pin the servers to these CPUs, e.g. 0");
  soak->add_option("--loadgen-cpus", soak_loadgen_cpus, "pin the load generators to these CPUs");
  soak->add_option("--p99-bound-ms", so.p99_bound_ms, "healthy clients' corrected p99 bound")
      ->capture_default_str()->check(CLI::PositiveNumber);
  soak->add_option("--rss-slack-mb", so.rss_slack_mb,
                   "RSS after the run may exceed its warm level by this (or by 25 %)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);

  // --- compare ---
  auto* cmp = app.add_subcommand("compare", "figure-by-figure deltas of two reports; exit 1 on a regression");
  std::string cmp_base, cmp_new, threshold = "10%", cmp_format = "text";
  CompareOptions co;
  cmp->add_option("base", cmp_base, "baseline report")->required();
  cmp->add_option("new", cmp_new, "new report")->required();
  cmp->add_option("--threshold", threshold, "relative change that counts as a regression, e.g. 10%")
      ->capture_default_str();
  cmp->add_option("--mad-factor", co.mad_factor,
                  "with repetitions, changes within this many MADs are noise")
      ->capture_default_str();
  cmp->add_option("--format", cmp_format, "text | markdown | json")
      ->capture_default_str()->check(CLI::IsMember({"text", "markdown", "json"}));

  // --- merge ---
  auto* mrg = app.add_subcommand(
      "merge", "single-run reports of one build as one report with repetitions (median, MAD)");
  std::vector<std::string> merge_files;
  std::string merge_out;
  mrg->add_option("reports", merge_files, "two or more reports of the same suite and commit")
      ->expected(0, -1);
  std::vector<std::string> merge_shard_files;
  mrg->add_option("--shards", merge_shard_files,
                  "instead: the reports of the N shards of one run (load --shard K/N), merged "
                  "into the single run's report (bins add, percentiles recomputed)")
      ->expected(1, -1);
  mrg->add_option("-o,--out", merge_out, "merged report path")->required();

  // --- report ---
  auto* rep = app.add_subcommand("report", "print one report's side-by-side transport table");
  std::string rep_file, rep_format = "text";
  rep->add_option("file", rep_file, "report JSON")->required();
  rep->add_option("--format", rep_format, "text | markdown | json")
      ->capture_default_str()->check(CLI::IsMember({"text", "markdown", "json"}));

  CLI11_PARSE(app, argc, argv);
  const bool progress =
      progress_mode == "always" || (progress_mode == "auto" && stderr_is_tty());

  try {
    if (*load) {
      lc.spec.payload = *parse_payload_kind(payload);
      lc.compression.algorithm = *parse_compression(compression);
      if (!payload_file.empty()) {
        auto lines = read_payload_lines(payload_file);
        if (auto* err = std::get_if<std::string>(&lines)) throw std::runtime_error(*err);
        lc.payload_lines =
            std::make_shared<const PayloadLines>(std::get<PayloadLines>(std::move(lines)));
        lc.spec.payload = PayloadKind::file;
      }
      lc.http = http_version == "2" ? HttpVersion::h2 : HttpVersion::h1;
      lc.spec.drop_after_s = drop_after;
      lc.spec.retry_ms = retry_ms;
      lc.spec.count = count;
      lc.spec.topic = topic;
      lc.spec.keepalive_s = keepalive;
      if (phase) lc.phase = parse_phase(*phase);
      // Options given explicitly must agree with the URL's workload parameters.
      for (const auto& [option, key] : std::initializer_list<std::pair<const char*, const char*>>{
               {"--rate", "rate"}, {"--size", "size"}, {"--payload", "payload"},
               {"--payload-file", "payload"}, {"--count", "count"}, {"--topic", "topic"},
               {"--keepalive", "keepalive"}, {"--drop-after", "drop_after"},
               {"--retry-ms", "retry"}}) {
        if (load->count(option) > 0) lc.cli_workload_keys.insert(key);
      }
      // --find-max changes the rate itself: the URL must leave it to it.
      if (find_max_flag) {
        const auto q = lc.url.find('?');
        bool url_rate = false;
        if (q != std::string::npos) {
          for_each_query_param(std::string_view(lc.url).substr(q + 1),
                               [&](const std::string& k, const std::string&) {
                                 url_rate |= k == "rate";
                               });
        }
        if (url_rate) throw std::runtime_error("--find-max sets the rate: remove rate= from the URL");
      }
      if (server_pid) lc.server_pid = static_cast<pid_t>(*server_pid);
      if (!shard_text.empty()) {
        auto shard = parse_shard(shard_text);
        if (auto* err = std::get_if<std::string>(&shard)) throw std::runtime_error(*err);
        lc.shard = std::get<ShardSpec>(shard);
      }
      if (!start_at_text.empty()) {
        auto at = parse_start_at(start_at_text);
        if (auto* err = std::get_if<std::string>(&at)) throw std::runtime_error(*err);
        lc.start_at_ns = std::get<std::int64_t>(at);
      }
      const std::string started = utc_timestamp();
      ProgressLine line(std::cerr, progress, stderr_line_columns());
      if (progress) {
        lc.progress = [&line](const ProgressSnapshot& s) { line.draw(format_progress(s)); };
      }
      if (find_max_flag && (lc.shard || lc.start_at_ns)) {
        throw std::runtime_error("--find-max searches in one process: no --shard or --start-at");
      }
      auto scenario = find_max_flag ? find_max(lc, fo, run_load) : run_load(lc);
      line.clear();
      auto report = make_report(nlohmann::json::array({scenario}), command_line(argc, argv),
                                std::nullopt, started);
      if (!load_out.empty()) write_report(report, load_out);
      if (load_json) {
        std::cout << report.dump(2) << "\n";
      } else {
        std::cout << comparison_table(report);
      }
      return 0;
    }
    if (*run) {
      const Suite suite = load_suite(suite_file);
      const std::string started = utc_timestamp();
      // Ctrl-C: finish the run in progress, then write the report of what finished. A second
      // Ctrl-C exits at once.
      static std::atomic<bool> interrupted{false};
      std::signal(SIGINT, [](int) {
        if (interrupted.exchange(true)) _exit(130);
      });
      ro.interrupted = &interrupted;
      ro.progress = progress;
      ro.proxy = *parse_proxy_kind(run_proxy);
      auto scenarios = run_suite(suite, ro);
      auto report = make_report(std::move(scenarios), command_line(argc, argv), suite.name, started);
      if (interrupted) {
        report["interrupted"] = true;
        std::cerr << "pushbench: interrupted; the report holds the " << report["scenarios"].size()
                  << " run(s) that finished\n";
      }
      write_report(report, run_out);
      std::cout << comparison_table(report) << "\nreport: " << run_out << "\n";
      return 0;
    }
    if (*tap) return run_tap(to, std::cout, std::cerr);
    if (*browser->app) return run_browser_command(*browser, command_line(argc, argv));
    if (*soak) {
      so.self_binary = std::filesystem::read_symlink("/proc/self/exe").string();
      for (auto [text, cpus] : {std::pair{&soak_server_cpus, &so.server_cpus},
                                std::pair{&soak_loadgen_cpus, &so.loadgen_cpus}}) {
        if (text->empty()) continue;
        *cpus = parse_cpu_list(*text);
        if (!*cpus) {
          std::cerr << "pushbench soak: bad CPU list '" << *text << "'\n";
          return 2;
        }
      }
      return run_soak(so);
    }
    if (*cmp) {
      const auto t = parse_threshold(threshold);
      if (!t) throw std::runtime_error("--threshold must look like 10% or 0.1, got '" + threshold + "'");
      co.threshold = *t;
      co.format = cmp_format == "markdown" ? CompareFormat::markdown
                  : cmp_format == "json"   ? CompareFormat::json
                                           : CompareFormat::text;
      const auto result = compare_reports(read_report(cmp_base), read_report(cmp_new), co);
      std::cout << format_compare(result, co);
      return result.regressed() ? 1 : 0;
    }
    if (*mrg && !merge_shard_files.empty()) {
      if (!merge_files.empty()) {
        throw std::runtime_error("merge: give reports to merge as repetitions, or --shards, not "
                                 "both");
      }
      std::vector<ShardReport> shards;
      for (const auto& f : merge_shard_files) shards.push_back({f, read_report(f)});
      const auto merged = merge_shards(shards);
      write_report(merged, merge_out);
      std::cout << "merged " << shards.size() << " shards (" << merged["scenarios"].size()
                << " scenarios) into " << merge_out << "\n";
      return 0;
    }
    if (*mrg) {
      std::vector<nlohmann::json> reports;
      for (const auto& f : merge_files) reports.push_back(read_report(f));
      auto merged = merge_reports(reports);
      merged["verdicts"] = group_verdicts(merged);
      write_report(merged, merge_out);
      std::cout << "merged " << reports.size() << " reports (" << merged["scenarios"].size()
                << " scenarios) into " << merge_out << "\n";
      return 0;
    }
    if (*rep) {
      auto report = read_report(rep_file);
      if (rep_format == "markdown") {
        std::cout << report_markdown(report);
      } else if (rep_format == "json") {
        // Derived figures come from here, so that charts draw and need not compute.
        report["verdicts"] = group_verdicts(report);
        std::cout << report.dump(2) << "\n";
      } else {
        std::cout << comparison_table(report);
      }
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "pushbench: " << e.what() << "\n";
    return *cmp ? 2 : 1;  // compare: 1 means "regressed", so errors are 2
  }
  return 0;
}
