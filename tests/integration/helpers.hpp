#pragma once
// Shared helpers of the integration tests: binaries, a shell runner, a raw HTTP exchange.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/run/server_process.hpp"

namespace pushbench::test {

inline std::string bin(const std::string& name) { return std::string(PUSHBENCH_BIN_DIR) + "/" + name; }
inline std::string source(const std::string& path) {
  return std::string(PUSHBENCH_SOURCE_DIR) + "/" + path;
}

/// Our server's URL for `transport` ("sse", "ws", "raw") on 127.0.0.1:`port`.
inline std::string url_for(const std::string& transport, std::uint16_t port) {
  const std::string hp = "127.0.0.1:" + std::to_string(port);
  if (transport == "sse") return "http://" + hp + "/sse";
  if (transport == "ws") return "ws://" + hp + "/ws";
  return "tcp://" + hp;
}

/// Runs a shell command (bounded by `timeout` seconds); returns {exit status, stdout}.
inline std::pair<int, std::string> run_command(const std::string& cmd, int timeout = 30) {
  std::string full = "timeout " + std::to_string(timeout) + " " + cmd;
  FILE* p = popen(full.c_str(), "r");
  std::string out;
  if (!p) return {-1, out};
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// The single scenario of `pushbench load --url URL ARGS --json`; fails the test when the run
/// fails or prints no report.
inline nlohmann::json load_scenario(const std::string& url, const std::string& args,
                                    int timeout = 30) {
  const auto [status, out] = run_command(bin("pushbench") + " load --url '" + url + "' " + args +
                                             " --json --progress never",
                                         timeout);
  EXPECT_EQ(status, 0) << out;
  const auto report = nlohmann::json::parse(out, nullptr, false);
  if (report.is_discarded() || !report.contains("scenarios") || report["scenarios"].empty()) {
    ADD_FAILURE() << "no report: " << out;
    return nlohmann::json::object();
  }
  return report["scenarios"][0];
}

/// True when some warning of `scenario` contains `text`.
inline bool has_warning(const nlohmann::json& scenario, const std::string& text) {
  if (!scenario.contains("warnings")) return false;
  for (const auto& w : scenario["warnings"]) {
    if (w.is_string() && w.get<std::string>().find(text) != std::string::npos) return true;
  }
  return false;
}

/// Sends `request` to 127.0.0.1:port and returns everything the server sends until it closes,
/// `until` appears (when not empty), or 5 s pass.
inline std::string http_exchange(std::uint16_t port, const std::string& request,
                                 const std::string& until = {}) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(s, asio::buffer(request));
  timeval tv{5, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  while (until.empty() || out.find(until) == std::string::npos) {
    const auto n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

}  // namespace pushbench::test
