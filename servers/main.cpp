// pushbench-server: serves one transport (sse | ws | raw) on loopback by default.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/measure/sysinfo.hpp"
#include "core/net/tls.hpp"
#include "servers/server.hpp"

int main(int argc, char** argv) {
  using namespace pushbench::server;
  CLI::App app{"pushbench-server: paired SSE / WebSocket / raw-TCP event servers"};
  std::string transport_name;
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  ServerConfig config;
  std::vector<std::string> transport_names;
  for (const auto& row : pushbench::transports()) transport_names.emplace_back(row.name);
  app.add_option("--transport", transport_name, "sse | ws | raw")
      ->required()
      ->check(CLI::IsMember(transport_names));
  app.add_option("--listen", listen, "address:port to bind (port 0 = ephemeral)")
      ->capture_default_str();
  app.add_option("--port-file", port_file, "write the bound port to this file once listening");
  app.add_option("--threads", config.threads, "I/O threads")->capture_default_str()->check(
      CLI::Range(1u, 256u));
  app.add_option("--max-queue-bytes", config.max_queue_bytes,
                 "per-connection send queue; a client that falls further behind is dropped")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  app.add_option("--max-header-bytes", config.max_header_bytes, "request header size limit")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20));
  unsigned request_timeout_ms = 10000;
  app.add_option("--request-timeout-ms", request_timeout_ms,
                 "close a connection whose TLS handshake, request or plain response takes longer, "
                 "or that idles longer between keep-alive requests (not event streams)")
      ->capture_default_str()
      ->check(CLI::Range(10u, 3600000u));
  app.add_option("--max-connections", config.max_connections, "open connections limit")
      ->capture_default_str();
  bool no_compression = false;
  std::string payload_file;
  app.add_flag("--no-compression", no_compression,
               "never compress (ignore Accept-Encoding and permessage-deflate offers)");
  app.add_option("--deflate-level", config.deflate_level, "zlib level, 0-9")
      ->capture_default_str()->check(CLI::Range(0, 9));
  app.add_option("--deflate-window-bits", config.deflate_window_bits,
                 "zlib window bits, 9-15 (WS: server_max_window_bits)")
      ->capture_default_str()->check(CLI::Range(9, 15));
  app.add_option("--deflate-mem-level", config.deflate_mem_level, "zlib memLevel, 1-9")
      ->capture_default_str()->check(CLI::Range(1, 9));
  app.add_flag("--sse-reset-per-event", config.sse_reset_per_event,
               "SSE: compress every event independently (full flush, no context takeover)");
  app.add_flag("--pmd-server-no-context-takeover", config.pmd_server_no_context_takeover,
               "WS: reset the server's compressor after every message");
  app.add_flag("--pmd-client-no-context-takeover", config.pmd_client_no_context_takeover,
               "WS: ask the client to reset its compressor after every message");
  app.add_option("--pmd-min-size", config.pmd_min_size,
                 "WS: send messages smaller than this uncompressed")->capture_default_str();
  app.add_flag("--pmd-shared-broadcast", config.pmd_shared_broadcast,
               "WS: compress each broadcast event once and share the frame among subscribers "
               "that agreed to server_no_context_takeover (see --pmd-server-no-context-takeover)");
  std::string pmd_engine = "own";
  app.add_option("--ws-pmd-engine", pmd_engine,
                 "WS permessage-deflate over cleartext HTTP/1.1: own (our framing, gathered "
                 "writes; always used over TLS and HTTP/2) | beast (Beast's, one message per write)")
      ->capture_default_str()->check(CLI::IsMember({"own", "beast"}));
  app.add_option("--payload-file", payload_file,
                 "sample messages, one per line, sent for payload=file (cycled)");
  app.add_option("--stall-ms", config.stall_ms,
                 "fault injection: block every I/O thread this long every --stall-every-ms "
                 "(to validate coordinated-omission correction); 0 = off")
      ->capture_default_str()->check(CLI::Range(0u, 10000u));
  app.add_option("--stall-every-ms", config.stall_every_ms, "period of --stall-ms")
      ->capture_default_str()->check(CLI::Range(10u, 3600000u));
  unsigned timer_slack_us = 0;
  app.add_option("--timer-slack-us", timer_slack_us,
                 "coalesce paced streams' wake-ups: round each up to a multiple of this many "
                 "microseconds (0: exact; events keep their intended ts)")
      ->capture_default_str()->check(CLI::Range(0u, 1000000u));
  bool tls = false, tls12 = false, no_http2 = false;
  std::string cert_file, key_file;
  app.add_flag("--tls", tls,
               "TLS on every connection (ALPN h2 and http/1.1); a self-signed certificate is "
               "generated at start-up unless --cert/--key are given");
  app.add_option("--cert", cert_file, "PEM certificate chain for --tls");
  app.add_option("--key", key_file, "PEM private key for --cert");
  app.add_flag("--tls12", tls12, "allow TLS 1.2 (default: TLS 1.3 only)");
  app.add_flag("--no-http2", no_http2,
               "HTTP/1.1 only: no h2c prior knowledge, no ALPN h2 (sse and ws transports)");
  app.add_option("--h2-max-streams", config.h2_max_concurrent_streams,
                 "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS")
      ->capture_default_str()->check(CLI::Range(1u, 1u << 20));
  unsigned shutdown_grace_ms = 1000;
  app.add_option("--shutdown-grace-ms", shutdown_grace_ms,
                 "on SIGINT/SIGTERM: time connections get to end cleanly (HTTP/2 GOAWAY, "
                 "WebSocket close 1001, last SSE chunk) before the server stops anyway")
      ->capture_default_str()->check(CLI::Range(0u, 600000u));
  bool quiet = false;
  app.add_flag("--quiet", quiet, "no start-up and shutdown lines (errors are still printed)");
  CLI11_PARSE(app, argc, argv);
  config.compression = !no_compression;
  config.request_timeout = std::chrono::milliseconds(request_timeout_ms);
  config.timer_slack = std::chrono::microseconds(timer_slack_us);
  config.shutdown_grace = std::chrono::milliseconds(shutdown_grace_ms);
  config.http2 = !no_http2;
  config.ws_pmd_beast = pmd_engine == "beast";
  if ((!cert_file.empty() || !key_file.empty() || tls12) && !tls) {
    std::cerr << "pushbench-server: --cert, --key and --tls12 need --tls\n";
    return 2;
  }
  if (tls) {
    try {
      pushbench::tls::ServerOptions options;
      options.cert_file = cert_file;
      options.key_file = key_file;
      options.allow_tls12 = tls12;
      if (config.http2) options.alpn.push_back("h2");
      options.alpn.push_back("http/1.1");
      config.tls = pushbench::tls::make_server_context(options);
    } catch (const std::exception& e) {
      std::cerr << "pushbench-server: " << e.what() << "\n";
      return 2;
    }
  }
  if (!payload_file.empty()) {
    auto lines = pushbench::read_payload_lines(payload_file);
    if (auto* err = std::get_if<std::string>(&lines)) {
      std::cerr << "pushbench-server: " << *err << "\n";
      return 2;
    }
    config.payload_lines = std::make_shared<const pushbench::PayloadLines>(
        std::get<pushbench::PayloadLines>(std::move(lines)));
  }

  config.transport = *pushbench::parse_transport(transport_name);
  const auto& transport = pushbench::transport_info(config.transport);
  if (config.tls && !transport.tls) {
    std::cerr << "pushbench-server: --tls applies to the sse and ws transports (raw is the "
                 "cleartext TCP baseline)\n";
    return 2;
  }
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "pushbench-server: --listen must be address:port, got '" << listen << "'\n";
    return 2;
  }
  config.address = listen.substr(0, colon);
  if (config.address.size() > 2 && config.address.front() == '[') {
    config.address = config.address.substr(1, config.address.size() - 2);
  }
  try {
    const unsigned long port = std::stoul(listen.substr(colon + 1));
    if (port > 65535) throw std::out_of_range("port");
    config.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    std::cerr << "pushbench-server: bad port in --listen '" << listen << "'\n";
    return 2;
  }
  pushbench::raise_fd_limit();
  try {
    Server server(config);
    if (!quiet) {
      std::printf("pushbench-server transport=%s%s%s listening on %s:%u\n",
                  transport_name.c_str(), config.tls ? " tls" : "",
                  config.http2 && transport.http2 ? " h2" : "",
                  config.address.c_str(), server.port());
      std::fflush(stdout);
    }
    if (!port_file.empty()) {
      // Written to a temporary name, then renamed, so a reader never sees a partial file.
      const std::string tmp = port_file + ".tmp";
      std::ofstream(tmp) << server.port() << "\n";
      if (std::rename(tmp.c_str(), port_file.c_str()) != 0) {
        std::cerr << "pushbench-server: cannot write --port-file " << port_file << "\n";
        return 1;
      }
    }
    server.run(true);
    if (!quiet) std::cerr << "pushbench-server: stopped; stats " << server.stats_json().dump() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "pushbench-server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
