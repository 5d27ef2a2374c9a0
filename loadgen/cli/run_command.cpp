// `pushbench run`: spawn servers on loopback and run a suite.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include "core/measure/sysinfo.hpp"
#include "loadgen/cli/command.hpp"
#include "loadgen/report/table.hpp"
#include "loadgen/suite/runner.hpp"

namespace pushbench::loadgen::cli {

namespace {

/// The run options as typed.
struct RunArgs {
  std::string suite_file = "quick";         ///< --suite: a path or a name in bench/suites/
  std::string out = "results/latest.json";  ///< --out
  std::string proxy = "none";               ///< --proxy
  std::string progress_mode = "auto";       ///< --progress
  RunOptions options;                       ///< the rest, filled by the options
};

/// Set by the first Ctrl-C: the run in progress finishes, then the report is written.
std::atomic<bool> interrupted{false};

int run_run_command(RunArgs& a, const std::string& command_line) {
  const Suite suite = load_suite(a.suite_file);
  const std::string started = utc_timestamp();
  // Ctrl-C: finish the run in progress, then write the report of what finished. A second
  // Ctrl-C exits at once.
  std::signal(SIGINT, [](int) {
    if (interrupted.exchange(true)) _exit(130);
  });
  auto& ro = a.options;
  ro.interrupted = &interrupted;
  ro.progress = progress_enabled(a.progress_mode);
  ro.proxy = *parse_proxy_kind(a.proxy);
  auto scenarios = run_suite(suite, ro);
  auto report = make_report(std::move(scenarios), command_line, suite.name, started);
  if (interrupted) {
    report["interrupted"] = true;
    std::cerr << "pushbench: interrupted; the report holds the " << report["scenarios"].size()
              << " run(s) that finished\n";
  }
  write_report(report, a.out);
  std::cout << comparison_table(report) << "\nreport: " << a.out << "\n";
  return 0;
}

}  // namespace

Subcommand add_run_command(CLI::App& app) {
  auto* run = app.add_subcommand("run", "spawn servers on loopback and run a suite");
  auto a = std::make_shared<RunArgs>();
  auto& ro = a->options;
  ro.server_binary = sibling_server();
  run->add_option("--suite", a->suite_file,
                  "suite file, or a name in bench/suites/ (quick, full, compression, workloads)")
      ->capture_default_str();
  run->add_option("--out,-o", a->out, "report path")->capture_default_str();
  run->add_option("--server-binary", ro.server_binary, "pushbench-server to spawn")
      ->capture_default_str();
  run->add_option("--server-cpus", ro.server_cpus, "pin servers to these CPUs, e.g. 0 or 0-1");
  run->add_option("--loadgen-cpus", ro.loadgen_cpus, "pin the load generator to these CPUs");
  run->add_option("--repeat", ro.repeat,
                  "run each scenario N times; the report keeps the median run and the median "
                  "and MAD of every figure")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100u));
  run->add_option("--shards", ro.shards,
                  "drive each run with N load-generator processes started together (like "
                  "load --shard K/N --start-at T; pinned one CPU each when --loadgen-cpus lists "
                  "several) and merge them into one scenario")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));
  run->add_option("--proxy", a->proxy,
                  "reverse proxy in front of every scenario's server that sets no `proxy` key: "
                  "none, nginx, nginx-gzip, nghttpx, haproxy")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "nginx", "nginx-gzip", "nghttpx", "haproxy"}));
  add_progress_option(*run, a->progress_mode);
  return {run, [a](const std::string& command_line) { return run_run_command(*a, command_line); }};
}

}  // namespace pushbench::loadgen::cli
