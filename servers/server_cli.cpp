#include "servers/server_cli.hpp"

#include <CLI/CLI.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "core/contract/event.hpp"
#include "core/contract/transport.hpp"
#include "core/net/tls.hpp"

namespace pushbench::server {

namespace {

/// The options typed as text or as plain numbers until they are checked and converted.
struct ServerArgs {
  ServerCli cli;                        ///< the result, filled as far as options can go directly
  std::string listen = "127.0.0.1:0";   ///< --listen address:port
  unsigned request_timeout_ms = 10000;  ///< --request-timeout-ms
  bool no_compression = false;          ///< --no-compression
  std::string payload_file;             ///< --payload-file
  std::string pmd_engine = "own";       ///< --ws-pmd-engine own|beast
  unsigned timer_slack_us = 0;          ///< --timer-slack-us
  bool tls = false;                     ///< --tls
  bool tls12 = false;                   ///< --tls12
  bool no_http2 = false;                ///< --no-http2
  std::string cert_file;                ///< --cert
  std::string key_file;                 ///< --key
  unsigned shutdown_grace_ms = 1000;    ///< --shutdown-grace-ms
};

/// --transport to --max-connections.
void add_limit_options(CLI::App& app, ServerArgs& a) {
  auto& config = a.cli.config;
  std::vector<std::string> transport_names;
  for (const auto& row : transports()) transport_names.emplace_back(row.name);
  app.add_option("--transport", a.cli.transport_name, "sse | ws | raw")
      ->required()
      ->check(CLI::IsMember(transport_names));
  app.add_option("--listen", a.listen, "address:port to bind (port 0 = ephemeral)")
      ->capture_default_str();
  app.add_option("--port-file", a.cli.port_file,
                 "write the bound port to this file once listening");
  app.add_option("--threads", config.threads, "I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));
  app.add_option("--max-queue-bytes", config.max_queue_bytes,
                 "per-connection send queue; a client that falls further behind is dropped")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  app.add_option("--max-header-bytes", config.max_header_bytes, "request header size limit")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20));
  app.add_option("--request-timeout-ms", a.request_timeout_ms,
                 "close a connection whose TLS handshake, request or plain response takes longer, "
                 "or that idles longer between keep-alive requests (not event streams)")
      ->capture_default_str()
      ->check(CLI::Range(10u, 3600000u));
  app.add_option("--max-connections", config.max_connections, "open connections limit")
      ->capture_default_str();
}

/// --no-compression to --ws-pmd-engine.
void add_compression_options(CLI::App& app, ServerArgs& a) {
  auto& config = a.cli.config;
  app.add_flag("--no-compression", a.no_compression,
               "never compress (ignore Accept-Encoding and permessage-deflate offers)");
  app.add_option("--deflate-level", config.deflate_level, "zlib level, 0-9")
      ->capture_default_str()
      ->check(CLI::Range(0, 9));
  app.add_option("--deflate-window-bits", config.deflate_window_bits,
                 "zlib window bits, 9-15 (WS: server_max_window_bits)")
      ->capture_default_str()
      ->check(CLI::Range(9, 15));
  app.add_option("--deflate-mem-level", config.deflate_mem_level, "zlib memLevel, 1-9")
      ->capture_default_str()
      ->check(CLI::Range(1, 9));
  app.add_flag("--sse-reset-per-event", config.sse_reset_per_event,
               "SSE: compress every event independently (full flush, no context takeover)");
  app.add_flag("--pmd-server-no-context-takeover", config.pmd_server_no_context_takeover,
               "WS: reset the server's compressor after every message");
  app.add_flag("--pmd-client-no-context-takeover", config.pmd_client_no_context_takeover,
               "WS: ask the client to reset its compressor after every message");
  app.add_option("--pmd-min-size", config.pmd_min_size,
                 "WS: send messages smaller than this uncompressed")
      ->capture_default_str();
  app.add_flag("--pmd-shared-broadcast", config.pmd_shared_broadcast,
               "WS: compress each broadcast event once and share the frame among subscribers "
               "that agreed to server_no_context_takeover (see --pmd-server-no-context-takeover)");
  app.add_option(
         "--ws-pmd-engine", a.pmd_engine,
         "WS permessage-deflate over cleartext HTTP/1.1: own (our framing, gathered "
         "writes; always used over TLS and HTTP/2) | beast (Beast's, one message per write)")
      ->capture_default_str()
      ->check(CLI::IsMember({"own", "beast"}));
}

/// --payload-file to --quiet.
void add_run_options(CLI::App& app, ServerArgs& a) {
  auto& config = a.cli.config;
  app.add_option("--payload-file", a.payload_file,
                 "sample messages, one per line, sent for payload=file (cycled)");
  app.add_option("--stall-ms", config.stall_ms,
                 "fault injection: block every I/O thread this long every --stall-every-ms "
                 "(to validate coordinated-omission correction); 0 = off")
      ->capture_default_str()
      ->check(CLI::Range(0u, 10000u));
  app.add_option("--stall-every-ms", config.stall_every_ms, "period of --stall-ms")
      ->capture_default_str()
      ->check(CLI::Range(10u, 3600000u));
  app.add_option("--timer-slack-us", a.timer_slack_us,
                 "coalesce paced streams' wake-ups: round each up to a multiple of this many "
                 "microseconds (0: exact; events keep their intended ts)")
      ->capture_default_str()
      ->check(CLI::Range(0u, 1000000u));
  app.add_flag("--tls", a.tls,
               "TLS on every connection (ALPN h2 and http/1.1); a self-signed certificate is "
               "generated at start-up unless --cert/--key are given");
  app.add_option("--cert", a.cert_file, "PEM certificate chain for --tls");
  app.add_option("--key", a.key_file, "PEM private key for --cert");
  app.add_flag("--tls12", a.tls12, "allow TLS 1.2 (default: TLS 1.3 only)");
  app.add_flag("--no-http2", a.no_http2,
               "HTTP/1.1 only: no h2c prior knowledge, no ALPN h2 (sse and ws transports)");
  app.add_option("--h2-max-streams", config.h2_max_concurrent_streams,
                 "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 20));
  app.add_option("--shutdown-grace-ms", a.shutdown_grace_ms,
                 "on SIGINT/SIGTERM: time connections get to end cleanly (HTTP/2 GOAWAY, "
                 "WebSocket close 1001, last SSE chunk) before the server stops anyway")
      ->capture_default_str()
      ->check(CLI::Range(0u, 600000u));
  app.add_flag("--quiet", a.cli.quiet, "no start-up and shutdown lines (errors are still printed)");
}

/// A bad command line: exit status 2 with "pushbench-server: `message`".
CliExit usage_error(const std::string& message) {
  return {2, "", "pushbench-server: " + message + "\n"};
}

/// TLS and the payload file, read into `a.cli.config`; nullopt when they are fine.
std::optional<CliExit> apply_files(ServerArgs& a) {
  auto& config = a.cli.config;
  if ((!a.cert_file.empty() || !a.key_file.empty() || a.tls12) && !a.tls) {
    return usage_error("--cert, --key and --tls12 need --tls");
  }
  if (a.tls) {
    try {
      tls::ServerOptions options;
      options.cert_file = a.cert_file;
      options.key_file = a.key_file;
      options.allow_tls12 = a.tls12;
      if (config.http2) options.alpn.push_back("h2");
      options.alpn.push_back("http/1.1");
      config.tls = tls::make_server_context(options);
    } catch (const std::exception& e) {
      return usage_error(e.what());
    }
  }
  if (!a.payload_file.empty()) {
    auto lines = read_payload_lines(a.payload_file);
    if (auto* err = std::get_if<std::string>(&lines)) return usage_error(*err);
    config.payload_lines =
        std::make_shared<const PayloadLines>(std::get<PayloadLines>(std::move(lines)));
  }
  return std::nullopt;
}

/// The transport and --listen, checked into `a.cli.config`; nullopt when they are fine.
std::optional<CliExit> apply_endpoint(ServerArgs& a) {
  auto& config = a.cli.config;
  config.transport = *parse_transport(a.cli.transport_name);
  if (config.tls && !transport_info(config.transport).tls) {
    return usage_error(
        "--tls applies to the sse and ws transports (raw is the cleartext TCP baseline)");
  }
  const auto colon = a.listen.rfind(':');
  if (colon == std::string::npos) {
    return usage_error("--listen must be address:port, got '" + a.listen + "'");
  }
  config.address = a.listen.substr(0, colon);
  if (config.address.size() > 2 && config.address.front() == '[') {
    config.address = config.address.substr(1, config.address.size() - 2);
  }
  try {
    const unsigned long port = std::stoul(a.listen.substr(colon + 1));
    if (port > 65535) throw std::out_of_range("port");
    config.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return usage_error("bad port in --listen '" + a.listen + "'");
  }
  return std::nullopt;
}

}  // namespace

std::variant<ServerCli, CliExit> parse_server_cli(int argc, char** argv) {
  CLI::App app{"pushbench-server: paired SSE / WebSocket / raw-TCP event servers"};
  ServerArgs a;
  add_limit_options(app, a);
  add_compression_options(app, a);
  add_run_options(app, a);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    const int status = app.exit(e, out, err);
    return CliExit{status, out.str(), err.str()};
  }
  auto& config = a.cli.config;
  config.compression = !a.no_compression;
  config.request_timeout = std::chrono::milliseconds(a.request_timeout_ms);
  config.timer_slack = std::chrono::microseconds(a.timer_slack_us);
  config.shutdown_grace = std::chrono::milliseconds(a.shutdown_grace_ms);
  config.http2 = !a.no_http2;
  config.ws_pmd_beast = a.pmd_engine == "beast";
  if (auto error = apply_files(a)) return *error;
  if (auto error = apply_endpoint(a)) return *error;
  return std::move(a.cli);
}

}  // namespace pushbench::server
