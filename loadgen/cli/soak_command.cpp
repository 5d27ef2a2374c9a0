// `pushbench soak`: our servers under sustained mixed load, churn and faults.
#include <filesystem>
#include <iostream>
#include <memory>

#include "loadgen/cli/command.hpp"
#include "loadgen/soak/soak.hpp"
#include "loadgen/suite/runner.hpp"

namespace pushbench::loadgen::cli {

namespace {

/// The soak options and the CPU lists as typed.
struct SoakArgs {
  SoakOptions options;            ///< filled by the options
  std::string server_cpus_text;   ///< --server-cpus
  std::string loadgen_cpus_text;  ///< --loadgen-cpus
};

int run_soak_command(SoakArgs& a) {
  auto& so = a.options;
  so.self_binary = std::filesystem::read_symlink("/proc/self/exe").string();
  for (auto [text, cpus] : {std::pair{&a.server_cpus_text, &so.server_cpus},
                            std::pair{&a.loadgen_cpus_text, &so.loadgen_cpus}}) {
    if (text->empty()) continue;
    *cpus = parse_cpu_list(*text);
    if (!*cpus) {
      std::cerr << "pushbench soak: bad CPU list '" << *text << "'\n";
      return 2;
    }
  }
  return run_soak(so);
}

}  // namespace

Subcommand add_soak_command(CLI::App& app) {
  auto* soak = app.add_subcommand(
      "soak", "our servers under sustained mixed load, churn and faults; exit 1 on a failed check");
  auto a = std::make_shared<SoakArgs>();
  auto& so = a->options;
  so.server_binary = sibling_server();
  soak->add_option("--duration,-d", so.duration_s, "seconds of load and faults")
      ->capture_default_str()
      ->check(CLI::Range(5u, 86400u));
  soak->add_option("--out,-o", so.out, "report path")->capture_default_str();
  soak->add_option("--server-binary", so.server_binary, "pushbench-server to spawn")
      ->capture_default_str();
  soak->add_option("--server-cpus", a->server_cpus_text, "pin the servers to these CPUs, e.g. 0");
  soak->add_option("--loadgen-cpus", a->loadgen_cpus_text, "pin the load generators to these CPUs");
  soak->add_option("--p99-bound-ms", so.p99_bound_ms, "healthy clients' corrected p99 bound")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  soak->add_option("--rss-slack-mb", so.rss_slack_mb,
                   "RSS after the run may exceed its warm level by this (or by 25 %)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  return {soak, [a](const std::string&) { return run_soak_command(*a); }};
}

}  // namespace pushbench::loadgen::cli
