// Suite scenarios with "client": "chromium": what parse_suite accepts, refuses and adds.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "loadgen/suite/runner.hpp"

namespace pushbench::loadgen {
namespace {

Suite parse(const char* text) {
  return parse_suite(nlohmann::json::parse(text));
}

bool has_arg(const SuiteScenario& sc, const std::string& arg) {
  return std::find(sc.server_args.begin(), sc.server_args.end(), arg) != sc.server_args.end();
}

TEST(BrowserSuite, ChromiumScenarioParsesAndTurnsServerCompressionOff) {
  const auto suite = parse(R"({"scenarios":[
      {"group":"a","client":"chromium","transports":["sse","ws"],"connections":10},
      {"group":"b","client":"chromium","transports":["ws"],"http":"2","tls":true,
       "compression":"on"}]})");
  ASSERT_EQ(suite.scenarios.size(), 2u);
  EXPECT_EQ(suite.scenarios[0].client, "chromium");
  // The browser always offers compression: "none" must be the server's refusal.
  EXPECT_TRUE(has_arg(suite.scenarios[0], "--no-compression"));
  EXPECT_FALSE(has_arg(suite.scenarios[1], "--no-compression"));
  EXPECT_TRUE(has_arg(suite.scenarios[1], "--tls"));
}

TEST(BrowserSuite, DefaultClientIsTheLoadGenerator) {
  const auto suite = parse(R"({"scenarios":[{"group":"a"}]})");
  EXPECT_EQ(suite.scenarios[0].client, "pushbench");
  EXPECT_FALSE(has_arg(suite.scenarios[0], "--no-compression"));
}

TEST(BrowserSuite, RefusesWhatABrowserCannotDo) {
  for (const char* bad : {
           R"({"scenarios":[{"group":"g","client":"firefox"}]})",
           R"({"scenarios":[{"group":"g","client":"chromium","transports":["raw"]}]})",
           R"({"scenarios":[{"group":"g","client":"chromium","transports":["sse"],"http":"2"}]})",
           R"({"scenarios":[{"group":"g","client":"chromium","transports":["ws"],"chat":true}]})",
           R"({"scenarios":[{"group":"g","client":"chromium","transports":["sse"],
               "delayed_acks":true}]})",
           R"({"scenarios":[{"group":"g","client":"chromium","transports":["sse"],
               "busy_poll":true}]})",
           R"({"scenarios":[{"group":"g","client":"chromium","transports":["sse"],
               "find_max":true}]})",
       }) {
    EXPECT_THROW(parse(bad), std::runtime_error) << bad;
  }
}

TEST(BrowserSuite, TheCheckedInSuiteParses) {
  const auto suite = load_suite("browser");
  ASSERT_FALSE(suite.scenarios.empty());
  for (const auto& sc : suite.scenarios) EXPECT_EQ(sc.client, "chromium") << sc.group;
}

}  // namespace
}  // namespace pushbench::loadgen
