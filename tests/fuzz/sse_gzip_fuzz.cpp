// Fuzzes gzip-wrapped SSE as the load generator reads it (compress::Inflater, then sse::Parser).
// Two inputs in one: the bytes as a gzip stream from a server (any bytes: no crash, the inflater
// never produces more than its bound, and the decoded text and error are the same for every
// split of the compressed bytes), and the bytes as event-stream text that a server gzips with
// per-event sync flushes (the events parsed through gzip equal those parsed from the plain text).
#include "core/codec/deflate.hpp"
#include "core/codec/sse_parser.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

namespace compress = pushbench::compress;
using pushbench::fuzz::log_record;

struct Recorder : pushbench::sse::Handler {
  void on_event(const pushbench::sse::Event& ev) override {
    log_record(log, 'E', ev.type);
    log_record(log, 'D', ev.data);
    log_record(log, 'I', ev.id);
  }
  void on_retry(std::uint64_t ms) override { log_record(log, 'R', std::to_string(ms)); }
  void on_comment(std::string_view text) override { log_record(log, 'C', text); }
  std::string log;
};

constexpr std::size_t kMaxOutput = 1 << 16;

/// Inflates `in` cut by `seed` (per chunk, as reads arrive) into the parser; returns the log.
std::string inflate_parse(std::string_view in, std::uint64_t seed, compress::Format format) {
  Recorder r;
  pushbench::sse::Parser p(r);
  compress::Inflater inf(format, 15, kMaxOutput);
  FUZZ_CHECK(inf.ok());
  std::error_code ec;
  std::size_t total = 0;
  for (auto chunk : pushbench::fuzz::split(in, seed)) {
    std::string out;
    ec = inf.inflate(chunk, out);
    total += out.size();
    FUZZ_CHECK(total <= kMaxOutput);  // the bound holds even on the failing call
    p.feed(out);
    if (ec) break;
  }
  log_record(r.log, 'X', ec ? ec.message() : "");
  log_record(r.log, 'F', inf.finished() ? "1" : "0");
  return r.log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = pushbench::fuzz::as_view(data, size);
  const std::uint8_t knobs = pushbench::fuzz::take_byte(in);
  const auto format = (knobs & 1) ? compress::Format::zlib : compress::Format::gzip;
  const std::uint64_t seed = 2 + (knobs >> 1);

  // As compressed bytes from a server.
  const auto whole = inflate_parse(in, 0, format);
  FUZZ_CHECK(inflate_parse(in, 1, format) == whole);
  FUZZ_CHECK(inflate_parse(in, seed, format) == whole);

  // As event-stream text that the server compresses, flushing at every chunk boundary.
  Recorder plain;
  pushbench::sse::Parser pp(plain);
  pp.feed(in);
  compress::Deflater def(format, compress::DeflateParams{});
  FUZZ_CHECK(def.ok());
  std::string wire;
  for (auto chunk : pushbench::fuzz::split(in, seed)) FUZZ_CHECK(!def.compress_flush(chunk, wire));
  Recorder through;
  pushbench::sse::Parser tp(through);
  compress::Inflater inf(format, 15, std::size_t{1} << 30);
  for (auto chunk : pushbench::fuzz::split(wire, seed + 1)) {
    std::string out;
    FUZZ_CHECK(!inf.inflate(chunk, out));
    tp.feed(out);
  }
  FUZZ_CHECK(through.log == plain.log);
  return 0;
}
