// pushbench: the load generator and suite runner.
//   pushbench load --url URL ...   one load run against any server
//   pushbench run [--suite FILE]   spawn our servers per transport and run a suite
//   pushbench tap URL              print every event as a JSON line
//   pushbench browser --url URL    headless Chromium as the client
// Each subcommand lives in its own *_command.cpp; this file only registers and dispatches.
#include <iostream>
#include <vector>

#include "loadgen/cli/command.hpp"

int main(int argc, char** argv) {
  using namespace pushbench::loadgen::cli;
  CLI::App app{"pushbench: SSE vs WebSocket vs raw-TCP push benchmark"};
  app.require_subcommand(1);
  std::vector<Subcommand> commands;
  for (auto* add : {add_load_command, add_run_command, add_browser_subcommand, add_tap_command,
                    add_soak_command, add_compare_command, add_merge_command, add_report_command}) {
    commands.push_back(add(app));
  }
  CLI11_PARSE(app, argc, argv);
  for (const auto& command : commands) {
    if (!*command.app) continue;
    try {
      return command.run(command_line(argc, argv));
    } catch (const std::exception& e) {
      std::cerr << "pushbench: " << e.what() << "\n";
      return command.error_status;  // compare: 1 means "regressed", so its errors are 2
    }
  }
  return 0;
}
