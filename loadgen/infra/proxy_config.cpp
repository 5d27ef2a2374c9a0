#include "loadgen/infra/proxy_config.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <iterator>
#include <string_view>

namespace pushbench::loadgen {

namespace {

/// HTTP/2 streams per client connection at every proxy's front: our servers' default
/// (--h2-max-streams), so a proxy does not refuse what the server alone would take (the
/// proxies' own defaults are 100 to 128).
constexpr int kMaxConcurrentStreams = 1000;

std::string str(const std::filesystem::path& p) {
  return p.string();
}

std::string hostport(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

}  // namespace

std::string_view to_string(ProxyKind kind) {
  switch (kind) {
    case ProxyKind::none:
      return "none";
    case ProxyKind::nginx:
      return "nginx";
    case ProxyKind::nginx_gzip:
      return "nginx-gzip";
    case ProxyKind::nghttpx:
      return "nghttpx";
    case ProxyKind::haproxy:
      return "haproxy";
    case ProxyKind::nchan:
      return "nchan";
  }
  return "?";
}

std::optional<ProxyKind> parse_proxy_kind(std::string_view name) {
  for (auto k : {ProxyKind::none, ProxyKind::nginx, ProxyKind::nginx_gzip, ProxyKind::nghttpx,
                 ProxyKind::haproxy}) {
    if (to_string(k) == name) return k;
  }
  return std::nullopt;
}

std::string nginx_preamble(const std::filesystem::path& dir) {
  const std::string d = str(dir);
  return "daemon off;\nmaster_process off;\nworker_processes 1;\nworker_rlimit_nofile 65536;\n"
         "pid " + d + "/nginx.pid;\nerror_log " + d + "/error.log warn;\n"
         "events { worker_connections 32768; }\n"
         "http {\n"
         "  access_log off;\n"
         "  client_body_temp_path " + d + "/body;\n  proxy_temp_path " + d + "/proxy;\n"
         "  fastcgi_temp_path " + d + "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n"
         "  scgi_temp_path " + d + "/scgi;\n";
}

std::string nginx_config(const ProxySetup& s) {
  const std::string d = str(s.dir);
  std::string listen = "listen " + hostport(s.port);
  if (s.tls) listen += " ssl";
  if (s.http2) listen += " http2";
  std::string tls;
  if (s.tls) {
    tls = "    ssl_certificate " + d + "/cert.pem;\n    ssl_certificate_key " + d +
          "/key.pem;\n    ssl_protocols TLSv1.2 TLSv1.3;\n";
  }
  // nginx-gzip: compress event streams here, per chunk, and ask the backend for identity.
  const bool gzip = s.kind == ProxyKind::nginx_gzip;
  const std::string gzip_server =
      gzip ? "    gzip on;\n    gzip_types text/event-stream;\n    gzip_min_length 0;\n"
             "    gzip_comp_level 6;\n    gzip_proxied any;\n    gzip_vary on;\n"
           : "";
  const std::string gzip_location = gzip ? "      proxy_set_header Accept-Encoding \"\";\n" : "";
  return nginx_preamble(s.dir) +
         "  upstream backend { server " +
         hostport(s.backend_port) +
         "; keepalive 64; }\n"
         "  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }\n"
         "  http2_max_concurrent_streams " +
         std::to_string(kMaxConcurrentStreams) +
         ";\n"
         "  server {\n    " +
         listen + ";\n" + tls + gzip_server +
         "    location / {\n"
         "      proxy_pass http://backend;\n"
         "      proxy_http_version 1.1;\n"
         "      proxy_set_header Host $host;\n"
         "      proxy_set_header Upgrade $http_upgrade;\n"
         "      proxy_set_header Connection $connection_upgrade;\n" +
         gzip_location +
         "      proxy_buffering off;\n"
         "      proxy_cache off;\n"
         "      proxy_read_timeout 1h;\n"
         "      proxy_send_timeout 1h;\n"
         "    }\n  }\n}\n";
}

std::string nghttpx_config(const ProxySetup& s) {
  const std::string d = str(s.dir);
  std::string out = "frontend=127.0.0.1," + std::to_string(s.port) + (s.tls ? "" : ";no-tls") +
                    "\nbackend=127.0.0.1," + std::to_string(s.backend_port) +
                    ";;proto=http/1.1\n"
                    "workers=1\nsingle-process=yes\nerrorlog-file=" +
                    d +
                    "/error.log\n"
                    "no-ocsp=yes\nfrontend-read-timeout=1h\nfrontend-write-timeout=1h\n"
                    "backend-read-timeout=1h\nbackend-write-timeout=1h\n"
                    "stream-write-timeout=1h\nrlimit-nofile=65536\n"
                    "frontend-http2-max-concurrent-streams=" +
                    std::to_string(kMaxConcurrentStreams) + "\n";
  if (s.tls) {
    out += "private-key-file=" + d + "/key.pem\ncertificate-file=" + d + "/cert.pem\n";
  }
  return out;
}

std::string haproxy_config(const ProxySetup& s) {
  const std::string d = str(s.dir);
  std::string bind = "  bind " + hostport(s.port);
  if (s.tls) bind += " ssl crt " + d + "/both.pem alpn h2,http/1.1";
  // haproxy needs two descriptors per connection and does not raise the hard limit itself.
  // http-no-delay: without it haproxy sends HTTP/1.1 response data with MSG_MORE, and the
  // kernel holds small SSE chunks up to 200 ms (measured: p99 213 ms at 20 events/s).
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  const rlim_t fds = nofile.rlim_max > 712 ? nofile.rlim_max : 712;
  const auto maxconn = std::clamp<rlim_t>((fds - 200) / 2, 256, 100000);
  return "global\n  maxconn " + std::to_string(maxconn) +
         "\n  nbthread 1\n  tune.h2.max-concurrent-streams " +
         std::to_string(kMaxConcurrentStreams) +
         "\n\n"
         "defaults\n  mode http\n  option http-no-delay\n  timeout connect 5s\n  timeout client "
         "1h\n"
         "  timeout server 1h\n  timeout tunnel 1h\n  timeout http-request 10s\n\n"
         "frontend front\n" +
         bind +
         "\n  default_backend back\n\n"
         "backend back\n  server pushbench " +
         hostport(s.backend_port) + "\n";
}

std::pair<std::string, std::string> proxy_config_file(const ProxySetup& s) {
  switch (s.kind) {
    case ProxyKind::nginx:
    case ProxyKind::nginx_gzip:
      return {nginx_config(s), "nginx.conf"};
    case ProxyKind::nghttpx:
      return {nghttpx_config(s), "nghttpx.conf"};
    case ProxyKind::haproxy:
      return {haproxy_config(s), "haproxy.cfg"};
    case ProxyKind::nchan:
      return {nchan_config(s), "nginx.conf"};
    case ProxyKind::none:
      break;
  }
  return {"", ""};
}

std::vector<std::string> proxy_command(const ProxySetup& s, const std::filesystem::path& config) {
  switch (s.kind) {
    case ProxyKind::nginx:
    case ProxyKind::nginx_gzip:
    case ProxyKind::nchan:
      return {"nginx", "-p", str(s.dir), "-c", str(config), "-e", str(s.dir / "error.log")};
    case ProxyKind::nghttpx:
      return {"nghttpx", "--conf=" + str(config)};
    case ProxyKind::haproxy:
      return {"haproxy", "-db", "-f", str(config)};
    case ProxyKind::none:
      break;
  }
  return {};
}

std::vector<std::string> proxy_limitations(ProxyKind kind, Transport protocol, HttpVersion http,
                                           bool client_offers_gzip) {
  std::vector<std::string> out;
  const auto& info = transport_info(protocol);
  const bool nginx = kind == ProxyKind::nginx || kind == ProxyKind::nginx_gzip;
  // nginx-gzip compresses response bodies of a transport that takes gzip content coding; an
  // upgraded stream (WebSocket) has no body to compress.
  const bool takes_gzip = std::find(std::begin(info.compressions), std::end(info.compressions),
                                    std::string_view("gzip")) != std::end(info.compressions);
  if (nginx && info.upgrade && http == HttpVersion::h2) {
    out.push_back(
        "nginx does not accept WebSockets over HTTP/2 (RFC 8441) at its front: the "
        "clients' extended CONNECT fails (no_extended_connect)");
  }
  if (kind == ProxyKind::nginx_gzip && info.upgrade) {
    out.push_back(
        "nginx-gzip compresses text/event-stream only: WebSocket messages pass "
        "through as the backend sent them");
  }
  if (kind == ProxyKind::nginx_gzip && takes_gzip && !client_offers_gzip) {
    out.push_back(
        "nginx-gzip compresses only for clients that offer gzip: this run's clients "
        "offer none (set compression on or gzip)");
  }
  return out;
}

}  // namespace pushbench::loadgen
