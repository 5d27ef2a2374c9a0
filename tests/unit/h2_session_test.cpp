#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/codec/deflate.hpp"
#include "core/codec/ws_frame.hpp"
#include "loadgen/protocol/errors.hpp"
#include "loadgen/protocol/h2_session.hpp"

namespace pushbench::loadgen {
namespace {

/// Records what an H2Session reports.
struct Recorder : SessionHandler {
  void on_event(std::size_t stream, std::string_view data, std::string_view,
                std::string_view id) override {
    data_[stream].emplace_back(data);
    ids[stream].emplace_back(id);
  }
  void on_established() override { ++established; }
  void on_stream_failed(std::size_t stream, std::error_code ec) override {
    EXPECT_FALSE(failed.contains(stream)) << "stream " << stream << " failed twice";
    failed[stream] = ec;
  }

  std::map<std::size_t, std::vector<std::string>> data_;  ///< event data by stream index
  std::map<std::size_t, std::vector<std::string>> ids;    ///< SSE ids by stream index
  std::map<std::size_t, std::error_code> failed;          ///< stream failures by stream index
  int established = 0;                                    ///< on_established() calls
};

/// An in-memory HTTP/2 server: records requests and answers through `respond`.
struct TestServer {
  /// One request stream as the server sees it.
  struct Stream {
    std::map<std::string, std::string> headers;  ///< request headers
    std::string body;                            ///< request body bytes (client WebSocket frames)
    std::deque<std::string> chunks;              ///< queued response DATA, one frame per chunk
    bool eof = false;                            ///< END_STREAM after the queued chunks
    std::optional<std::uint32_t> close_code;     ///< error code when the stream closed
  };
  /// Called once per request with its stream id and the client's stream index.
  using Respond = std::function<void(TestServer&, std::int32_t, std::size_t)>;

  TestServer(bool connect_protocol, Respond r) : respond(std::move(r)) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* f, const std::uint8_t* n, std::size_t nl,
               const std::uint8_t* v, std::size_t vl, std::uint8_t, void* u) {
          self(u).streams[f->hd.stream_id].headers[std::string(n, n + nl)] = std::string(v, v + vl);
          return 0;
        });
    nghttp2_session_callbacks_set_on_frame_recv_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* f, void* u) {
          if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST) {
            self(u).respond(self(u), f->hd.stream_id, (f->hd.stream_id - 1) / 2);
          }
          if (f->hd.type == NGHTTP2_GOAWAY) self(u).goaway = true;
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cb, [](nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* d,
               std::size_t len, void* u) {
          self(u).streams[id].body.append(reinterpret_cast<const char*>(d), len);
          return 0;
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(
        cb, [](nghttp2_session*, std::int32_t id, std::uint32_t code, void* u) {
          self(u).streams[id].close_code = code;
          return 0;
        });
    nghttp2_session_server_new(&s, cb, this);
    nghttp2_session_callbacks_del(cb);
    std::vector<nghttp2_settings_entry> iv{{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
    if (connect_protocol) iv.push_back({NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1});
    nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, iv.data(), iv.size());
  }
  ~TestServer() { nghttp2_session_del(s); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  static TestServer& self(void* u) { return *static_cast<TestServer*>(u); }

  static ssize_t read(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t len,
                      std::uint32_t* flags, nghttp2_data_source* src, void*) {
    auto& st = *static_cast<Stream*>(src->ptr);
    if (st.chunks.empty() && !st.eof) return NGHTTP2_ERR_DEFERRED;
    std::size_t n = 0;
    if (!st.chunks.empty()) {
      auto& c = st.chunks.front();
      n = std::min(len, c.size());
      std::memcpy(buf, c.data(), n);
      c.erase(0, n);
      if (c.empty()) st.chunks.pop_front();
    }
    if (st.chunks.empty() && st.eof) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  /// Feeds client bytes.
  void recv(std::string_view b) {
    ASSERT_EQ(
        nghttp2_session_mem_recv(s, reinterpret_cast<const std::uint8_t*>(b.data()), b.size()),
        static_cast<ssize_t>(b.size()));
  }
  /// Everything the server has to send.
  std::string drain() {
    std::string out;
    const std::uint8_t* d = nullptr;
    for (ssize_t n; (n = nghttp2_session_mem_send(s, &d)) > 0;) {
      out.append(reinterpret_cast<const char*>(d), static_cast<std::size_t>(n));
    }
    return out;
  }
  /// Submits a response header; with `body` its DATA comes from send() and end().
  void reply(std::int32_t id, std::string status,
             std::vector<std::pair<std::string, std::string>> headers, bool body = true) {
    headers.insert(headers.begin(), {":status", std::move(status)});
    std::vector<nghttp2_nv> nva;
    for (auto& [n, v] : headers) {
      nva.push_back({reinterpret_cast<std::uint8_t*>(n.data()),
                     reinterpret_cast<std::uint8_t*>(v.data()), n.size(), v.size(),
                     NGHTTP2_NV_FLAG_NONE});
    }
    nghttp2_data_provider prd{};
    prd.source.ptr = &streams[id];
    prd.read_callback = read;
    nghttp2_submit_response(s, id, nva.data(), nva.size(), body ? &prd : nullptr);
  }
  /// Queues one DATA frame.
  void send(std::int32_t id, std::string chunk) {
    streams[id].chunks.push_back(std::move(chunk));
    nghttp2_session_resume_data(s, id);
  }
  /// Ends the response after the queued DATA.
  void end(std::int32_t id) {
    streams[id].eof = true;
    nghttp2_session_resume_data(s, id);
  }

  nghttp2_session* s = nullptr;            ///< the server session
  std::map<std::int32_t, Stream> streams;  ///< by stream id
  Respond respond;                         ///< answers each request
  bool goaway = false;                     ///< a GOAWAY arrived from the client
};

/// Moves bytes both ways until the server has nothing more to send; the client's first error.
std::error_code pump(TestServer& srv, H2Session& client, std::string to_server) {
  for (int round = 0; round < 64; ++round) {
    srv.recv(to_server);
    to_server.clear();
    const auto to_client = srv.drain();
    if (to_client.empty()) return {};
    if (auto ec = client.on_read(to_client, to_server)) return ec;
  }
  ADD_FAILURE() << "exchange does not settle";
  return {};
}

/// Frames the client sent on one stream, decoded as a server must (masks required).
struct FrameLog : ws::Handler {
  void on_message(ws::Opcode op, std::string_view p, bool) override { frames.emplace_back(op, p); }
  void on_control(ws::Opcode op, std::string_view p) override { frames.emplace_back(op, p); }
  std::vector<std::pair<ws::Opcode, std::string>> frames;  ///< in arrival order
};

FrameLog client_frames(const std::string& body) {
  FrameLog log;
  ws::Decoder d(log, ws::Role::server);
  EXPECT_FALSE(d.feed(body));
  return log;
}

std::string event_json(std::size_t stream, int n) {
  return "{\"stream\":" + std::to_string(stream) + ",\"n\":" + std::to_string(n) + "}";
}

std::string ping_payload(std::size_t stream) {
  std::string p = "ping ";
  p += std::to_string(stream);
  return p;
}

Target target_of(const char* url) {
  return std::get<Target>(Target::parse(url));
}

SessionOptions h2_options(std::size_t streams) {
  SessionOptions o;
  o.http = HttpVersion::h2;
  o.streams = streams;
  return o;
}

constexpr int kEvents = 3;

/// Answers a request with 200 text/event-stream, kEvents events in separate DATA frames,
/// END_STREAM.
void answer_sse(TestServer& srv, std::int32_t id, std::size_t index) {
  srv.reply(id, "200", {{"content-type", "text/event-stream"}});
  for (int n = 0; n < kEvents; ++n) {
    srv.send(id, "id: " + std::to_string(n) + "\ndata: " + event_json(index, n) + "\n\n");
  }
  srv.end(id);
}

void expect_sse_events(const Recorder& rec, std::size_t index) {
  ASSERT_TRUE(rec.data_.contains(index)) << index;
  std::vector<std::string> want, want_ids;
  for (int n = 0; n < kEvents; ++n) {
    want.push_back(event_json(index, n));
    want_ids.push_back(std::to_string(n));
  }
  EXPECT_EQ(rec.data_.at(index), want);
  EXPECT_EQ(rec.ids.at(index), want_ids);
}

TEST(H2SessionSse, ThreeStreamsAtEverySplit) {
  const auto target = target_of("http://127.0.0.1:8080/sse?rate=5");
  const StreamSpec spec;
  const auto options = h2_options(3);
  {
    Recorder rec;
    TestServer srv(false, answer_sse);
    auto session = make_session(target, spec, options, rec);
    auto& client = dynamic_cast<H2Session&>(*session);
    EXPECT_EQ(client.streams(), 3u);
    EXPECT_EQ(client.http_version(), "2");
    ASSERT_FALSE(pump(srv, client, client.initial_request()));
    ASSERT_EQ(srv.streams.size(), 3u);
    for (auto& [id, st] : srv.streams) {
      EXPECT_EQ(st.headers[":method"], "GET");
      EXPECT_EQ(st.headers[":scheme"], "http");
      EXPECT_EQ(st.headers[":authority"], "127.0.0.1:8080");
      EXPECT_EQ(st.headers[":path"], target.request_target(spec, true));
      EXPECT_NE(st.headers[":path"].find("rate=5"), std::string::npos);
      EXPECT_EQ(st.headers["accept"], "text/event-stream");
      EXPECT_EQ(st.headers["user-agent"], "pushbench");
      EXPECT_FALSE(st.headers.contains("accept-encoding"));
    }
    for (std::size_t i = 0; i < 3; ++i) expect_sse_events(rec, i);
    EXPECT_EQ(rec.established, 1);
    EXPECT_TRUE(rec.failed.empty());
    EXPECT_TRUE(client.finished());
    EXPECT_FALSE(client.compressed());
    EXPECT_FALSE(client.on_eof());
  }
  std::size_t server_bytes = 0;
  for (std::size_t split = 0; split == 0 || split <= server_bytes; ++split) {
    Recorder rec;
    TestServer srv(false, answer_sse);
    H2Session client(target, spec, options, rec);
    srv.recv(client.initial_request());
    const auto from_server = srv.drain();
    server_bytes = from_server.size();
    std::string out;
    ASSERT_FALSE(client.on_read(std::string_view(from_server).substr(0, split), out)) << split;
    ASSERT_FALSE(client.on_read(std::string_view(from_server).substr(split), out)) << split;
    for (std::size_t i = 0; i < 3; ++i) expect_sse_events(rec, i);
    ASSERT_EQ(rec.established, 1) << split;
    ASSERT_TRUE(rec.failed.empty()) << split;
    ASSERT_TRUE(client.finished()) << split;
    ASSERT_FALSE(out.empty()) << "SETTINGS ACK expected, split " << split;
  }
  EXPECT_GT(server_bytes, 100u);
}

TEST(H2SessionSse, GzipContentCoding) {
  auto options = h2_options(2);
  options.compression.algorithm = Compression::gzip;
  Recorder rec;
  TestServer srv(false, [](TestServer& srv, std::int32_t id, std::size_t index) {
    EXPECT_EQ(srv.streams[id].headers["accept-encoding"], "gzip");
    srv.reply(id, "200", {{"content-type", "text/event-stream"}, {"content-encoding", "gzip"}});
    compress::Deflater deflater(compress::Format::gzip, {});
    for (int n = 0; n < kEvents; ++n) {
      std::string chunk;
      ASSERT_FALSE(deflater.compress_flush(
          "id: " + std::to_string(n) + "\ndata: " + event_json(index, n) + "\n\n", chunk));
      srv.send(id, chunk);
    }
    std::string tail;
    ASSERT_FALSE(deflater.finish(tail));
    srv.send(id, tail);
    srv.end(id);
  });
  H2Session client(target_of("http://localhost:9000/"), {}, options, rec);
  ASSERT_FALSE(pump(srv, client, client.initial_request()));
  expect_sse_events(rec, 0);
  expect_sse_events(rec, 1);
  EXPECT_TRUE(rec.failed.empty());
  EXPECT_TRUE(client.compressed());
  EXPECT_TRUE(client.finished());
}

TEST(H2SessionSse, StreamFailuresLeaveOtherStreamsRunning) {
  std::map<std::size_t, std::int32_t> ids;
  Recorder rec;
  TestServer srv(false, [&](TestServer& srv, std::int32_t id, std::size_t index) {
    ids[index] = id;
    switch (index) {
      case 1:
        return srv.reply(id, "404", {{"content-type", "text/plain"}}, false);
      case 3:
        srv.reply(id, "200", {{"content-type", "text/event-stream"}});
        return srv.send(id, "data: before reset\n\n");
      case 4:
        return srv.reply(id, "200", {{"content-type", "text/html"}});
      default:
        return answer_sse(srv, id, index);
    }
  });
  H2Session client(target_of("http://127.0.0.1:8080/sse"), {}, h2_options(5), rec);
  ASSERT_FALSE(pump(srv, client, client.initial_request()));
  expect_sse_events(rec, 0);
  expect_sse_events(rec, 2);
  EXPECT_EQ(rec.data_[3], std::vector<std::string>{"before reset"});
  EXPECT_EQ(rec.failed.size(), 2u);
  EXPECT_EQ(rec.failed[1], LoadErrc::http_status);
  EXPECT_EQ(rec.failed[4], LoadErrc::bad_content_type);
  // The client cancels the stream it rejected while the server still had it open.
  EXPECT_EQ(srv.streams[ids[4]].close_code, NGHTTP2_CANCEL);
  EXPECT_FALSE(client.finished());
  EXPECT_EQ(client.on_eof(), LoadErrc::unexpected_eof);

  nghttp2_submit_rst_stream(srv.s, NGHTTP2_FLAG_NONE, ids[3], NGHTTP2_INTERNAL_ERROR);
  ASSERT_FALSE(pump(srv, client, ""));
  EXPECT_EQ(rec.failed.size(), 3u);
  EXPECT_EQ(rec.failed[3], LoadErrc::stream_reset);
  EXPECT_EQ(rec.established, 1);
  EXPECT_TRUE(client.finished());
  EXPECT_FALSE(client.on_eof());
}

// 204 No Content (a resumed stream that has nothing left) ends that stream cleanly, as over
// HTTP/1.1 (the SSE codec judges both).
TEST(H2SessionSse, NoContentEndsTheStreamCleanly) {
  Recorder rec;
  TestServer srv(false, [](TestServer& srv, std::int32_t id, std::size_t index) {
    if (index == 0) return srv.reply(id, "204", {}, false);
    answer_sse(srv, id, index);
  });
  H2Session client(target_of("http://127.0.0.1:8080/sse"), {}, h2_options(2), rec);
  ASSERT_FALSE(pump(srv, client, client.initial_request()));
  EXPECT_TRUE(rec.failed.empty());
  EXPECT_FALSE(rec.data_.contains(0));
  expect_sse_events(rec, 1);
  EXPECT_TRUE(client.finished());
  EXPECT_FALSE(client.on_eof());
}

TEST(H2SessionWs, ExtendedConnectPingAndGoodbye) {
  const auto target = target_of("ws://127.0.0.1:8080/ws?rate=5");
  std::map<std::size_t, std::int32_t> ids;
  Recorder rec;
  TestServer srv(true, [&](TestServer& srv, std::int32_t id, std::size_t index) {
    ids[index] = id;
    srv.reply(id, "200", {});
    std::string frames;
    for (int n = 0; n < kEvents; ++n)
      ws::append_frame(frames, ws::Opcode::text, event_json(index, n));
    ws::append_frame(frames, ws::Opcode::ping, ping_payload(index));
    srv.send(id, frames.substr(0, 7));
    srv.send(id, frames.substr(7));
  });
  H2Session client(target, {}, h2_options(2), rec);
  srv.recv(client.initial_request());
  EXPECT_TRUE(srv.streams.empty()) << "CONNECT sent before the server's SETTINGS";
  ASSERT_FALSE(pump(srv, client, ""));

  ASSERT_EQ(srv.streams.size(), 2u);
  for (auto& [id, st] : srv.streams) {
    EXPECT_EQ(st.headers[":method"], "CONNECT");
    EXPECT_EQ(st.headers[":protocol"], "websocket");
    EXPECT_EQ(st.headers[":scheme"], "http");
    EXPECT_EQ(st.headers[":authority"], "127.0.0.1:8080");
    EXPECT_NE(st.headers[":path"].find("rate=5"), std::string::npos);
    EXPECT_EQ(st.headers["sec-websocket-version"], "13");
    EXPECT_FALSE(st.headers.contains("sec-websocket-extensions"));
  }
  for (std::size_t i = 0; i < 2; ++i) {
    std::vector<std::string> want;
    for (int n = 0; n < kEvents; ++n) want.push_back(event_json(i, n));
    EXPECT_EQ(rec.data_[i], want);
    // A server-role decoder rejects unmasked frames, so this also checks the masking.
    const auto log = client_frames(srv.streams[ids[i]].body);
    ASSERT_EQ(log.frames.size(), 1u);
    EXPECT_EQ(log.frames[0].first, ws::Opcode::pong);
    EXPECT_EQ(log.frames[0].second, ping_payload(i));
  }
  EXPECT_EQ(rec.established, 1);
  EXPECT_TRUE(rec.failed.empty());
  EXPECT_FALSE(client.finished());

  srv.recv(client.goodbye());
  EXPECT_TRUE(srv.goaway);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto log = client_frames(srv.streams[ids[i]].body);
    ASSERT_EQ(log.frames.size(), 2u);
    EXPECT_EQ(log.frames[1].first, ws::Opcode::close);
    EXPECT_EQ(log.frames[1].second, ws::close_payload(1000));
    std::string close;
    ws::append_frame(close, ws::Opcode::close, ws::close_payload(1000));
    srv.send(ids[i], close);
    srv.end(ids[i]);
  }
  ASSERT_FALSE(pump(srv, client, ""));
  EXPECT_TRUE(rec.failed.empty());
  EXPECT_TRUE(client.finished());
  EXPECT_FALSE(client.on_eof());
}

TEST(H2SessionWs, NoExtendedConnectIsAConnectionError) {
  Recorder rec;
  TestServer srv(false, [](TestServer&, std::int32_t, std::size_t) { ADD_FAILURE(); });
  H2Session client(target_of("ws://127.0.0.1:8080/ws"), {}, h2_options(3), rec);
  EXPECT_EQ(pump(srv, client, client.initial_request()), LoadErrc::no_extended_connect);
  EXPECT_TRUE(srv.streams.empty());
  EXPECT_EQ(rec.established, 0);
  EXPECT_FALSE(client.finished());
}

// A refused request names its status and the first line of its body (as HTTP/1.1 names the
// status line and body), a reset stream its RST_STREAM code.
TEST(H2SessionSse, StreamFailuresNameTheirCause) {
  std::int32_t reset_id = 0;  // the stream the server resets after its first event
  Recorder rec;
  TestServer srv(false, [&](TestServer& srv, std::int32_t id, std::size_t index) {
    if (index == 1) return srv.reply(id, "503", {}, false);
    if (index == 0) {
      srv.reply(id, "400", {{"content-type", "text/plain; charset=utf-8"}});
      srv.send(id, "payload=file needs a server ");
      srv.send(id, "started with --payload-file\nsecond line\n");
      return srv.end(id);
    }
    reset_id = id;
    srv.reply(id, "200", {{"content-type", "text/event-stream"}});
    srv.send(id, "data: before reset\n\n");
  });
  H2Session client(target_of("http://127.0.0.1:8080/sse"), {}, h2_options(3), rec);
  ASSERT_FALSE(pump(srv, client, client.initial_request()));
  nghttp2_submit_rst_stream(srv.s, NGHTTP2_FLAG_NONE, reset_id, NGHTTP2_CANCEL);
  ASSERT_FALSE(pump(srv, client, ""));
  ASSERT_EQ(rec.failed.size(), 3u);
  EXPECT_EQ(rec.failed[0], LoadErrc::http_status);
  EXPECT_EQ(client.stream_cause(0),
            "HTTP/2 400: payload=file needs a server started with --payload-file");
  EXPECT_EQ(rec.failed[1], LoadErrc::http_status);
  EXPECT_EQ(client.stream_cause(1), "HTTP/2 503");
  EXPECT_EQ(rec.failed[2], LoadErrc::stream_reset);
  EXPECT_EQ(client.stream_cause(2), "RST_STREAM CANCEL");
  EXPECT_EQ(client.stream_cause(3), "");
  EXPECT_TRUE(client.finished());
}

// A refusal whose body never ends a line still fails, once its bounded prefix is complete.
TEST(H2SessionSse, ALongRefusalBodyIsCut) {
  Recorder rec;
  TestServer srv(false, [](TestServer& srv, std::int32_t id, std::size_t) {
    srv.reply(id, "404", {{"content-type", "text/plain"}});
    srv.send(id, std::string(1000, 'x'));
  });
  H2Session client(target_of("http://127.0.0.1:8080/sse"), {}, h2_options(1), rec);
  ASSERT_FALSE(pump(srv, client, client.initial_request()));
  ASSERT_EQ(rec.failed[0], LoadErrc::http_status);
  const auto cause = client.stream_cause(0);
  EXPECT_EQ(cause.rfind("HTTP/2 404: xxx", 0), 0u) << cause;
  EXPECT_LT(cause.size(), 200u) << cause;
}

TEST(H2SessionWs, NoExtendedConnectNamesTheSetting) {
  Recorder rec;
  TestServer srv(false, [](TestServer&, std::int32_t, std::size_t) { ADD_FAILURE(); });
  H2Session client(target_of("ws://127.0.0.1:8080/ws"), {}, h2_options(1), rec);
  EXPECT_TRUE(client.close_cause().empty());
  EXPECT_EQ(pump(srv, client, client.initial_request()), LoadErrc::no_extended_connect);
  EXPECT_NE(client.close_cause().find("SETTINGS_ENABLE_CONNECT_PROTOCOL"), std::string::npos)
      << client.close_cause();
}

TEST(H2SessionConnection, GarbageAndConnectionErrors) {
  for (const std::string& garbage : {std::string("HTTP/1.1 400 Bad Request\r\n\r\n"),
                                     std::string(64, '\0'), std::string(3, '\xff')}) {
    Recorder rec;
    H2Session client(target_of("http://127.0.0.1:8080/"), {}, h2_options(2), rec);
    client.initial_request();
    std::string out;
    auto ec = client.on_read(garbage, out);
    if (!ec) ec = client.on_read(std::string(64, '\xee'), out);
    EXPECT_EQ(ec, LoadErrc::protocol_error) << garbage.size();
    EXPECT_EQ(client.on_read("x", out), LoadErrc::protocol_error);
    EXPECT_EQ(rec.established, 0);
  }
  {
    // A DATA frame on stream 0 after a valid preface.
    Recorder rec;
    TestServer srv(false, answer_sse);
    H2Session client(target_of("http://127.0.0.1:8080/"), {}, h2_options(1), rec);
    ASSERT_FALSE(pump(srv, client, client.initial_request()));
    std::string out;
    EXPECT_EQ(client.on_read(std::string("\0\0\1\0\0\0\0\0\0x", 10), out),
              LoadErrc::protocol_error);
  }
  {
    // A handler exception crosses the nghttp2 callbacks and leaves the connection failed.
    struct Throwing : Recorder {
      void on_event(std::size_t, std::string_view, std::string_view, std::string_view) override {
        throw std::runtime_error("handler");
      }
    } rec;
    TestServer srv(false, answer_sse);
    H2Session client(target_of("http://127.0.0.1:8080/"), {}, h2_options(1), rec);
    EXPECT_THROW(pump(srv, client, client.initial_request()), std::runtime_error);
    std::string out;
    EXPECT_EQ(client.on_read("x", out), LoadErrc::protocol_error);
  }
  {
    // GOAWAY with an error code from the server.
    Recorder rec;
    TestServer srv(false, [](TestServer& srv, std::int32_t id, std::size_t) {
      srv.reply(id, "200", {{"content-type", "text/event-stream"}});
    });
    H2Session client(target_of("http://127.0.0.1:8080/"), {}, h2_options(1), rec);
    ASSERT_FALSE(pump(srv, client, client.initial_request()));
    nghttp2_session_terminate_session(srv.s, NGHTTP2_INTERNAL_ERROR);
    EXPECT_EQ(pump(srv, client, ""), LoadErrc::protocol_error);
  }
}

}  // namespace
}  // namespace pushbench::loadgen
