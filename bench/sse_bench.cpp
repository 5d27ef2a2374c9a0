// Micro-benchmarks of the SSE encoder (server side) and parser (load-generator side).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/codec/sse_encoder.hpp"
#include "core/codec/sse_parser.hpp"

namespace pushbench::sse {
namespace {

constexpr std::uint64_t kTs = 1700000000000000000;

// A wire-contract payload, {"seq":..,"ts":..,"st":..,"p":".."}, padded to `size` bytes (or the
// unpadded minimum if that is larger).
std::string make_payload(std::uint64_t seq, std::size_t size) {
  std::string s = "{\"seq\":" + std::to_string(seq) + ",\"ts\":" + std::to_string(kTs + seq) +
                  ",\"st\":" + std::to_string(kTs + seq + 100) + ",\"p\":\"";
  const std::size_t tail = 2;  // "}
  if (s.size() + tail < size) s.append(size - s.size() - tail, 'x');
  s += "\"}";
  return s;
}

// A payload of `size` bytes spread over lines of about `line_bytes` bytes.
std::string make_multiline_payload(std::uint64_t seq, std::size_t size, std::size_t line_bytes) {
  std::string s = make_payload(seq, size);
  for (std::size_t i = line_bytes; i < s.size(); i += line_bytes + 1) s.insert(i, 1, '\n');
  return s;
}

void run_encoder(benchmark::State& state, const std::string& data) {
  std::string out;
  std::uint64_t id = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    append_event(out, data, std::to_string(++id));
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}

void BM_SseEncoder_Small64(benchmark::State& state) {
  run_encoder(state, make_payload(1, 64));
}
BENCHMARK(BM_SseEncoder_Small64);

void BM_SseEncoder_Json1K(benchmark::State& state) {
  run_encoder(state, make_payload(1, 1024));
}
BENCHMARK(BM_SseEncoder_Json1K);

void BM_SseEncoder_Large64K(benchmark::State& state) {
  run_encoder(state, make_payload(1, 64 * 1024));
}
BENCHMARK(BM_SseEncoder_Large64K);

void BM_SseEncoder_MultiLine(benchmark::State& state) {
  run_encoder(state, make_multiline_payload(1, 1024, 64));
}
BENCHMARK(BM_SseEncoder_MultiLine);

// Counts events and touches their data so the parser's work cannot be elided.
class CountingHandler : public Handler {
 public:
  void on_event(const Event& ev) override {
    ++events_;
    bytes_ += ev.data.size();
  }
  std::uint64_t events() const { return events_; }

 private:
  std::uint64_t events_ = 0;
  std::uint64_t bytes_ = 0;
};

// A stream of consecutive events whose data is produced by make_data(seq), at least
// `min_stream_bytes` long; `events_out` receives the event count.
template <typename MakeData>
std::string make_stream(std::size_t min_stream_bytes, MakeData make_data,
                        std::int64_t& events_out) {
  std::string stream;
  std::uint64_t seq = 0;
  while (stream.size() < min_stream_bytes) {
    ++seq;
    append_event(stream, make_data(seq), std::to_string(seq));
  }
  events_out = static_cast<std::int64_t>(seq);
  return stream;
}

// Parses `stream` in every iteration, fed in chunks of `chunk` bytes (0: all at once).
void run_parser(benchmark::State& state, const std::string& stream, std::int64_t events,
                std::size_t chunk = 0) {
  CountingHandler handler;
  Parser parser(handler);
  const std::string_view all(stream);
  for (auto _ : state) {
    if (chunk == 0) {
      benchmark::DoNotOptimize(parser.feed(all));
    } else {
      for (std::size_t i = 0; i < all.size(); i += chunk) {
        benchmark::DoNotOptimize(parser.feed(all.substr(i, chunk)));
      }
    }
  }
  if (handler.events() != static_cast<std::uint64_t>(events * state.iterations())) {
    state.SkipWithError("parser dispatched an unexpected number of events");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(stream.size()) * state.iterations());
  state.SetItemsProcessed(events * state.iterations());
}

void BM_SseParser_Small64(benchmark::State& state) {
  std::int64_t events = 0;
  const std::string stream = make_stream(
      64 * 1024, [](std::uint64_t seq) { return make_payload(seq, 64); }, events);
  run_parser(state, stream, events);
}
BENCHMARK(BM_SseParser_Small64);

void BM_SseParser_Json1K(benchmark::State& state) {
  std::int64_t events = 0;
  const std::string stream = make_stream(
      256 * 1024, [](std::uint64_t seq) { return make_payload(seq, 1024); }, events);
  run_parser(state, stream, events);
}
BENCHMARK(BM_SseParser_Json1K);

void BM_SseParser_Large64K(benchmark::State& state) {
  std::int64_t events = 0;
  const std::string stream = make_stream(
      1024 * 1024, [](std::uint64_t seq) { return make_payload(seq, 64 * 1024); }, events);
  run_parser(state, stream, events);
}
BENCHMARK(BM_SseParser_Large64K);

void BM_SseParser_MultiLine(benchmark::State& state) {
  std::int64_t events = 0;
  const std::string stream = make_stream(
      256 * 1024, [](std::uint64_t seq) { return make_multiline_payload(seq, 1024, 64); }, events);
  run_parser(state, stream, events);
}
BENCHMARK(BM_SseParser_MultiLine);

// Json1K events arriving in TCP-segment-sized reads, so most lines straddle a feed() boundary.
void BM_SseParser_Chunked1460(benchmark::State& state) {
  std::int64_t events = 0;
  const std::string stream = make_stream(
      256 * 1024, [](std::uint64_t seq) { return make_payload(seq, 1024); }, events);
  run_parser(state, stream, events, 1460);
}
BENCHMARK(BM_SseParser_Chunked1460);

void BM_SseParser_ByteAtATime(benchmark::State& state) {
  std::int64_t events = 0;
  const std::string stream = make_stream(
      16 * 1024, [](std::uint64_t seq) { return make_payload(seq, 64); }, events);
  run_parser(state, stream, events, 1);
}
BENCHMARK(BM_SseParser_ByteAtATime);

}  // namespace
}  // namespace pushbench::sse
