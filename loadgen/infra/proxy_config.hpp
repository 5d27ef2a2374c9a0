#pragma once
// Reverse proxies put in front of our servers by `pushbench run` (scenario key `proxy`): their
// names, the configuration each gets (one function per proxy), the command that starts it in
// the foreground, and what each cannot do.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/protocol/session.hpp"
#include "loadgen/protocol/target.hpp"

namespace pushbench::loadgen {

/// A reverse proxy recipe.
enum class ProxyKind {
  none,        ///< the load generator talks to the server directly
  nginx,       ///< HTTP/1.1 upstream with keep-alive, no buffering, WebSocket Upgrade passed on
  nginx_gzip,  ///< nginx compressing text/event-stream itself; the backend is asked for identity
  nghttpx,     ///< HTTP/2 (h2c and TLS) front end, HTTP/1.1 backends, RFC 8441 at the front
  haproxy,     ///< HTTP/2 front end with WebSockets, HTTP/1.1 backend
  nchan,       ///< not a proxy: the nchan pub/sub broker (an nginx module, no backend), started
               ///< by the same machinery for the scenario key `broker` (loadgen/infra/broker.hpp);
               ///< parse_proxy_kind does not accept it
};
std::string_view to_string(ProxyKind kind);
/// "none", "nginx", "nginx-gzip", "nghttpx" or "haproxy"; nullopt otherwise.
std::optional<ProxyKind> parse_proxy_kind(std::string_view name);

/// Everything a proxy's configuration depends on.
struct ProxySetup {
  ProxyKind kind = ProxyKind::none;
  std::uint16_t port = 0;          ///< front end: 127.0.0.1:port
  std::uint16_t backend_port = 0;  ///< our server: 127.0.0.1:backend_port, cleartext HTTP/1.1
  bool tls = false;                ///< TLS at the front (ALPN h2 and http/1.1)
  bool http2 = false;              ///< the clients speak HTTP/2 (nginx's cleartext listener is
                                   ///< either HTTP/1.1 or h2 prior knowledge, not both)
  std::filesystem::path dir;       ///< temp dir: config, logs, cert.pem, key.pem, both.pem
};

/// The start of every nginx.conf we write, up to and including the opening of `http {` with its
/// logs, pid and temp paths in `dir`: one foreground process (daemon off, master_process off),
/// one worker.
std::string nginx_preamble(const std::filesystem::path& dir);
/// nginx.conf: single foreground process (daemon off, master_process off), one worker.
std::string nginx_config(const ProxySetup& setup);
/// nghttpx.conf: single process, one worker thread, Via appended (its default).
std::string nghttpx_config(const ProxySetup& setup);
/// haproxy.cfg: one thread, HTTP mode, long client/server/tunnel timeouts.
std::string haproxy_config(const ProxySetup& setup);

/// nginx.conf of the nchan broker (loadgen/infra/broker_config.cpp): a publisher location /pub and
/// subscriber locations /sse (EventSource) and /ws (WebSocket), the channel from `?channel=`,
/// each subscriber getting the raw published body as its event data from the next message on.
std::string nchan_config(const ProxySetup& setup);

/// The configuration text of `setup.kind` and the file name it goes to in `setup.dir`.
std::pair<std::string, std::string> proxy_config_file(const ProxySetup& setup);
/// The argv that runs the proxy in the foreground with the configuration at `config`.
std::vector<std::string> proxy_command(const ProxySetup& setup,
                                       const std::filesystem::path& config);

/// What `kind` cannot do for a scenario (a warning each): e.g. WebSockets over HTTP/2 at a
/// front that lacks RFC 8441, gzip at nginx for WebSocket traffic or for clients that offer none.
std::vector<std::string> proxy_limitations(ProxyKind kind, Transport protocol, HttpVersion http,
                                           bool client_offers_gzip);

}  // namespace pushbench::loadgen
