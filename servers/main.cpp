// pushbench-server: serves one transport (sse | ws | raw) on loopback by default.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/measure/sysinfo.hpp"
#include "servers/server.hpp"
#include "servers/server_cli.hpp"

namespace {

/// Serves until SIGINT/SIGTERM; returns the exit status.
int serve(pushbench::server::ServerCli& cli) {
  using pushbench::server::Server;
  const auto& config = cli.config;
  try {
    Server server(config);
    if (!cli.quiet) {
      std::printf("pushbench-server transport=%s%s%s listening on %s:%u\n",
                  cli.transport_name.c_str(), config.tls ? " tls" : "",
                  config.http2 && pushbench::transport_info(config.transport).http2 ? " h2" : "",
                  config.address.c_str(), server.port());
      std::fflush(stdout);
    }
    if (!cli.port_file.empty()) {
      // Written to a temporary name, then renamed, so a reader never sees a partial file.
      const std::string tmp = cli.port_file + ".tmp";
      std::ofstream(tmp) << server.port() << "\n";
      if (std::rename(tmp.c_str(), cli.port_file.c_str()) != 0) {
        std::cerr << "pushbench-server: cannot write --port-file " << cli.port_file << "\n";
        return 1;
      }
    }
    server.run(true);
    if (!cli.quiet) {
      std::cerr << "pushbench-server: stopped; stats " << server.stats_json().dump() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "pushbench-server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = pushbench::server::parse_server_cli(argc, argv);
  if (auto* exit = std::get_if<pushbench::server::CliExit>(&parsed)) {
    std::cout << exit->out << std::flush;
    std::cerr << exit->err;
    return exit->status;
  }
  pushbench::raise_fd_limit();
  return serve(std::get<pushbench::server::ServerCli>(parsed));
}
