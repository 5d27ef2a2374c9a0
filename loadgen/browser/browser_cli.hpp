#pragma once
// The `pushbench browser` subcommand: its options and what running it does.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "loadgen/browser/browser_run.hpp"

namespace pushbench::loadgen {

/// The subcommand and the values its options fill.
struct BrowserCommand {
  CLI::App* app = nullptr;       ///< the subcommand (true when it was given)
  BrowserConfig config;          ///< filled by the options
  std::string payload = "json";  ///< --payload
  std::string page = "auto";     ///< --page auto|origin|harness
  std::string out;               ///< --out FILE (else the report goes to stdout)
};

/// Adds `browser` to `app`; the returned object must outlive app.parse().
std::unique_ptr<BrowserCommand> add_browser_command(CLI::App& app);

/// Runs the parsed command: one scenario in a report written to --out (and a one-line summary
/// on stdout) or printed as JSON. Ctrl-C/SIGTERM stop Chromium and exit 130. Returns the exit
/// status; errors go to `std::cerr` as "pushbench: ...".
int run_browser_command(BrowserCommand& cmd, const std::string& command_line);

}  // namespace pushbench::loadgen
