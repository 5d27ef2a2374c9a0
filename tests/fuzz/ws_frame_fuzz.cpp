// Fuzzes ws::Decoder, client side (unmasked frames from a server) and server side (masked frames
// from a client), with and without RSV1 (permessage-deflate) and with a small message bound.
// Invariants: (1) the callbacks and the error are the same whole, byte by byte and in random
// chunks; (2) every uncompressed text message is valid UTF-8, every message is within the bound,
// every control payload is at most 125 bytes and every close payload is empty or a valid code
// with a UTF-8 reason; (3) round trip: the delivered messages and control frames, framed again
// with ws::append_frame (fragmented at random, masked as the peer must), decode to the same
// callbacks.
#include "core/codec/ws_frame.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

namespace ws = pushbench::ws;
using pushbench::fuzz::log_record;

struct Recorder : ws::Handler {
  struct Item {
    ws::Opcode op;
    std::string payload;
    bool compressed;
  };
  explicit Recorder(std::size_t max) : max_(max) {}
  void on_message(ws::Opcode op, std::string_view payload, bool compressed) override {
    FUZZ_CHECK(op == ws::Opcode::text || op == ws::Opcode::binary);
    FUZZ_CHECK(payload.size() <= max_);
    if (op == ws::Opcode::text && !compressed) FUZZ_CHECK(ws::is_valid_utf8(payload));
    log_record(log, static_cast<char>('0' + static_cast<int>(op) + (compressed ? 16 : 0)), payload);
    items.push_back({op, std::string(payload), compressed});
  }
  void on_control(ws::Opcode op, std::string_view payload) override {
    FUZZ_CHECK(ws::is_control(op) && payload.size() <= 125);
    if (op == ws::Opcode::close && !payload.empty()) {
      FUZZ_CHECK(payload.size() >= 2);
      const auto code = static_cast<std::uint16_t>(
          (static_cast<std::uint8_t>(payload[0]) << 8) | static_cast<std::uint8_t>(payload[1]));
      FUZZ_CHECK(ws::is_valid_close_code(code));
      FUZZ_CHECK(ws::is_valid_utf8(payload.substr(2)));
    }
    log_record(log, static_cast<char>('a' + static_cast<int>(op)), payload);
    items.push_back({op, std::string(payload), false});
  }
  std::size_t max_;
  std::string log;
  std::vector<Item> items;
};

struct Config {
  ws::Role role;
  std::size_t max;
  bool rsv1;
};

Recorder decode(std::string_view in, std::uint64_t seed, const Config& c) {
  Recorder r(c.max);
  ws::Decoder d(r, c.role, c.max, c.rsv1);
  std::error_code ec;
  for (auto chunk : pushbench::fuzz::split(in, seed)) {
    ec = d.feed(chunk);
    if (ec) FUZZ_CHECK(d.feed("x") == ec);  // a failed decoder stays failed
  }
  FUZZ_CHECK(ec == d.error());
  log_record(r.log, 'X', ec ? ec.message() : "");
  log_record(r.log, 'Z', d.closed() ? "1" : "0");
  return r;
}

/// Frames `items` again as the peer of `role` sends them, fragmenting data messages by `seed`.
std::string reframe(const std::vector<Recorder::Item>& items, ws::Role role, std::uint64_t seed) {
  std::string out;
  std::uint32_t mask = static_cast<std::uint32_t>(seed * 2654435761u);
  auto next_mask = [&]() -> std::optional<std::uint32_t> {
    if (role == ws::Role::client) return std::nullopt;  // a server's frames are not masked
    mask = mask * 1664525u + 1013904223u;
    return mask;
  };
  for (const auto& it : items) {
    if (ws::is_control(it.op)) {
      ws::append_frame(out, it.op, it.payload, true, next_mask());
      continue;
    }
    auto parts = pushbench::fuzz::split(it.payload, seed);
    if (parts.empty()) parts.push_back({});
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto op = i == 0 ? it.op : ws::Opcode::continuation;
      ws::append_frame(out, op, parts[i], i + 1 == parts.size(), next_mask(),
                       i == 0 && it.compressed);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = pushbench::fuzz::as_view(data, size);
  const std::uint8_t knobs = pushbench::fuzz::take_byte(in);
  const Config c{(knobs & 1) ? ws::Role::server : ws::Role::client,
                 (knobs & 2) ? std::size_t{100} : std::size_t{16} << 20, (knobs & 4) != 0};
  const std::uint64_t seed = 2 + (knobs >> 3);

  const Recorder whole = decode(in, 0, c);
  FUZZ_CHECK(decode(in, 1, c).log == whole.log);
  FUZZ_CHECK(decode(in, seed, c).log == whole.log);

  // Round trip; without the final error (the re-framed stream is valid).
  const auto again = decode(reframe(whole.items, c.role, seed), seed + 1, c);
  Recorder expected(c.max);
  for (const auto& it : whole.items) {
    if (ws::is_control(it.op)) {
      expected.on_control(it.op, it.payload);
    } else {
      expected.on_message(it.op, it.payload, it.compressed);
    }
  }
  const bool closed = !whole.items.empty() && whole.items.back().op == ws::Opcode::close;
  log_record(expected.log, 'X', "");
  log_record(expected.log, 'Z', closed ? "1" : "0");
  FUZZ_CHECK(again.log == expected.log);
  return 0;
}
