// Units behind honest reports: the URL's workload parameters, /stats identity and the books,
// proxy evidence in response headers.
#include <gtest/gtest.h>

#include "loadgen/measure/accounting.hpp"
#include "loadgen/protocol/http_response_reader.hpp"
#include "loadgen/run/url_workload.hpp"

namespace pushbench::loadgen {
namespace {

TEST(UrlWorkload, CopiesTheUrlsParametersAndLeavesOthers) {
  StreamSpec spec;
  EXPECT_FALSE(apply_url_workload("rate=200&size=1024&payload=text&token=abc&count=5", {}, spec));
  EXPECT_EQ(spec.rate, 200);
  EXPECT_EQ(spec.size, 1024u);
  EXPECT_EQ(spec.payload, PayloadKind::text);
  EXPECT_EQ(spec.count, 5u);
  EXPECT_FALSE(spec.topic);
  // The last of a repeated key wins, as on the server.
  EXPECT_FALSE(apply_url_workload("rate=1&rate=7", {}, spec));
  EXPECT_EQ(spec.rate, 7);
}

TEST(UrlWorkload, ConflictsWithExplicitOptionsAreErrors) {
  StreamSpec spec;
  spec.rate = 100;
  auto err = apply_url_workload("rate=200", {"rate"}, spec);
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("rate=200"), std::string::npos) << *err;
  EXPECT_NE(err->find("rate=100"), std::string::npos) << *err;
  EXPECT_EQ(spec.rate, 100);  // untouched on error
  spec.rate = 200;
  EXPECT_FALSE(apply_url_workload("rate=200", {"rate"}, spec));
  spec.topic = "a";
  EXPECT_TRUE(apply_url_workload("topic=b", {"topic"}, spec));
  EXPECT_TRUE(apply_url_workload("size=-1", {}, spec));
  EXPECT_TRUE(apply_url_workload("rate=%zz", {}, spec));
}

nlohmann::json stats(const char* transport, std::int64_t pid, std::int64_t sent) {
  return {{"server", "pushbench-server"},
          {"transport", transport},
          {"pid", pid},
          {"events_sent", sent}};
}

TEST(StatsMismatch, NamesWhatDoesNotBelongToTheRun) {
  EXPECT_FALSE(stats_mismatch(stats("ws", 7, 0), stats("ws", 7, 5), Transport::ws, 7));
  EXPECT_FALSE(stats_mismatch(stats("ws", 7, 0), stats("ws", 7, 5), Transport::ws, std::nullopt));
  auto why = stats_mismatch(stats("sse", 7, 0), stats("sse", 7, 5), Transport::ws, std::nullopt);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("'sse' server, not this 'ws' run"), std::string::npos) << *why;
  EXPECT_TRUE(stats_mismatch(stats("ws", 7, 0), stats("ws", 8, 5), Transport::ws, std::nullopt));
  EXPECT_TRUE(stats_mismatch(stats("ws", 7, 0), stats("ws", 7, 5), Transport::ws, 9));
  EXPECT_TRUE(
      stats_mismatch({{"events_sent", 1}}, {{"events_sent", 2}}, Transport::sse, std::nullopt));
}

TEST(Accounting, OmitsForeignCountersAndFlagsImpossibleBooks) {
  nlohmann::json scenario = nlohmann::json::object();
  nlohmann::json warnings = nlohmann::json::array();
  add_accounting(scenario, warnings, stats("sse", 7, 0), stats("sse", 7, 10), Transport::ws,
                 std::nullopt, 30);
  EXPECT_TRUE(scenario["server_counters"].is_null());
  EXPECT_TRUE(scenario["accounting"]["in_flight_or_dropped"].is_null());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].get<std::string>().find("omitted"), std::string::npos);

  warnings = nlohmann::json::array();
  add_accounting(scenario, warnings, stats("ws", 7, 0), stats("ws", 7, 10), Transport::ws,
                 std::nullopt, 30);
  EXPECT_EQ(scenario["accounting"]["in_flight_or_dropped"], -20);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].get<std::string>().find("impossible accounting"), std::string::npos);

  warnings = nlohmann::json::array();
  add_accounting(scenario, warnings, stats("ws", 7, 0), stats("ws", 7, 30), Transport::ws,
                 std::nullopt, 30);
  EXPECT_EQ(scenario["accounting"]["in_flight_or_dropped"], 0);
  EXPECT_TRUE(warnings.empty());
}

TEST(HttpResponseReader, KeepsViaAndServer) {
  HttpResponseReader r(8192, [](std::string_view) { return std::error_code{}; });
  std::error_code ec;
  r.feed(
      "HTTP/1.1 200 OK\r\nServer: nghttpx\r\nVia: 1.1 a\r\nvia: 2 nghttpx\r\n"
      "Content-Length: 0\r\n\r\n",
      ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(r.peer_headers().via, "1.1 a, 2 nghttpx");
  EXPECT_EQ(r.peer_headers().server, "nghttpx");
}

}  // namespace
}  // namespace pushbench::loadgen
