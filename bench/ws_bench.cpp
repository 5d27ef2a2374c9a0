// Micro-benchmarks for the RFC 6455 framing hot path (core/ws_frame).
#include "core/codec/ws_frame.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pushbench::ws {
namespace {

// Frames per decoded stream, and the socket read size the stream is fed in.
constexpr int stream_frames = 64;
constexpr std::size_t read_bytes = 16 << 10;

std::string text_payload(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

class CountingHandler : public Handler {
 public:
  void on_message(Opcode, std::string_view payload, bool) override { bytes += payload.size(); }

  std::size_t bytes = 0;  // payload bytes delivered
};

void encode(benchmark::State& state, std::optional<std::uint32_t> mask) {
  const std::string payload = text_payload(static_cast<std::size_t>(state.range(0)));
  std::string out;
  out.reserve(payload.size() + max_header_bytes);
  for (auto _ : state) {
    out.clear();
    append_frame(out, Opcode::text, payload, true, mask);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
}

// Server-to-client frame: unmasked.
void BM_WsFrame_EncodeServer(benchmark::State& state) {
  encode(state, std::nullopt);
}
BENCHMARK(BM_WsFrame_EncodeServer)->Arg(64)->Arg(1 << 10)->Arg(64 << 10);

// Client-to-server frame: masked.
void BM_WsFrame_EncodeClient(benchmark::State& state) {
  encode(state, 0x37FA213D);
}
BENCHMARK(BM_WsFrame_EncodeClient)->Arg(64)->Arg(1 << 10)->Arg(64 << 10);

// Decodes stream_frames text frames of range(0) bytes, fed in read_bytes chunks as a socket
// would deliver them. Client role decodes unmasked server frames; server role masked ones.
void decode(benchmark::State& state, Role role) {
  const std::string payload = text_payload(static_cast<std::size_t>(state.range(0)));
  std::string stream;
  for (int i = 0; i < stream_frames; ++i) {
    append_frame(
        stream, Opcode::text, payload, true,
        role == Role::server ? std::optional<std::uint32_t>(0x37FA213D + i) : std::nullopt);
  }
  CountingHandler handler;
  Decoder decoder(handler, role);
  for (auto _ : state) {
    for (std::size_t pos = 0; pos < stream.size(); pos += read_bytes) {
      const std::size_t n = std::min(read_bytes, stream.size() - pos);
      if (decoder.feed(std::string_view(stream).substr(pos, n))) {
        state.SkipWithError("decode failed");
        return;
      }
    }
  }
  benchmark::DoNotOptimize(handler.bytes);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
  state.SetItemsProcessed(state.iterations() * stream_frames);
}

void BM_WsFrame_DecodeClient(benchmark::State& state) {
  decode(state, Role::client);
}
BENCHMARK(BM_WsFrame_DecodeClient)->Arg(64)->Arg(1 << 10)->Arg(64 << 10);

void BM_WsFrame_DecodeServer(benchmark::State& state) {
  decode(state, Role::server);
}
BENCHMARK(BM_WsFrame_DecodeServer)->Arg(64)->Arg(1 << 10)->Arg(64 << 10);

void BM_WsFrame_ApplyMask(benchmark::State& state) {
  std::string data = text_payload(static_cast<std::size_t>(state.range(0)));
  auto* p = reinterpret_cast<std::uint8_t*>(data.data());
  for (auto _ : state) {
    apply_mask(p, data.size(), 0x37FA213D, 1);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
}
BENCHMARK(BM_WsFrame_ApplyMask)->Arg(64)->Arg(1 << 10)->Arg(64 << 10);

void BM_WsFrame_ValidateUtf8(benchmark::State& state) {
  // Mostly ASCII with a two-byte sequence every 64 bytes, like typical JSON events.
  std::string data = text_payload(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i + 1 < data.size(); i += 64) {
    data[i] = '\xC3';
    data[i + 1] = '\xA9';
  }
  for (auto _ : state) benchmark::DoNotOptimize(is_valid_utf8(data));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
}
BENCHMARK(BM_WsFrame_ValidateUtf8)->Arg(64)->Arg(1 << 10)->Arg(64 << 10);

}  // namespace
}  // namespace pushbench::ws
