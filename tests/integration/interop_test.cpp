// Our servers against clients nobody here wrote: curl and python3-websockets; `tap` beside them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/contract/event.hpp"
#include "core/codec/sse_parser.hpp"
#include "helpers.hpp"

namespace pushbench::test {
namespace {

using loadgen::ServerProcess;

struct Collected final : sse::Handler {
  std::vector<std::pair<std::string, std::string>> events;  // (id, data)
  void on_event(const sse::Event& ev) override {
    events.emplace_back(std::string(ev.id), std::string(ev.data));
  }
};

/// Every event is the contract's exact bytes, seq counts 0..n-1.
void expect_contract_sequence(const std::vector<std::string>& datas, std::size_t size) {
  for (std::size_t i = 0; i < datas.size(); ++i) {
    const auto h = parse_event_header(datas[i]);
    ASSERT_TRUE(h) << datas[i];
    EXPECT_EQ(h->seq, i);
    EXPECT_TRUE(h->st.has_value());
    EXPECT_EQ(datas[i].size(), size);
    EXPECT_TRUE(verify_event_data(datas[i], PayloadKind::json, size)) << datas[i];
  }
}

TEST(Interop, TapAndCurlReadTheSameSseStream) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(server.port()) + "/sse?rate=200&size=180&count=7";

  const auto [curl_rc, curl_out] = run_command("curl -sS -N --max-time 10 '" + url + "'");
  ASSERT_EQ(curl_rc, 0) << curl_out;
  Collected c;
  sse::Parser parser(c);
  ASSERT_FALSE(parser.feed(curl_out));
  ASSERT_EQ(c.events.size(), 7u);

  const auto [tap_rc, tap_out] = run_command(bin("pushbench") + " tap '" + url + "'");
  ASSERT_EQ(tap_rc, 0) << tap_out;
  std::istringstream lines(tap_out);
  std::string line;
  std::vector<std::string> tap_data, curl_data;
  std::size_t i = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["type"], "message");
    ASSERT_LT(i, c.events.size());
    // Same ids in the same order from both clients.
    EXPECT_EQ(j["id"], c.events[i].first);
    EXPECT_EQ(j["id"], std::to_string(i));
    tap_data.push_back(j["data"]);
    curl_data.push_back(c.events[i].second);
    ++i;
  }
  EXPECT_EQ(i, 7u);
  expect_contract_sequence(tap_data, 180);
  expect_contract_sequence(curl_data, 180);
}

TEST(Interop, TapStopsAfterCountAndFailsCleanlyOnErrors) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  auto [rc, out] = run_command(bin("pushbench") + " tap -n 3 '" + base + "/sse?rate=500'");
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3);
  std::tie(rc, out) = run_command(bin("pushbench") + " tap '" + base + "/nope' 2>&1");
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("pushbench tap:"), std::string::npos) << out;
  std::tie(rc, out) = run_command(bin("pushbench") + " tap 'http://127.0.0.1:1/sse' 2>&1");
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("connect failed"), std::string::npos) << out;
}

TEST(Interop, TapPrintsWebSocketMessagesWithoutId) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const std::string url =
      "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws?rate=300&size=90&count=4";
  const auto [rc, out] = run_command(bin("pushbench") + " tap '" + url + "'");
  ASSERT_EQ(rc, 0) << out;
  std::istringstream lines(out);
  std::string line;
  std::vector<std::string> data;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["type"], "message");
    EXPECT_FALSE(j.contains("id"));
    data.push_back(j["data"]);
  }
  ASSERT_EQ(data.size(), 4u);
  expect_contract_sequence(data, 90);
}

TEST(Interop, PythonWebsocketsClientReceivesOurEvents) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const std::string url =
      "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws?rate=500&size=256&count=20";
  const auto [rc, out] =
      run_command("/usr/bin/python3 " + source("tests/ws_client.py") + " '" + url + "' 20");
  ASSERT_EQ(rc, 0) << out;
  std::istringstream lines(out);
  std::string line;
  std::vector<std::string> data;
  while (std::getline(lines, line)) data.push_back(line);
  ASSERT_EQ(data.size(), 20u) << out;
  expect_contract_sequence(data, 256);
}

}  // namespace
}  // namespace pushbench::test
