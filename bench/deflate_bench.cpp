// Micro-benchmarks of per-event compression: permessage-deflate with and without context takeover
// (WebSocket), and gzip over SSE-encoded events. Each benchmark reports the uncompressed bytes
// processed and the counter `ratio` = compressed / uncompressed bytes.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/codec/deflate.hpp"
#include "core/contract/event.hpp"
#include "core/codec/permessage_deflate.hpp"
#include "core/codec/sse_encoder.hpp"

namespace pushbench::compress {
namespace {

constexpr std::int64_t kTs = 1700000000000000000;
constexpr std::int64_t kIntervalNs = 10'000'000;  // 100 events/s

// Consecutive events of one stream, enough of them (at least 256 KiB, 8 events) that cycling
// through them never finds an identical event inside a 32 KiB window.
std::vector<std::string> make_events(PayloadKind kind, std::size_t size) {
  const std::size_t count = std::max<std::size_t>(8, (256 << 10) / std::max<std::size_t>(size, 1));
  std::vector<std::string> events(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto seq = static_cast<std::uint64_t>(i);
    const std::int64_t ts = kTs + static_cast<std::int64_t>(i) * kIntervalNs;
    append_event_data(events[i], EventHeader{seq, ts, ts + 1500}, kind, size);
  }
  return events;
}

PmdParams pmd_params(bool takeover) {
  PmdParams p;
  p.server_no_context_takeover = !takeover;
  return p;
}

void report(benchmark::State& state, std::size_t plain_bytes, std::size_t compressed_bytes) {
  state.SetBytesProcessed(static_cast<std::int64_t>(plain_bytes));
  state.SetItemsProcessed(state.iterations());
  state.counters["ratio"] =
      plain_bytes ? static_cast<double>(compressed_bytes) / static_cast<double>(plain_bytes) : 0;
}

// Server-side permessage-deflate of one event per iteration.
void run_deflate(benchmark::State& state, PayloadKind kind, bool takeover) {
  const auto events = make_events(kind, static_cast<std::size_t>(state.range(0)));
  PmdDeflater deflater(pmd_params(takeover), false);
  std::string out;
  std::size_t plain = 0, compressed = 0, i = 0;
  for (auto _ : state) {
    const std::string& e = events[i];
    if (++i == events.size()) i = 0;
    if (deflater.compress(e, out)) {
      state.SkipWithError("compress failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
    plain += e.size();
    compressed += out.size();
  }
  report(state, plain, compressed);
}

// Client-side decompression of one event per iteration, of messages compressed as run_deflate()
// does. With context takeover the inflater restarts (untimed) whenever the sequence wraps.
void run_inflate(benchmark::State& state, PayloadKind kind, bool takeover) {
  const auto events = make_events(kind, static_cast<std::size_t>(state.range(0)));
  const PmdParams params = pmd_params(takeover);
  std::vector<std::string> messages(events.size());
  PmdDeflater deflater(params, false);
  for (std::size_t k = 0; k < events.size(); ++k) {
    if (deflater.compress(events[k], messages[k])) {
      state.SkipWithError("compress failed");
      return;
    }
  }
  constexpr std::size_t kMaxMessage = 1 << 20;
  PmdInflater inflater(params, true, kMaxMessage);
  std::string out;
  std::size_t plain = 0, compressed = 0, i = 0;
  for (auto _ : state) {
    if (i == events.size()) {
      i = 0;
      if (takeover) {
        state.PauseTiming();
        inflater = PmdInflater(params, true, kMaxMessage);
        state.ResumeTiming();
      }
    }
    if (inflater.decompress(messages[i], out) || out.size() != events[i].size()) {
      state.SkipWithError("decompress failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
    plain += out.size();
    compressed += messages[i].size();
    ++i;
  }
  report(state, plain, compressed);
}

// One gzip-coded SSE response: each event is encoded as an SSE block and compress_flush()ed, as
// the SSE server does per chunk.
void run_gzip_sse(benchmark::State& state, PayloadKind kind) {
  const auto events = make_events(kind, static_cast<std::size_t>(state.range(0)));
  Deflater deflater(Format::gzip, DeflateParams{});
  std::string framed, out;
  std::size_t plain = 0, compressed = 0, i = 0;
  std::uint64_t id = 0;
  for (auto _ : state) {
    const std::string& e = events[i];
    if (++i == events.size()) i = 0;
    framed.clear();
    sse::append_event(framed, e, std::to_string(id++));
    out.clear();
    if (deflater.compress_flush(framed, out)) {
      state.SkipWithError("compress failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
    plain += framed.size();
    compressed += out.size();
  }
  report(state, plain, compressed);
}

// N gzip SSE responses taking turns, one event each per iteration, as one server thread serving N
// compressed connections does. Each response has its own deflate state (2^(window+2) +
// 2^(memLevel+9) bytes, 256 KiB at 15/8), so with many of them a state is cold in cache when its
// turn comes. Response k sends the pool's events from offset k on, so consecutive events of one
// response are distinct (no repeat within a 32 KiB window); with more responses than pool events
// (256 of 1 KiB) some send the same sequence, which changes nothing, as each has its own state.
// Every state is warmed (untimed) with a window's worth of events first, so the timed loop sees
// the steady state of a long-lived response. Arguments: size, states, level, memLevel, window bits.
void run_gzip_sse_interleaved(benchmark::State& state, PayloadKind kind) {
  const auto events = make_events(kind, static_cast<std::size_t>(state.range(0)));
  const auto states = static_cast<std::size_t>(state.range(1));
  const DeflateParams params{static_cast<int>(state.range(2)), static_cast<int>(state.range(4)),
                             static_cast<int>(state.range(3))};
  std::vector<Deflater> deflaters;
  deflaters.reserve(states);
  std::vector<std::size_t> next(states);
  std::string framed, out;
  auto send = [&](std::size_t k) {
    framed.clear();
    sse::append_event(framed, events[next[k]], std::to_string(next[k]));
    if (++next[k] == events.size()) next[k] = 0;
    out.clear();
    return deflaters[k].compress_flush(framed, out);
  };
  const std::size_t warm = std::max<std::size_t>(1, (32 << 10) / events.front().size() + 1);
  for (std::size_t k = 0; k < states; ++k) {
    deflaters.emplace_back(Format::gzip, params);
    next[k] = k % events.size();
    for (std::size_t w = 0; w < warm; ++w) {
      if (send(k)) return state.SkipWithError("compress failed");
    }
  }
  std::size_t plain = 0, compressed = 0, k = 0;
  for (auto _ : state) {
    if (send(k)) {
      state.SkipWithError("compress failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
    plain += framed.size();
    compressed += out.size();
    if (++k == states) k = 0;
  }
  state.counters["state_KiB"] = static_cast<double>(deflaters.front().memory_estimate()) / 1024.0;
  report(state, plain, compressed);
}

void BM_Deflate_Takeover(benchmark::State& state, PayloadKind kind) {
  run_deflate(state, kind, true);
}
void BM_Deflate_NoTakeover(benchmark::State& state, PayloadKind kind) {
  run_deflate(state, kind, false);
}
void BM_Inflate_Takeover(benchmark::State& state, PayloadKind kind) {
  run_inflate(state, kind, true);
}
void BM_Inflate_NoTakeover(benchmark::State& state, PayloadKind kind) {
  run_inflate(state, kind, false);
}
void BM_GzipSse(benchmark::State& state, PayloadKind kind) {
  run_gzip_sse(state, kind);
}

void BM_GzipSseInterleaved(benchmark::State& state, PayloadKind kind) {
  run_gzip_sse_interleaved(state, kind);
}

// 1 KiB events: the connection curve at zlib's defaults (level 6, memLevel 8, window 15), then
// 50 connections (states far beyond L2) under cheaper settings: level, memLevel, window bits.
void interleaved(benchmark::internal::Benchmark* b) {
  b->ArgNames({"size", "states", "level", "mem", "window"});
  for (const int n : {1, 5, 50, 500}) b->Args({1 << 10, n, 6, 8, 15});
  constexpr int kSettings[][3] = {{1, 8, 15}, {3, 8, 15}, {6, 4, 15}, {6, 8, 12},
                                  {6, 8, 10}, {1, 4, 12}, {1, 8, 12}, {1, 4, 10}};
  for (const auto& [level, mem, window] : kSettings) b->Args({1 << 10, 50, level, mem, window});
}

// Event sizes: 64 B, 1 KiB, 16 KiB, 64 KiB.
void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(64)->Arg(1 << 10)->Arg(16 << 10)->Arg(64 << 10);
}

BENCHMARK_CAPTURE(BM_Deflate_Takeover, json, PayloadKind::json)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Deflate_Takeover, text, PayloadKind::text)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Deflate_Takeover, random, PayloadKind::random)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Deflate_NoTakeover, json, PayloadKind::json)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Deflate_NoTakeover, text, PayloadKind::text)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Deflate_NoTakeover, random, PayloadKind::random)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Inflate_Takeover, json, PayloadKind::json)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Inflate_Takeover, text, PayloadKind::text)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Inflate_Takeover, random, PayloadKind::random)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Inflate_NoTakeover, json, PayloadKind::json)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Inflate_NoTakeover, text, PayloadKind::text)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Inflate_NoTakeover, random, PayloadKind::random)->Apply(sizes);
BENCHMARK_CAPTURE(BM_GzipSse, json, PayloadKind::json)->Apply(sizes);
BENCHMARK_CAPTURE(BM_GzipSse, text, PayloadKind::text)->Apply(sizes);
BENCHMARK_CAPTURE(BM_GzipSse, random, PayloadKind::random)->Apply(sizes);
BENCHMARK_CAPTURE(BM_GzipSseInterleaved, json, PayloadKind::json)->Apply(interleaved);

}  // namespace
}  // namespace pushbench::compress
