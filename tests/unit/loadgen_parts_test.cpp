#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "loadgen/protocol/errors.hpp"
#include "loadgen/protocol/http_response_reader.hpp"
#include "loadgen/suite/runner.hpp"
#include "loadgen/protocol/session.hpp"
#include "loadgen/report/table.hpp"
#include "loadgen/protocol/target.hpp"

namespace pushbench::loadgen {
namespace {

TEST(Target, ParsesSchemesAndDefaults) {
  auto t = std::get<Target>(Target::parse("http://127.0.0.1:8080"));
  EXPECT_EQ(t.transport, Transport::sse);
  EXPECT_EQ(t.port, 8080);
  EXPECT_EQ(t.path, "/sse");
  t = std::get<Target>(Target::parse("ws://localhost/ws?rate=5"));
  EXPECT_EQ(t.transport, Transport::ws);
  EXPECT_EQ(t.port, 80);
  EXPECT_EQ(t.query, "rate=5");
  StreamSpec spec;
  spec.rate = 10;
  // The URL's own rate wins; the other parameters are added.
  const auto target = t.request_target(spec, true);
  EXPECT_EQ(target.rfind("/ws?rate=5&size=256&payload=json", 0), 0u) << target;
  EXPECT_EQ(t.request_target(spec, false), "/ws?rate=5");
  t = std::get<Target>(Target::parse("tcp://[::1]:9000"));
  EXPECT_EQ(t.host, "::1");
  EXPECT_EQ(t.host_header(), "[::1]:9000");
  for (const char* bad : {"127.0.0.1:80", "ftp://x", "http://", "http://:80", "http://h:0",
                          "http://h:99999", "http://h:8x", "tcp://host", "http://[::1"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(Target::parse(bad))) << bad;
  }
}

/// Feeds a response at every split point and collects the body.
void expect_body_at_every_split(const std::string& response, const std::string& body,
                                bool needs_eof) {
  for (std::size_t i = 0; i <= response.size(); ++i) {
    std::string got;
    HttpResponseReader r(8192, [&](std::string_view b) {
      got.append(b);
      return std::error_code{};
    });
    std::error_code ec;
    r.feed(std::string_view(response).substr(0, i), ec);
    ASSERT_FALSE(ec) << i << " " << ec.message() << " in " << response;
    r.feed(std::string_view(response).substr(i), ec);
    ASSERT_FALSE(ec) << i << " " << ec.message() << " in " << response;
    if (needs_eof) {
      EXPECT_FALSE(r.on_eof());
    }
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.content_type(), "text/event-stream");
    EXPECT_EQ(got, body) << "split " << i;
  }
}

TEST(HttpResponseReader, ChunkedSizedAndCloseDelimitedAtEverySplit) {
  expect_body_at_every_split(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
      "7\r\ndata: a\r\n3;ext=1\r\n\n\n\n\r\n0\r\n\r\n",
      "data: a\n\n\n", false);
  expect_body_at_every_split(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 9\r\n\r\ndata: b\n\n",
      "data: b\n\n", false);
  expect_body_at_every_split(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: c\n\n", "data: c\n\n",
      true);
}

TEST(HttpResponseReader, HeaderOnlyResponseLeavesTheRest) {
  const std::string resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  HttpResponseReader r(8192, [](std::string_view) { return std::error_code{}; });
  std::error_code ec;
  const auto used = r.feed(resp + "\x81\x01x", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(used, resp.size());
  EXPECT_EQ(r.status(), 101);
  EXPECT_EQ(r.upgrade(), "websocket");
}

TEST(HttpResponseReader, MalformedAndOversized) {
  HttpResponseReader r(8192, [](std::string_view) { return std::error_code{}; });
  std::error_code ec;
  r.feed("HTTX/1.1 200 OK\r\n\r\n", ec);
  EXPECT_TRUE(ec);
  HttpResponseReader small(64, [](std::string_view) { return std::error_code{}; });
  small.feed("HTTP/1.1 200 OK\r\nX: " + std::string(200, 'a') + "\r\n\r\n", ec);
  EXPECT_TRUE(ec);
  HttpResponseReader stop(8192, [](std::string_view) { return make_error_code(LoadErrc::event_too_large); });
  stop.feed("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", ec);
  EXPECT_EQ(ec, make_error_code(LoadErrc::event_too_large));
}

struct LineRecorder final : SessionHandler {
  std::vector<std::string> events;
  void on_event(std::size_t, std::string_view data, std::string_view, std::string_view) override {
    events.emplace_back(data);
  }
};

TEST(RawSession, LinesAtEverySplitAndErrorLine) {
  const std::string stream = "{\"seq\":0}\n{\"seq\":1}\n{\"seq\":2}\n";
  auto target = std::get<Target>(Target::parse("tcp://127.0.0.1:1"));
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    LineRecorder rec;
    auto s = make_session(target, StreamSpec{}, SessionOptions{}, rec);
    std::string out;
    ASSERT_FALSE(s->on_read(std::string_view(stream).substr(0, i), out));
    ASSERT_FALSE(s->on_read(std::string_view(stream).substr(i), out));
    EXPECT_FALSE(s->on_eof());
    EXPECT_EQ(rec.events.size(), 3u);
  }
  LineRecorder rec;
  auto s = make_session(target, StreamSpec{}, SessionOptions{}, rec);
  std::string out;
  EXPECT_EQ(s->on_read("ERROR rate must be positive\n", out),
            make_error_code(LoadErrc::bad_handshake));
  SessionOptions small;
  small.max_event_bytes = 8;
  auto s2 = make_session(target, StreamSpec{}, small, rec);
  EXPECT_EQ(s2->on_read(std::string(20, 'x'), out), make_error_code(LoadErrc::event_too_large));
}

TEST(Suite, QuickSuiteAndBadSuites) {
  const auto q = load_suite("quick");
  EXPECT_EQ(q.name, "quick");
  ASSERT_FALSE(q.scenarios.empty());
  for (const auto& s : q.scenarios) EXPECT_GE(s.transports.size(), 2u);
  EXPECT_EQ(q.scenarios.back().load.http, HttpVersion::h2);
  EXPECT_EQ(q.scenarios.back().load.streams, 100u);
  EXPECT_THROW(parse_suite(nlohmann::json::parse(R"({"scenarios":[{"group":"g","rat":5}]})")),
               std::runtime_error);
  EXPECT_THROW(parse_suite(nlohmann::json::parse(
                   R"({"scenarios":[{"group":"g","http":"2","transports":["raw"]}]})")),
               std::runtime_error);
  EXPECT_THROW(parse_suite(nlohmann::json::parse(R"({"scenarios":[{"group":"g","streams":4}]})")),
               std::runtime_error);
  EXPECT_THROW(parse_suite(nlohmann::json::parse("{}")), std::runtime_error);
  // Found by fuzz_suite: a name or defaults of the wrong type is a suite error, not a JSON
  // type_error escaping as an unknown exception.
  EXPECT_THROW(parse_suite(nlohmann::json::parse(R"({"name":{},"scenarios":[{"group":"g"}]})")),
               std::runtime_error);
  EXPECT_THROW(
      parse_suite(nlohmann::json::parse(R"({"defaults":[1],"scenarios":[{"group":"g"}]})")),
      std::runtime_error);
  EXPECT_THROW(parse_suite(nlohmann::json::parse(R"({"scenarios":[{"rate":5}]})")),
               std::runtime_error);
  EXPECT_THROW(parse_suite(nlohmann::json::parse(R"({"scenarios":[{"group":"g","rate":-5}]})")),
               std::runtime_error);
  EXPECT_THROW(
      parse_suite(nlohmann::json::parse(R"({"scenarios":[{"group":"g","transports":["x"]}]})")),
      std::runtime_error);
  EXPECT_THROW(parse_suite(nlohmann::json::parse(R"({"scenarios":[{"group":"g","rate":"x"}]})")),
               std::runtime_error);
  // Found by fuzzing (tests/fuzz/corpus/suite/regress-float-for-integer-key): a float for an
  // integer key was converted with a cast (undefined behaviour out of range, caught by UBSan)
  // and a negative one wrapped around; both are errors now.
  for (const char* bad : {R"({"scenarios":[{"group":"g","size":6.4e94}]})",
                          R"({"scenarios":[{"group":"g","connections":-1}]})",
                          R"({"scenarios":[{"group":"g","connections":1.5}]})",
                          R"({"scenarios":[{"group":"g","deflate_level":4294967302}]})"}) {
    EXPECT_THROW(parse_suite(nlohmann::json::parse(bad)), std::runtime_error) << bad;
  }
  EXPECT_NO_THROW(parse_suite(nlohmann::json::parse(R"({"scenarios":[{"group":"g","size":64}]})")));
  EXPECT_TRUE(parse_cpu_list("0,2-3"));
  EXPECT_EQ(parse_cpu_list("0,2-3")->size(), 3u);
  EXPECT_FALSE(parse_cpu_list("3-1"));
  EXPECT_FALSE(parse_cpu_list("a"));
  EXPECT_FALSE(parse_cpu_list(""));
}

TEST(Suite, ScheduleKeysReachTheLoadAndTheServer) {
  const auto s = parse_suite(nlohmann::json::parse(
      R"({"scenarios":[{"group":"g","phase":"aligned","phase_seed":7,"timer_slack_us":500}]})"));
  ASSERT_EQ(s.scenarios.size(), 1u);
  const auto& sc = s.scenarios[0];
  EXPECT_EQ(sc.load.phase, Phase::aligned);
  EXPECT_EQ(sc.load.phase_seed, 7u);
  EXPECT_EQ(sc.load.server_timer_slack_us, 500u);
  const auto it = std::find(sc.server_args.begin(), sc.server_args.end(), "--timer-slack-us");
  ASSERT_NE(it, sc.server_args.end());
  EXPECT_EQ(*(it + 1), "500");
  EXPECT_FALSE(parse_suite(nlohmann::json::parse(R"({"scenarios":[{"group":"g"}]})"))
                   .scenarios[0].load.phase);  // the workload's default
  for (const char* bad : {R"({"scenarios":[{"group":"g","phase":"sideways"}]})",
                          R"({"scenarios":[{"group":"g","timer_slack_us":2000000}]})",
                          R"({"scenarios":[{"group":"g","phase_seed":"x"}]})"}) {
    EXPECT_THROW(parse_suite(nlohmann::json::parse(bad)), std::runtime_error) << bad;
  }
}

// The load generator's boolean suite keys: read from a scenario or the defaults, off when
// absent, a non-boolean refused.
TEST(Suite, LoadgenFlagsAreReadAndABadValueIsRefused) {
  const auto parse = [](const std::string& text) {
    return parse_suite(nlohmann::json::parse(text)).scenarios[0].load;
  };
  const std::pair<const char*, bool LoadConfig::*> flags[] = {
      {"delayed_acks", &LoadConfig::delayed_acks}, {"busy_poll", &LoadConfig::busy_poll}};
  for (const auto& [key, member] : flags) {
    const std::string k = std::string("\"") + key + "\"";
    EXPECT_TRUE(parse(R"({"scenarios":[{"group":"g",)" + k + ":true}]}").*member) << key;
    EXPECT_TRUE(parse(R"({"defaults":{)" + k + R"(:true},"scenarios":[{"group":"g"}]})").*member)
        << key;
    EXPECT_FALSE(parse(R"({"scenarios":[{"group":"g"}]})").*member) << key << ": off by default";
    EXPECT_THROW(parse(R"({"scenarios":[{"group":"g",)" + k + R"(:"yes"}]})"), std::runtime_error)
        << key;
  }
}

TEST(Suite, ShippedSuitesParseAndCoverEveryWorkload) {
  // Every file in bench/suites, so a new suite with a typo fails here and not on a user's machine.
  std::size_t runs = 0, files = 0;
  const std::filesystem::path dir = std::string(PUSHBENCH_SOURCE_DIR) + "/bench/suites";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    const auto name = entry.path().stem().string();
    ++files;
    const auto suite = load_suite(name);
    EXPECT_FALSE(suite.scenarios.empty()) << name;
    runs = 0;
    for (const auto& s : suite.scenarios) runs += s.transports.size();
    EXPECT_GT(runs, 0u) << name;
  }
  EXPECT_GE(files, 12u);
  // The full suite measures every workload kind and both HTTP versions, with and without TLS.
  const auto full = load_suite("full");
  bool chat = false, resume = false, slow = false, storm = false, idle = false, topic = false,
       find_max = false, h2 = false, tls = false, capped = false, proxy = false, broker = false;
  for (const auto& s : full.scenarios) {
    proxy |= s.proxy && *s.proxy != ProxyKind::none;
    broker |= s.broker != ProxyKind::none;
    chat |= s.load.chat;
    resume |= s.load.resume;
    slow |= s.load.slow_fraction > 0;
    storm |= s.load.connect_rate > 0;
    idle |= s.load.spec.keepalive_s.has_value();
    topic |= s.load.spec.topic.has_value();
    find_max |= s.find_max.has_value();
    h2 |= s.load.http == HttpVersion::h2;
    tls |= s.tls;
    capped |= s.load.max_connections_per_origin > 0;
  }
  EXPECT_TRUE(chat && resume && slow && storm && idle && topic && find_max && h2 && tls && capped);
  EXPECT_TRUE(proxy && broker);
}

TEST(ComparisonTable, ShowsEveryTransportOfAGroupAndNulls) {
  nlohmann::json report = {{"scenarios",
                            {{{"group", "g1"}, {"transport", "sse"},
                              {"throughput", {{"events_per_s", 1234.0}}},
                              {"warnings", {"careful"}}},
                             {{"group", "g1"}, {"transport", "ws"}, {"server", nullptr}}}}};
  const auto t = comparison_table(report);
  EXPECT_NE(t.find("g1"), std::string::npos);
  EXPECT_NE(t.find("sse"), std::string::npos);
  EXPECT_NE(t.find("ws"), std::string::npos);
  EXPECT_NE(t.find("1234"), std::string::npos);
  EXPECT_NE(t.find("n/a"), std::string::npos);
  EXPECT_NE(t.find("! sse: careful"), std::string::npos);
}

// How the load generator waited, with the CPUs its spinning workers were pinned to.
TEST(ComparisonTable, LoadgenWaitRowNamesThePinnedCpus) {
  const nlohmann::json report = {{"scenarios",
                                  {{{"group", "g"},
                                    {"transport", "raw"},
                                    {"loadgen", {{"wait", "busy_poll"}, {"worker_cpus", "0,1"}}}},
                                   {{"group", "g"},
                                    {"transport", "sse"},
                                    {"loadgen", {{"wait", "block"}, {"worker_cpus", nullptr}}}}}}};
  const auto t = comparison_table(report);
  const auto row = t.find("loadgen wait");
  ASSERT_NE(row, std::string::npos) << t;
  const std::string line = t.substr(row, t.find('\n', row) - row);
  EXPECT_NE(line.find("busy_poll (CPUs 0,1)"), std::string::npos) << line;
  EXPECT_NE(line.find("block"), std::string::npos) << line;
  EXPECT_EQ(line.find("block (CPUs"), std::string::npos) << line;
}

}  // namespace
}  // namespace pushbench::loadgen
