#pragma once
// pushbench-server's command line: its flags, their checks and the ServerConfig they make.
#include <string>
#include <variant>

#include "servers/stream/context.hpp"

namespace pushbench::server {

/// A command line that starts a server.
struct ServerCli {
  ServerConfig config;         ///< everything the Server needs (address, port, TLS, limits)
  std::string transport_name;  ///< --transport as given, for the start-up line
  std::string port_file;       ///< --port-file: where to write the bound port (empty: nowhere)
  bool quiet = false;          ///< --quiet: no start-up and shutdown lines
};

/// A command line that does not start a server: --help, or an error.
struct CliExit {
  int status = 0;   ///< the process's exit status (0 after --help, 2 for a bad command line)
  std::string out;  ///< text for stdout (the help)
  std::string err;  ///< text for stderr (the error message)
};

/// Parses `argv`, reads the files it names (TLS certificate and key, payload file) and checks
/// the combination; prints nothing.
std::variant<ServerCli, CliExit> parse_server_cli(int argc, char** argv);

}  // namespace pushbench::server
