// Micro-benchmarks of the load generator's receive path over HTTP/1.1 (loadgen sessions): response
// or handshake, then a stream of 256-byte events fed in 16 KiB reads, decoded to events. Measures
// what a client thread spends per event above the core parsers (HTTP reader, decompression, the
// session's dispatch).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/codec/deflate.hpp"
#include "core/codec/sse_encoder.hpp"
#include "core/codec/ws_frame.hpp"
#include "core/codec/ws_handshake.hpp"
#include "loadgen/protocol/session.hpp"

namespace pushbench::loadgen {
namespace {

constexpr std::size_t kReadBytes = 16 << 10;
constexpr int kEvents = 2048;
constexpr std::size_t kEventBytes = 256;

std::string payload(int seq) {
  std::string s = "{\"seq\":" + std::to_string(seq) + ",\"p\":\"";
  s.append(kEventBytes - s.size() - 2, 'x');
  return s + "\"}";
}

/// Counts events so the work cannot be elided.
struct Counter final : SessionHandler {
  void on_event(std::size_t, std::string_view data, std::string_view, std::string_view) override {
    ++events;
    bytes += data.size();
  }
  std::uint64_t events = 0;  ///< events delivered
  std::uint64_t bytes = 0;   ///< event data bytes delivered
};

std::string chunk(std::string_view body) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "%zx\r\n", body.size());
  return hex + std::string(body) + "\r\n";
}

/// A chunked text/event-stream response with kEvents events, one chunk per event (as our server
/// writes them), gzip-coded when `gzip`.
std::string sse_response(bool gzip) {
  std::string out = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n";
  if (gzip) out += "Content-Encoding: gzip\r\n";
  out += "Transfer-Encoding: chunked\r\n\r\n";
  compress::Deflater deflater(compress::Format::gzip, {});
  for (int i = 0; i < kEvents; ++i) {
    std::string ev;
    sse::append_event(ev, payload(i), std::to_string(i));
    if (gzip) {
      std::string z;
      if (deflater.compress_flush(ev, z)) std::abort();
      ev = std::move(z);
    }
    out += chunk(ev);
  }
  return out;
}

/// The 101 answer to `session`'s request, then kEvents unmasked text frames.
std::string ws_response(Session& session) {
  const std::string req = session.initial_request();
  const auto at = req.find("Sec-WebSocket-Key: ") + 19;
  const std::string key = req.substr(at, req.find("\r\n", at) - at);
  std::string out = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Accept: " + ws::accept_key(key) +
                    "\r\n\r\n";
  for (int i = 0; i < kEvents; ++i) ws::append_frame(out, ws::Opcode::text, payload(i));
  return out;
}

void run(benchmark::State& state, const char* url, Compression compression) {
  const auto target = std::get<Target>(Target::parse(url));
  SessionOptions options;
  options.compression.algorithm = compression;
  Counter counter;
  std::string response;
  {
    auto probe = make_session(target, {}, options, counter);
    response = target.transport == Transport::ws ? ws_response(*probe)
                                                 : sse_response(compression == Compression::gzip);
  }
  const std::string_view all(response);
  std::string out;
  for (auto _ : state) {
    auto session = make_session(target, {}, options, counter);
    benchmark::DoNotOptimize(session->initial_request());
    for (std::size_t i = 0; i < all.size(); i += kReadBytes) {
      out.clear();
      if (session->on_read(all.substr(i, kReadBytes), out)) state.SkipWithError("decode error");
    }
  }
  if (counter.events != static_cast<std::uint64_t>(kEvents) * state.iterations()) {
    state.SkipWithError("unexpected number of events");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(response.size()) * state.iterations());
  state.SetItemsProcessed(kEvents * state.iterations());
}

void BM_SessionH1_Sse(benchmark::State& state) {
  run(state, "http://127.0.0.1:1/sse", Compression::none);
}
BENCHMARK(BM_SessionH1_Sse);

void BM_SessionH1_SseGzip(benchmark::State& state) {
  run(state, "http://127.0.0.1:1/sse", Compression::gzip);
}
BENCHMARK(BM_SessionH1_SseGzip);

void BM_SessionH1_Ws(benchmark::State& state) {
  run(state, "ws://127.0.0.1:1/ws", Compression::none);
}
BENCHMARK(BM_SessionH1_Ws);

}  // namespace
}  // namespace pushbench::loadgen
