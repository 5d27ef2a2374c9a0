// Resumable streams and chat / request-reply end to end: `pushbench load --resume` and `--chat`
// against our servers on every transport, plus curl and python3-websockets talking to the resume
// (Last-Event-ID, 204, drop_after, retry:) and echo (POST /send, WebSocket messages) endpoints.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "core/codec/sse_parser.hpp"
#include "helpers.hpp"

namespace pushbench::test {
namespace {

using loadgen::ServerProcess;

/// Runs `pushbench load --json <args>` and returns its one scenario (null on failure).
nlohmann::json load(const std::string& args, int timeout = 60) {
  const auto [rc, out] =
      run_command(bin("pushbench") + " load --json --progress never " + args, timeout);
  EXPECT_EQ(rc, 0) << args << "\n" << out;
  auto report = nlohmann::json::parse(out, nullptr, false);
  if (report.is_discarded() || !report.contains("scenarios") || report["scenarios"].size() != 1) {
    ADD_FAILURE() << "no report from: " << args << "\n" << out;
    return nullptr;
  }
  return report["scenarios"][0];
}

std::string base(std::uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

struct CollectedIds final : sse::Handler {
  std::vector<std::string> ids;
  void on_event(const sse::Event& ev) override { ids.emplace_back(ev.id); }
};

std::vector<std::string> sse_ids(const std::string& body) {
  CollectedIds c;
  sse::Parser parser(c);
  EXPECT_FALSE(parser.feed(body));
  return c.ids;
}

void expect_no_errors(const nlohmann::json& s) {
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
}

// --- Resume ---

TEST(Resume, SseLastEventIdLosesNothing) {
  ServerProcess server(bin("pushbench-server"), "sse", 2);
  const std::string common = "--url " + base(server.port()) +
                             "/sse --resume --drop-after 0.3 --retry-ms 20 -c 5 -r 200 "
                             "--verify-payload ";

  const auto s = load(common + "-d 2 -w 0.3");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["workload"]["kind"], "resume");
  EXPECT_GT(s["events"]["expected"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(s["events"]["received"], s["events"]["expected"]);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["duplicated"], 0);
  expect_no_errors(s);
  const auto& r = s["resume"];
  EXPECT_GE(r["reconnects"].get<std::uint64_t>(), 5u) << r.dump();
  EXPECT_EQ(r["drop_after_s"], 0.3);
  EXPECT_EQ(r["retry_ms"], 20);
  EXPECT_FALSE(r["disconnects"].empty()) << r.dump();
  EXPECT_GT(r["recovery_us"]["count"].get<std::uint64_t>(), 0u) << r.dump();

  const auto c = load(common + "--count 300 -d 10 -w 0");
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["events"]["received"], 5 * 300);
  EXPECT_EQ(c["events"]["expected"], 5 * 300);
  EXPECT_EQ(c["events"]["lost"], 0);
  EXPECT_EQ(c["events"]["duplicated"], 0);
  EXPECT_GE(c["resume"]["reconnects"].get<std::uint64_t>(), 5u);
  expect_no_errors(c);
}

struct TransportCase {
  std::string transport;  // sse, ws, raw
  std::string http;       // 1.1 or 2
};

/// How ctest shows a case ("sse over HTTP/1.1") instead of its bytes.
void PrintTo(const TransportCase& c, std::ostream* os) {
  *os << c.transport << " over HTTP/" << c.http;
}

/// "sse_h1", "ws_h2", ...: a readable test name for a TransportCase.
std::string case_name(const ::testing::TestParamInfo<TransportCase>& info) {
  return info.param.transport + (info.param.http == "2" ? "_h2" : "_h1");
}

class ResumeTransports : public ::testing::TestWithParam<TransportCase> {};

TEST_P(ResumeTransports, LosesNothing) {
  const auto& p = GetParam();
  ServerProcess server(bin("pushbench-server"), p.transport, 2);
  const auto s = load("--url " + url_for(p.transport, server.port()) + " --http " + p.http +
                      " --resume --drop-after 0.3 --reconnect-ms 20" +
                      (p.transport == "sse" ? " --retry-ms 20" : "") +
                      " -c 5 -r 200 -d 1.5 -w 0.3 --verify-payload");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["workload"]["kind"], "resume");
  EXPECT_GT(s["events"]["expected"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(s["events"]["received"], s["events"]["expected"]);
  EXPECT_EQ(s["events"]["lost"], 0);
  EXPECT_EQ(s["events"]["duplicated"], 0);
  EXPECT_GT(s["resume"]["reconnects"].get<std::uint64_t>(), 0u) << s["resume"].dump();
  expect_no_errors(s);
}

INSTANTIATE_TEST_SUITE_P(Resume, ResumeTransports,
                         ::testing::Values(TransportCase{"ws", "1.1"}, TransportCase{"raw", "1.1"},
                                           TransportCase{"sse", "2"}, TransportCase{"ws", "2"}),
                         case_name);

TEST(Resume, ShortGapReplaysTheMissedEventsThenNoContent) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string target = "/sse?stream=x&rate=100&count=10&size=16";
  const auto first = http_exchange(server.port(),
                                "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n", "id: 4\n");
  ASSERT_NE(first.find("id: 4\n"), std::string::npos) << first;
  EXPECT_EQ(first.find("id: 5\n"), std::string::npos);

  const std::string url = base(server.port()) + target;
  const auto [rc, second] =
      run_command("curl -sS -N --max-time 5 -H 'Last-Event-ID: 4' '" + url + "'");
  EXPECT_EQ(rc, 0) << second;
  EXPECT_EQ(sse_ids(second), (std::vector<std::string>{"5", "6", "7", "8", "9"})) << second;

  const auto [rc3, third] =
      run_command("curl -sS -i --max-time 5 -H 'Last-Event-ID: 9' '" + url + "'");
  EXPECT_EQ(rc3, 0) << third;
  EXPECT_EQ(third.rfind("HTTP/1.1 204", 0), 0u) << third;
  EXPECT_EQ(third.find("data:"), std::string::npos) << third;
}

// --- ResumeServer ---

TEST(ResumeServer, DropAfterEndsTheSseBodyWithoutItsLastChunk) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const auto [rc, out] = run_command("curl -sS -N --max-time 5 '" + base(server.port()) +
                                     "/sse?rate=100&size=16&drop_after=0.2' 2>/dev/null");
  EXPECT_EQ(rc, 18) << out;  // CURLE_PARTIAL_FILE: the chunked body never ended
  const auto ids = sse_ids(out);
  ASSERT_FALSE(ids.empty()) << out;
  EXPECT_EQ(ids.front(), "0");
  EXPECT_LT(ids.size(), 40u);
}

TEST(ResumeServer, RetryFieldComesFirst) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const std::string query = "/sse?rate=100&size=16&count=3&retry=50";
  for (const std::string http : {"--http1.1", "--http2-prior-knowledge"}) {
    const auto [rc, out] =
        run_command("curl -sS -N --max-time 5 " + http + " '" + base(server.port()) + query + "'");
    EXPECT_EQ(rc, 0) << http << "\n" << out;
    EXPECT_EQ(out.rfind("retry: 50\n\n", 0), 0u) << http << "\n" << out;
    EXPECT_EQ(sse_ids(out), (std::vector<std::string>{"0", "1", "2"})) << http;
  }
}

// --- Chat ---

class ChatTransports : public ::testing::TestWithParam<TransportCase> {};

TEST_P(ChatTransports, EveryMessageComesBack) {
  const auto& p = GetParam();
  ServerProcess server(bin("pushbench-server"), p.transport, 2);
  const auto s = load("--url " + url_for(p.transport, server.port()) + " --http " + p.http +
                      " --chat -c 10 -r 50 -s 128 -d 1.5 -w 0.3 --verify-payload");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["workload"]["kind"], "chat");
  EXPECT_GT(s["events"]["expected"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(s["events"]["received"], s["events"]["expected"]);
  EXPECT_EQ(s["events"]["lost"], 0);
  expect_no_errors(s);
  EXPECT_GT(s["latency_us"]["corrected"]["count"].get<std::uint64_t>(), 0u);
  const auto& chat = s["chat"];
  EXPECT_EQ(chat["send_rate_per_client"], 50.0);
  EXPECT_GT(chat["messages_sent"].get<std::uint64_t>(), 0u);
  if (p.transport == "sse" && p.http == "1.1") {
    EXPECT_EQ(chat["post_connections"], 10) << chat.dump();
    EXPECT_EQ(chat["posts_answered"], chat["messages_sent"]) << chat.dump();
    EXPECT_EQ(chat["message_path"], "POST on a second HTTP/1.1 connection");
  } else {
    EXPECT_EQ(chat["post_connections"], 0) << chat.dump();
    EXPECT_EQ(chat["message_path"], p.transport == "ws"
                                        ? "websocket message"
                                        : "POST stream on the same HTTP/2 connection");
  }
}

INSTANTIATE_TEST_SUITE_P(Chat, ChatTransports,
                         ::testing::Values(TransportCase{"sse", "1.1"}, TransportCase{"sse", "2"},
                                           TransportCase{"ws", "1.1"}, TransportCase{"ws", "2"}),
                         case_name);

TEST(Chat, SsePostConnectionIsReopenedAfterTheServersIdleTimeout) {
  // The server closes an idle keep-alive connection after 150 ms; messages come every 500 ms, so
  // each one finds its POST connection closed and must open a new one, as a browser would.
  ServerProcess server(bin("pushbench-server"), "sse", 1, std::nullopt,
                       {"--request-timeout-ms", "150"});
  const auto s = load("--url " + url_for("sse", server.port()) +
                      " --chat -c 2 -r 2 -s 64 -d 1.6 -w 0.4 --verify-payload");
  ASSERT_TRUE(s.is_object());
  expect_no_errors(s);
  const auto& chat = s["chat"];
  EXPECT_EQ(chat["posts_answered"], chat["messages_sent"]) << chat.dump();
  EXPECT_GE(chat["messages_sent"].get<std::uint64_t>(), 6u) << chat.dump();
  // Every message after each client's first needed a new connection.
  EXPECT_GE(chat["post_connections"].get<std::uint64_t>(), 6u) << chat.dump();
  EXPECT_EQ(s["events"]["lost"], 0);
}

TEST(Chat, SendEndpointErrors) {
  ServerProcess server(bin("pushbench-server"), "sse", 1);
  const auto status = [&](const std::string& opts, const std::string& target) {
    const auto [rc, out] = run_command("curl -sS -o /dev/null -w '%{http_code}' --max-time 5 " +
                                       opts + " '" + base(server.port()) + target + "'");
    EXPECT_EQ(rc, 0) << opts << " " << target;
    return out;
  };
  EXPECT_EQ(status("-X POST --data hi", "/send?stream=nope"), "404");
  EXPECT_EQ(status("", "/send?stream=x"), "405");
  EXPECT_EQ(status("-X POST --data hi", "/send"), "400");
  EXPECT_EQ(status("-X POST --data hi", "/send?other=1"), "400");
  EXPECT_EQ(status("--http2-prior-knowledge -X POST --data hi", "/send?stream=nope"), "404");
  EXPECT_EQ(status("--http2-prior-knowledge", "/send?stream=x"), "405");
}

/// Runs a python3-websockets script with the URL as argv[1]; returns {exit status, stdout}.
std::pair<int, std::string> run_python(const std::string& script, const std::string& url) {
  return run_command("/usr/bin/python3 -c '" + script + "' '" + url + "'", 20);
}

// Sends three text messages and prints "ok" when the same three come back; {0} is the
// websockets.connect() keyword arguments.
constexpr std::string_view kEchoScript = R"PY(
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1], {0}) as ws:
        sent = {1}
        for m in sent:
            await ws.send(m)
        try:
            got = [await asyncio.wait_for(ws.recv(), timeout=3) for _ in sent]
        except asyncio.TimeoutError:
            print("timeout")
            return 1
        if got != sent:
            print("mismatch", [g[:40] for g in got])
            return 1
        print("ok")
        return 0
sys.exit(asyncio.run(main()))
)PY";

/// The echo script connecting with `connect_args` and sending the Python list `messages`.
std::string echo_script(const std::string& connect_args,
                        const std::string& messages = R"(["hello", "caf\u00e9 \u2603", "x" * 3000])") {
  std::string s(kEchoScript);
  s.replace(s.find("{0}"), 3, connect_args);
  s.replace(s.find("{1}"), 3, messages);
  return s;
}

std::string echo_url(std::uint16_t port) {
  return "ws://127.0.0.1:" + std::to_string(port) + "/ws?echo=1&rate=1";
}

// python-websockets, with and without permessage-deflate on its messages, gets each one back.
TEST(Chat, PythonWebsocketsEcho) {
  for (const char* args : {"compression=None, close_timeout=1",
                           "compression=\"deflate\", close_timeout=1"}) {
    ServerProcess server(bin("pushbench-server"), "ws", 1);
    const auto [rc, out] = run_python(echo_script(args), echo_url(server.port()));
    EXPECT_EQ(rc, 0) << args << ": " << out;
    EXPECT_EQ(out, "ok\n") << args;
  }
}

// Messages that arrive in more bytes than one server read (a 20 KB message, then a burst of 40
// sent at once) are all echoed while the client waits without sending more: the server drains
// an edge-triggered socket instead of waiting for bytes that are already there.
TEST(Chat, PythonWebsocketsEchoesMoreThanOneReadWithoutMoreTraffic) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const auto [rc, out] =
      run_python(echo_script("compression=None, close_timeout=1, max_size=None",
                             R"(["y" * 20000] + ["m%02d" % i + "z" * 600 for i in range(40)])"),
                 echo_url(server.port()));
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "ok\n");
}

TEST(Chat, PythonWebsocketsClientCloseIsPrompt) {
  ServerProcess server(bin("pushbench-server"), "ws", 1);
  const std::string script = R"PY(
import asyncio, sys, time, websockets
async def main():
    ws = await websockets.connect(sys.argv[1], compression=None, close_timeout=5)
    t = time.monotonic()
    await ws.close()
    print("closed" if time.monotonic() - t < 1 and ws.close_code == 1000 else "slow")
asyncio.run(main())
)PY";
  const auto [rc, out] = run_python(script, echo_url(server.port()));
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "closed\n");
}

}  // namespace
}  // namespace pushbench::test
