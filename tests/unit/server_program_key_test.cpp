// The suite key `server`: pushbench-server by default, pushbench-feeder where the feeder serves.
#include <gtest/gtest.h>

#include <string>

#include "loadgen/suite/runner.hpp"

namespace pushbench::loadgen {
namespace {

SuiteScenario one(const std::string& extra,
                  const std::string& transports = R"(["raw", "sse", "ws"])") {
  return parse_suite(nlohmann::json::parse(R"({"scenarios": [{"group": "g", "transports": )" +
                                           transports + extra + "}]}"))
      .scenarios.at(0);
}

/// The error parse_suite gives for a scenario of SSE and WebSocket with `extra`, or "parsed".
std::string error_of(const std::string& extra) {
  try {
    one(extra, R"(["sse", "ws"])");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "parsed";
}

TEST(ServerProgramKey, TheFeederTakesTheTickAndNothingElse) {
  EXPECT_EQ(one("").server, "pushbench-server");
  EXPECT_EQ(one(R"(, "compression": "none")").server_args.front(), "--deflate-level");
  const auto f = one(R"(, "server": "pushbench-feeder", "timer_slack_us": 500)");
  EXPECT_EQ(f.server, "pushbench-feeder");
  EXPECT_EQ(f.server_args, (std::vector<std::string>{"--timer-slack-us", "500"}));
}

TEST(ServerProgramKey, WhatTheFeederCannotServeIsASuiteError) {
  const std::string feeder = R"(, "server": "pushbench-feeder", "timer_slack_us": 1000)";
  EXPECT_NE(error_of(R"(, "server": "nginx")")
                .find("server must be pushbench-server or "
                      "pushbench-feeder, got 'nginx'"),
            std::string::npos);
  EXPECT_NE(error_of(R"(, "server": "pushbench-feeder")").find("timer_slack_us >= 10"),
            std::string::npos);
  for (const char* extra :
       {R"(, "tls": true)", R"(, "http": "2")", R"(, "compression": "on")",
        R"(, "server_threads": 2)", R"(, "topic": "t")", R"(, "keepalive": 1)", R"(, "chat": true)",
        R"(, "resume": true)", R"(, "drop_after": 1)", R"(, "retry_ms": 100)",
        R"(, "proxy": "nginx")", R"(, "shared_compression": true)"}) {
    EXPECT_NE(error_of(feeder + extra).find("suite: g: pushbench-feeder"), std::string::npos)
        << extra << ": " << error_of(feeder + extra);
  }
  EXPECT_EQ(error_of(feeder + R"(, "size": 64, "rate": 1000)"), "parsed");
}

}  // namespace
}  // namespace pushbench::loadgen
