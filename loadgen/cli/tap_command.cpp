// `pushbench tap URL`: every received event as one JSON line.
#include <iostream>
#include <memory>

#include "loadgen/cli/command.hpp"
#include "loadgen/run/tap.hpp"

namespace pushbench::loadgen::cli {

Subcommand add_tap_command(CLI::App& app) {
  auto* tap = app.add_subcommand("tap", "print every received event as one JSON line");
  auto to = std::make_shared<TapOptions>();
  tap->add_option("url", to->url, "http(s)://, ws(s):// or tcp:// URL (sent as given)")->required();
  tap->add_flag("--http2", to->http2, "HTTP/2: prior knowledge, or ALPN h2 over TLS");
  tap->add_option("--count,-n", to->count, "exit 0 after this many events");
  tap->add_option("--timeout", to->timeout_s, "give up after this many seconds (0: never)")
      ->capture_default_str();
  tap->add_option("--cacert", to->ca_file,
                  "verify the server's certificate (chain and host name) against this PEM file")
      ->check(CLI::ExistingFile);
  return {tap, [to](const std::string&) { return run_tap(*to, std::cout, std::cerr); }};
}

}  // namespace pushbench::loadgen::cli
