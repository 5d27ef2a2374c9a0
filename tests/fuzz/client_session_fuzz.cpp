// Fuzzes the load generator's client sessions with arbitrary bytes from a server, through their
// public interface (make_session, initial_request, on_read, on_eof, goodbye). Built twice:
// h2_client (HTTP/2: SSE streams and RFC 8441 WebSockets on one connection, nghttp2 underneath)
// and h1_client (SSE over HTTP/1.1 with gzip/deflate, WebSocket with permessage-deflate, raw).
// Invariants: (1) whether the connection failed (in on_read or at EOF) is the same for the whole
// input, byte by byte and in random chunks; when it did not fail, so are the events,
// on_established and stream failures; when it failed, the events of one run are a prefix of the
// other's (events decoded in the same read as a later error, e.g. gzip followed by garbage, are
// dropped), and the rest depends on how much came in one read (a
// valid 200 header and a malformed chunk in one read fail before on_established; an HPACK error
// fails the connection before its stream is reported; and Beast reports a malformed truncated
// header as bad_handshake when it sees it whole, as unexpected_eof at EOF byte by byte); not for WebSockets over HTTP/2, whose
// requests are sent only after the server's SETTINGS, so that a server reply in the same read as
// its SETTINGS refers to a stream that does not exist yet (a protocol error) while one read later
// it is valid; nor, over HTTP/2, when either run had a failure: the client sends after each read
// (RST_STREAM for a malformed response, as the real client does), and a server that goes on
// sending on that stream is ignored by nghttp2 once the reset went out but is a connection error
// before it did; (2) no event is larger than max_event_bytes and every stream index is below
// streams(); (3) on_eof and goodbye work in any state.
#include <algorithm>

#include "loadgen/protocol/session.hpp"
#include "tests/fuzz/fuzz_common.hpp"

#ifndef PUSHBENCH_FUZZ_HTTP2
#error "define PUSHBENCH_FUZZ_HTTP2 as 0 or 1"
#endif

namespace {

namespace loadgen = pushbench::loadgen;
using pushbench::Transport;
using pushbench::fuzz::log_record;

constexpr std::size_t kMaxEvent = 4096;

struct Recorder : loadgen::SessionHandler {
  void on_event(std::size_t stream, std::string_view data, std::string_view type,
                std::string_view id) override {
    FUZZ_CHECK(data.size() <= kMaxEvent);
    FUZZ_CHECK(stream < streams);
    log_record(log, 'E', std::to_string(stream));
    log_record(log, 'D', data);
    log_record(log, 'T', type);
    log_record(log, 'I', id);
  }
  void on_established() override { log_record(outcome, 'O', ""); }
  void on_stream_failed(std::size_t stream, std::error_code ec) override {
    FUZZ_CHECK(stream < streams);
    failures.push_back(std::to_string(stream) + " " + ec.message());
  }
  std::vector<std::string> failures;  ///< stream failures (their order may vary: a GOAWAY
                                      ///< fails several at once)
  std::size_t streams = 0;
  std::string log;      ///< events
  std::string outcome;  ///< establishment and stream failures
};

struct Setup {
  loadgen::Target target;
  pushbench::StreamSpec spec;
  loadgen::SessionOptions options;
};

Setup setup_from(std::uint8_t k1, std::uint8_t k2) {
  Setup s;
  const int proto = k1 % 3;
  const char* url = proto == 0 ? "http://127.0.0.1:1/sse" : proto == 1 ? "ws://127.0.0.1:1/ws"
                                                                       : "tcp://127.0.0.1:1";
  s.target = std::get<loadgen::Target>(loadgen::Target::parse(url));
  s.options.max_event_bytes = kMaxEvent;
  s.options.seed = k2;
  s.options.http = PUSHBENCH_FUZZ_HTTP2 && proto != 2 ? loadgen::HttpVersion::h2
                                                      : loadgen::HttpVersion::h1;
  if (PUSHBENCH_FUZZ_HTTP2) s.options.streams = 1 + (k1 >> 2) % 4;
  const int comp = (k1 >> 4) % 3;
  if (proto == 0 && comp) {
    s.options.compression.algorithm =
        comp == 1 ? loadgen::Compression::gzip : loadgen::Compression::deflate;
  } else if (proto == 1 && comp) {
    s.options.compression.algorithm = loadgen::Compression::permessage_deflate;
    s.options.compression.window_bits = 8 + k2 % 8;
    s.options.compression.no_context_takeover = comp == 2;
  }
  if (k1 & 0x40) s.options.resume_after = 7;
  if (k1 & 0x80) s.spec.echo = true;
  return s;
}

/// A run's callback log (ending with its final state) and whether it had no failure at all.
struct Run {
  std::string log;
  std::string events;  ///< the events alone
  bool failed = false;
  bool healthy = false;
};

/// Runs a session over `in` cut by `seed`.
Run run(const Setup& s, std::string_view in, std::uint64_t seed) {
  Recorder r;
  auto session = loadgen::make_session(s.target, s.spec, s.options, r);
  FUZZ_CHECK(session != nullptr);
  r.streams = session->streams();
  FUZZ_CHECK(!session->initial_request().empty());
  std::error_code ec;
  std::string out;
  for (auto chunk : pushbench::fuzz::split(in, seed)) {
    ec = session->on_read(chunk, out);
    if (ec) break;
  }
  bool failed = static_cast<bool>(ec);
  if (!ec) {
    if (s.spec.echo) {
      std::string msg;
      (void)session->send_message(0, "hello", msg);
    }
    failed = static_cast<bool>(session->on_eof());
  }
  // When the connection failed, whether it was reported established and which streams failed
  // first depends on how much arrived in one read; otherwise they are part of the invariant.
  const std::string events = r.log;
  std::sort(r.failures.begin(), r.failures.end());
  for (const auto& f : r.failures) log_record(r.outcome, 'F', f);
  if (!failed) r.log += r.outcome;
  log_record(r.log, 'X', failed ? "failed" : "clean");
  (void)session->goodbye();
  return {r.log, events, failed, !failed && r.failures.empty()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = pushbench::fuzz::as_view(data, size);
  const std::uint8_t k1 = pushbench::fuzz::take_byte(in);
  const std::uint8_t k2 = pushbench::fuzz::take_byte(in);
  const auto s = setup_from(k1, k2);
  const auto whole = run(s, in, 0);
  const auto bytes = run(s, in, 1);
  const auto chunks = run(s, in, 2 + k2);
  const bool h2 = s.options.http == loadgen::HttpVersion::h2;
  const bool h2_ws = h2 && s.target.transport == Transport::ws;
  for (const auto* other : {&bytes, &chunks}) {
    // HTTP/2: only between runs without any failure (see the top of this file).
    if (h2_ws || (h2 && !(whole.healthy && other->healthy))) continue;
    FUZZ_CHECK(whole.failed == other->failed);
    if (!whole.failed) {
      pushbench::fuzz::check_same_log(whole.log, other->log, "a split run == the whole run");
      continue;
    }
    // A failed run: what one delivered before failing is a prefix of what the other did (the
    // data decoded in the same read as a later error is dropped, so a finer split may deliver
    // more).
    const auto& a = whole.events.size() <= other->events.size() ? whole.events : other->events;
    const auto& b = &a == &whole.events ? other->events : whole.events;
    if (b.compare(0, a.size(), a) != 0) {
      pushbench::fuzz::check_same_log(a, b.substr(0, a.size()), "failed runs: events a prefix");
    }
  }
  return 0;
}
