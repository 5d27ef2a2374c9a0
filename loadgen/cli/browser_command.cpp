// `pushbench browser`: the subcommand of loadgen/browser/browser_cli, registered as the others.
#include <memory>

#include "loadgen/browser/browser_cli.hpp"
#include "loadgen/cli/command.hpp"

namespace pushbench::loadgen::cli {

Subcommand add_browser_subcommand(CLI::App& app) {
  std::shared_ptr<BrowserCommand> browser = add_browser_command(app);
  return {browser->app, [browser](const std::string& command_line) {
            return run_browser_command(*browser, command_line);
          }};
}

}  // namespace pushbench::loadgen::cli
