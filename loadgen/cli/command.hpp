#pragma once
// The `pushbench` subcommands: how each is registered and run, and the helpers several share.
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "loadgen/run/settings_table.hpp"

namespace pushbench::loadgen::cli {

/// One registered subcommand. Its options write into state the `run` closure owns.
struct Subcommand {
  CLI::App* app = nullptr;  ///< the subcommand (true when it was given)
  /// Runs the parsed subcommand with the full command line (for the report); returns the exit
  /// status and throws std::exception on an error.
  std::function<int(const std::string& command_line)> run;
  int error_status = 1;  ///< exit status when `run` throws
};

/// Each adds its subcommand to `app`; the result must outlive app.parse().
Subcommand add_load_command(CLI::App& app);
Subcommand add_run_command(CLI::App& app);
Subcommand add_browser_subcommand(CLI::App& app);
Subcommand add_tap_command(CLI::App& app);
Subcommand add_soak_command(CLI::App& app);
Subcommand add_compare_command(CLI::App& app);
Subcommand add_merge_command(CLI::App& app);
Subcommand add_report_command(CLI::App& app);

/// argv joined by spaces.
std::string command_line(int argc, char** argv);

/// A report file's JSON; std::runtime_error when unreadable or invalid.
nlohmann::json read_report(const std::string& path);

/// "10%" or "0.1" as a fraction; nullopt when malformed or negative.
std::optional<double> parse_threshold(std::string s);

/// pushbench-server next to this executable.
std::string sibling_server();

/// Adds `--progress auto|always|never` (load and run) writing into `mode`.
void add_progress_option(CLI::App& sub, std::string& mode);

/// Adds the option of a workload settings row to `sub`, writing into `values`.
void add_setting_option(CLI::App& sub, const Setting& row, WorkloadSettings& values);

/// Whether `--progress` `mode` asks for the live line (auto: when stderr is a terminal).
bool progress_enabled(const std::string& mode);

}  // namespace pushbench::loadgen::cli
