#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/codec/deflate.hpp"
#include "core/contract/event.hpp"
#include "core/codec/permessage_deflate.hpp"

namespace pushbench::compress {
namespace {

constexpr std::int64_t kTs = 1700000000000000000;

std::string bytes(std::initializer_list<unsigned> v) {
  std::string s;
  for (unsigned b : v) s.push_back(static_cast<char>(b));
  return s;
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string event(std::uint64_t seq, PayloadKind kind = PayloadKind::json,
                  std::size_t size = 1024) {
  std::string s;
  append_event_data(s, {seq, kTs + static_cast<std::int64_t>(seq), std::nullopt}, kind, size);
  return s;
}

// Consecutive events, newline-separated, cut to exactly `n` bytes.
std::string events(std::size_t n, PayloadKind kind) {
  std::string s;
  for (std::uint64_t seq = 0; s.size() < n; ++seq) {
    s += event(seq, kind, 300);
    s += '\n';
  }
  s.resize(n);
  return s;
}

struct Payload {
  std::string name;  // for failure messages
  std::string data;  // uncompressed bytes
};

std::vector<Payload> payloads() {
  return {{"empty", ""},
          {"one byte", "x"},
          {"json", events(3000, PayloadKind::json)},
          {"random", random_bytes(2000, 1)},
          {"64KiB", events(64 << 10, PayloadKind::text)}};
}

// A stream exercising every flush kind: a third with compress_flush, a third with
// compress_full_flush, the rest with compress_flush, then finish().
std::string compress_stream(Format f, DeflateParams p, std::string_view data) {
  Deflater d(f, p);
  EXPECT_TRUE(d.ok());
  std::string out;
  const std::size_t third = data.size() / 3;
  EXPECT_FALSE(d.compress_flush(data.substr(0, third), out));
  EXPECT_FALSE(d.compress_full_flush(data.substr(third, third), out));
  EXPECT_FALSE(d.compress_flush(data.substr(2 * third), out));
  EXPECT_FALSE(d.finish(out));
  return out;
}

struct Decoded {
  std::error_code ec;     // first error
  std::string out;        // output so far
  bool finished = false;  // end of stream seen
};

Decoded decode(Format f, int window_bits, const std::vector<std::string_view>& pieces,
               std::size_t max_output = 64 << 20) {
  Inflater in(f, window_bits, max_output);
  EXPECT_TRUE(in.ok());
  Decoded d;
  for (auto piece : pieces) {
    d.ec = in.inflate(piece, d.out);
    if (d.ec) break;
  }
  d.finished = in.finished();
  return d;
}

const char* name(Format f) {
  switch (f) {
    case Format::gzip:
      return "gzip";
    case Format::zlib:
      return "zlib";
    case Format::raw:
      return "raw";
  }
  return "?";
}

// Split points to try for a stream of `n` bytes: all of them for small streams, else a sample.
std::vector<std::size_t> split_points(std::size_t n) {
  std::vector<std::size_t> v;
  if (n <= 400) {
    for (std::size_t i = 0; i <= n; ++i) v.push_back(i);
    return v;
  }
  for (std::size_t i = 0; i <= 8; ++i) v.push_back(i);
  for (std::size_t i = 1; i < 40; ++i) v.push_back(n * i / 40);
  for (std::size_t i = 0; i <= 8; ++i) v.push_back(n - i);
  return v;
}

// ----------------------------------------------------------------------------------------------
// Deflate

TEST(Deflate, ErrorCategory) {
  const std::error_code ec = CompressError::data_error;
  EXPECT_STREQ(ec.category().name(), "compress");
  EXPECT_EQ(ec, make_error_code(CompressError::data_error));
  for (int e = 1; e <= 5; ++e) {
    const auto msg = compress_category().message(e);
    EXPECT_FALSE(msg.empty());
    EXPECT_NE(msg, compress_category().message(e == 1 ? 2 : 1));
  }
}

TEST(Deflate, ParameterValidation) {
  EXPECT_TRUE((DeflateParams{}).valid());
  EXPECT_TRUE((DeflateParams{-1, 8, 1}).valid());
  EXPECT_TRUE((DeflateParams{9, 15, 9}).valid());
  EXPECT_FALSE((DeflateParams{10, 15, 8}).valid());
  EXPECT_FALSE((DeflateParams{-2, 15, 8}).valid());
  EXPECT_FALSE((DeflateParams{6, 7, 8}).valid());
  EXPECT_FALSE((DeflateParams{6, 16, 8}).valid());
  EXPECT_FALSE((DeflateParams{6, 15, 0}).valid());
  EXPECT_FALSE((DeflateParams{6, 15, 10}).valid());

  Deflater bad(Format::gzip, {6, 16, 8});
  EXPECT_FALSE(bad.ok());
  std::string out;
  EXPECT_EQ(bad.compress_flush("x", out), CompressError::bad_parameters);
  EXPECT_EQ(bad.finish(out), CompressError::bad_parameters);
  EXPECT_TRUE(out.empty());

  for (Format f : {Format::gzip, Format::zlib, Format::raw}) {
    EXPECT_TRUE(Deflater(f, {6, 8, 8}).ok()) << name(f);
    EXPECT_TRUE(Inflater(f, 8).ok()) << name(f);
    EXPECT_FALSE(Inflater(f, 7).ok()) << name(f);
    EXPECT_FALSE(Inflater(f, 16).ok()) << name(f);
  }
  Inflater bad_in(Format::raw, 16);
  EXPECT_EQ(bad_in.inflate("x", out), CompressError::bad_parameters);
}

// Every format x level x window x mem_level over every payload; every stream is decoded whole,
// split in two at every (or a sample of) point, and a byte at a time.
TEST(Deflate, RoundTripEveryParameterCombination) {
  const auto inputs = payloads();
  for (Format f : {Format::gzip, Format::zlib, Format::raw}) {
    for (int level : {0, 1, 6, 9}) {
      for (int window : {9, 12, 15}) {
        for (int mem : {1, 8, 9}) {
          for (const auto& p : inputs) {
            SCOPED_TRACE(testing::Message() << name(f) << " level " << level << " window " << window
                                            << " mem " << mem << " " << p.name);
            const std::string z = compress_stream(f, {level, window, mem}, p.data);
            const auto whole = decode(f, window, {z});
            ASSERT_FALSE(whole.ec) << whole.ec.message();
            ASSERT_EQ(whole.out, p.data);
            ASSERT_TRUE(whole.finished);
            const std::string_view zv = z;
            for (std::size_t at : split_points(z.size())) {
              const auto d = decode(f, window, {zv.substr(0, at), zv.substr(at)});
              ASSERT_FALSE(d.ec) << "split at " << at;
              ASSERT_EQ(d.out, p.data) << "split at " << at;
              ASSERT_TRUE(d.finished) << "split at " << at;
            }
            // Byte at a time for everything but the large payload, which gets it once per format.
            if (p.data.size() < (64 << 10) || (level == 6 && window == 15 && mem == 8)) {
              std::vector<std::string_view> singles;
              for (std::size_t i = 0; i < zv.size(); ++i) singles.push_back(zv.substr(i, 1));
              const auto d = decode(f, window, singles);
              ASSERT_FALSE(d.ec);
              ASSERT_EQ(d.out, p.data);
              ASSERT_TRUE(d.finished);
            }
          }
        }
      }
    }
  }
}

TEST(Deflate, DefaultLevelAndWindow8) {
  const std::string data = events(64 << 10, PayloadKind::json);
  for (Format f : {Format::gzip, Format::zlib, Format::raw}) {
    SCOPED_TRACE(name(f));
    const std::string z = compress_stream(f, {-1, 8, 8}, data);
    // A 9-bit zlib window never reaches back more than 250 bytes, so a peer that agreed to 8
    // bits can decode it.
    const auto d = decode(f, 8, {z});
    ASSERT_FALSE(d.ec) << d.ec.message();
    EXPECT_EQ(d.out, data);
    EXPECT_TRUE(d.finished);
  }
}

// After compress_flush() the peer can decode everything given so far.
TEST(Deflate, SyncFlushLeavesNothingBehind) {
  for (Format f : {Format::gzip, Format::zlib, Format::raw}) {
    for (int level : {1, 9}) {
      Deflater d(f, {level, 15, 8});
      Inflater in(f);
      std::string sent, received;
      for (std::uint64_t seq = 0; seq < 50; ++seq) {
        const std::string e = event(seq, PayloadKind::text, 10 + seq * 37);
        std::string z;
        ASSERT_FALSE(d.compress_flush(e, z));
        ASSERT_FALSE(in.inflate(z, received));
        sent += e;
        ASSERT_EQ(received, sent) << name(f) << " event " << seq;
        ASSERT_FALSE(in.finished());
      }
    }
  }
}

TEST(Deflate, ContextTakeoverShrinksRepeatedEvent) {
  const std::string e = event(7);
  for (Format f : {Format::gzip, Format::zlib, Format::raw}) {
    SCOPED_TRACE(name(f));
    Deflater d(f, {});
    std::string first, second, after_reset;
    ASSERT_FALSE(d.compress_flush(e, first));
    ASSERT_FALSE(d.compress_flush(e, second));
    EXPECT_LT(second.size() * 4, first.size());
    EXPECT_LT(second.size(), 30u);
    d.reset();
    ASSERT_FALSE(d.compress_flush(e, after_reset));
    EXPECT_EQ(after_reset, first);

    const auto decoded = decode(f, 15, {first, second});
    ASSERT_FALSE(decoded.ec);
    EXPECT_EQ(decoded.out, e + e);
  }
}

TEST(Deflate, FullFlushOutputIndependentOfPriorData) {
  const std::string e = event(3, PayloadKind::json, 2000);
  for (Format f : {Format::gzip, Format::zlib, Format::raw}) {
    for (int level : {0, 1, 6, 9}) {
      SCOPED_TRACE(testing::Message() << name(f) << " level " << level);
      std::string after_json, after_random, ignored;
      Deflater a(f, {level, 15, 8});
      ASSERT_FALSE(a.compress_full_flush(e, ignored));  // same content earlier
      ASSERT_FALSE(a.compress_full_flush(e, after_json));
      Deflater b(f, {level, 15, 8});
      ASSERT_FALSE(b.compress_flush(random_bytes(5000, 2), ignored));
      ASSERT_FALSE(b.compress_full_flush("x", ignored));
      ASSERT_FALSE(b.compress_full_flush(e, after_random));
      EXPECT_EQ(after_json, after_random);
      if (f == Format::raw) {
        // Decodable by a peer that never saw the earlier data.
        const auto d = decode(f, 15, {after_json});
        ASSERT_FALSE(d.ec);
        EXPECT_EQ(d.out, e);
        std::string fresh;
        ASSERT_FALSE(Deflater(f, {level, 15, 8}).compress_full_flush(e, fresh));
        EXPECT_EQ(fresh, after_json);
      }
    }
  }
}

TEST(Deflate, FlushWithoutInputAndFinishSequence) {
  for (Format f : {Format::gzip, Format::zlib, Format::raw}) {
    SCOPED_TRACE(name(f));
    Deflater d(f, {});
    std::string z;
    ASSERT_FALSE(d.compress_flush("abc", z));
    const std::size_t after_first = z.size();
    ASSERT_FALSE(d.compress_flush("", z));
    ASSERT_FALSE(d.compress_full_flush("", z));
    EXPECT_LE(z.size(), after_first + 5);  // at most the full flush's empty block
    ASSERT_FALSE(d.finish(z));
    const std::size_t finished_size = z.size();
    EXPECT_FALSE(d.finish(z));
    EXPECT_EQ(z.size(), finished_size);
    EXPECT_EQ(d.compress_flush("more", z), CompressError::bad_parameters);
    EXPECT_EQ(z.size(), finished_size);
    const auto decoded = decode(f, 15, {z});
    ASSERT_FALSE(decoded.ec);
    EXPECT_EQ(decoded.out, "abc");
    EXPECT_TRUE(decoded.finished);

    // reset() starts a new, independent stream.
    d.reset();
    std::string z2;
    ASSERT_FALSE(d.compress_flush("def", z2));
    ASSERT_FALSE(d.finish(z2));
    const auto second = decode(f, 15, {z2});
    ASSERT_FALSE(second.ec);
    EXPECT_EQ(second.out, "def");
    EXPECT_TRUE(second.finished);
  }
}

TEST(Deflate, GzipInterop) {
  const std::string data = events(10000, PayloadKind::json);
  Deflater d(Format::gzip, {});
  std::string z;
  ASSERT_FALSE(d.compress_flush(data, z));
  ASSERT_FALSE(d.finish(z));
  ASSERT_GE(z.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
  EXPECT_EQ(static_cast<unsigned char>(z[2]), 8);  // CM = deflate
  // Trailer: CRC-32 and ISIZE, little-endian (RFC 1952 section 2.3.1).
  auto le32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(z[at + i]);
    return v;
  };
  const auto crc =
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  EXPECT_EQ(le32(z.size() - 8), crc);
  EXPECT_EQ(le32(z.size() - 4), data.size());

  const auto decoded = decode(Format::gzip, 15, {z});
  ASSERT_FALSE(decoded.ec);
  EXPECT_EQ(decoded.out, data);
  EXPECT_TRUE(decoded.finished);

  // "Hello" as written by `gzip -n`.
  const std::string hello =
      bytes({0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xf3, 0x48, 0xcd,
             0xc9, 0xc9, 0x07, 0x00, 0x82, 0x89, 0xd1, 0xf7, 0x05, 0x00, 0x00, 0x00});
  const auto h = decode(Format::gzip, 15, {hello});
  ASSERT_FALSE(h.ec);
  EXPECT_EQ(h.out, "Hello");
  EXPECT_TRUE(h.finished);

  // Anything after the end of the stream is an error.
  const auto trailing = decode(Format::gzip, 15, {hello, "x"});
  EXPECT_EQ(trailing.ec, CompressError::data_error);
  EXPECT_EQ(decode(Format::gzip, 15, {hello + "x"}).ec, CompressError::data_error);
}

TEST(Deflate, ZlibInterop) {
  const std::string data = events(10000, PayloadKind::text);
  Deflater d(Format::zlib, {9, 15, 9});
  std::string z;
  ASSERT_FALSE(d.compress_flush(data, z));
  ASSERT_FALSE(d.finish(z));
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x78);  // deflate, 32 KiB window
  std::string plain(data.size(), '\0');
  uLongf plain_len = plain.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(plain.data()), &plain_len,
                       reinterpret_cast<const Bytef*>(z.data()), z.size()),
            Z_OK);
  plain.resize(plain_len);
  EXPECT_EQ(plain, data);

  for (int level : {0, 1, 9}) {
    std::string packed(compressBound(data.size()), '\0');
    uLongf packed_len = packed.size();
    ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_len,
                        reinterpret_cast<const Bytef*>(data.data()), data.size(), level),
              Z_OK);
    packed.resize(packed_len);
    const auto decoded = decode(Format::zlib, 15, {packed});
    ASSERT_FALSE(decoded.ec);
    EXPECT_EQ(decoded.out, data);
    EXPECT_TRUE(decoded.finished);
  }

  // A zlib stream with a small window decodes whatever window_bits the Inflater was given.
  const std::string small = compress_stream(Format::zlib, {6, 9, 8}, data);
  const auto decoded = decode(Format::zlib, 12, {small});
  ASSERT_FALSE(decoded.ec);
  EXPECT_EQ(decoded.out, data);
}

TEST(Deflate, CorruptInputIsAnErrorNeverACrash) {
  const std::string data = events(5000, PayloadKind::json);
  for (Format f : {Format::gzip, Format::zlib, Format::raw}) {
    SCOPED_TRACE(name(f));
    const std::string z = compress_stream(f, {}, data);
    int errors = 0;
    for (std::size_t at = 0; at < z.size(); ++at) {
      for (unsigned char mask : {0x01, 0x80, 0xff}) {
        std::string bad = z;
        bad[at] = static_cast<char>(bad[at] ^ mask);
        const auto d = decode(f, 15, {bad});
        if (d.ec) {
          EXPECT_EQ(d.ec, CompressError::data_error) << at;
          ++errors;
        } else if (d.finished && f != Format::raw) {
          // Only header fields outside the checksums (e.g. gzip's MTIME) may change unnoticed.
          EXPECT_EQ(d.out, data) << "flip at " << at;
        }
      }
    }
    // Checksums catch nearly everything; raw DEFLATE has none, so many flips just decode to
    // other bytes.
    const double flips = 3.0 * static_cast<double>(z.size());
    EXPECT_GT(errors, (f == Format::raw ? 0.2 : 0.95) * flips);

    // A truncated stream is incomplete, not wrong.
    for (std::size_t n : split_points(z.size() - 1)) {
      const auto d = decode(f, 15, {std::string_view(z).substr(0, n)});
      EXPECT_FALSE(d.ec) << n;
      EXPECT_FALSE(d.finished) << n;
      EXPECT_EQ(d.out, data.substr(0, d.out.size())) << n;
    }

    // Garbage.
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
      std::string junk = random_bytes(1 + seed * 13, seed);
      if (f != Format::raw) junk[0] = 0x55;  // neither a gzip nor a valid zlib header
      const auto d = decode(f, 15, {junk});
      if (f != Format::raw) {
        EXPECT_EQ(d.ec, CompressError::data_error);
      } else if (d.ec) {
        EXPECT_EQ(d.ec, CompressError::data_error);
      }
    }
  }
}

TEST(Deflate, ErrorsAreStickyUntilReset) {
  Inflater in(Format::gzip);
  std::string out;
  EXPECT_EQ(in.inflate("not gzip", out), CompressError::data_error);
  const std::string hello = compress_stream(Format::gzip, {}, "Hello");
  EXPECT_EQ(in.inflate(hello, out), CompressError::data_error);
  in.reset();
  out.clear();
  ASSERT_FALSE(in.inflate(hello, out));
  EXPECT_EQ(out, "Hello");
  EXPECT_TRUE(in.finished());
  in.reset();
  EXPECT_FALSE(in.finished());
}

TEST(Deflate, OutputLimitStopsZipBombs) {
  const std::string zeros(8 << 20, '\0');
  for (Format f : {Format::gzip, Format::zlib, Format::raw}) {
    SCOPED_TRACE(name(f));
    const std::string bomb = compress_stream(f, {9, 15, 9}, zeros);
    ASSERT_LT(bomb.size(), 20000u);

    Inflater limited(f, 15, 1 << 20);
    std::string out;
    EXPECT_EQ(limited.inflate(bomb, out), CompressError::output_too_large);
    EXPECT_EQ(out.size(), std::size_t{1} << 20);
    EXPECT_EQ(limited.inflate("", out), CompressError::output_too_large);

    // The bound holds across calls, and is exact.
    Inflater exact(f, 15, zeros.size());
    Inflater one_less(f, 15, zeros.size() - 1);
    std::string a, b;
    std::error_code ea, eb;
    for (std::size_t i = 0; i < bomb.size(); i += 100) {
      const auto piece = std::string_view(bomb).substr(i, 100);
      if (!ea) ea = exact.inflate(piece, a);
      if (!eb) eb = one_less.inflate(piece, b);
    }
    EXPECT_FALSE(ea);
    EXPECT_TRUE(exact.finished());
    EXPECT_EQ(a.size(), zeros.size());
    EXPECT_EQ(eb, CompressError::output_too_large);
    EXPECT_EQ(b.size(), zeros.size() - 1);

    // reset() restores the budget.
    limited.reset();
    out.clear();
    const std::string small = compress_stream(f, {}, "fits");
    EXPECT_FALSE(limited.inflate(small, out));
    EXPECT_EQ(out, "fits");
  }
}

TEST(Deflate, OutputLimitPerReadOnLongStreams) {
  Deflater d(Format::gzip, {});
  Inflater per_read(Format::gzip, 15, 1000);
  Inflater total(Format::gzip, 15, 1000);
  std::string z, a, b;
  std::error_code eb;
  for (int i = 0; i < 20; ++i) {
    z.clear();
    ASSERT_FALSE(d.compress_flush(std::string(900, static_cast<char>('a' + i)), z));
    ASSERT_FALSE(per_read.inflate(z, a)) << i;
    per_read.restart_output_count();
    if (!eb) eb = total.inflate(z, b);
  }
  EXPECT_EQ(a.size(), 20u * 900);
  EXPECT_EQ(eb, CompressError::output_too_large);
  EXPECT_EQ(b.size(), 1000u);
}

TEST(Deflate, MemoryEstimate) {
  EXPECT_EQ(Deflater(Format::gzip, {}).memory_estimate(), (1u << 17) + (1u << 17) + 6144);
  EXPECT_EQ(Deflater(Format::raw, {6, 9, 1}).memory_estimate(), (1u << 11) + (1u << 10) + 6144);
  EXPECT_EQ(Deflater(Format::raw, {6, 8, 1}).memory_estimate(),
            Deflater(Format::raw, {6, 9, 1}).memory_estimate());
  EXPECT_LT(Deflater(Format::raw, {6, 12, 8}).memory_estimate(),
            Deflater(Format::raw, {6, 13, 8}).memory_estimate());
  EXPECT_LT(Deflater(Format::raw, {6, 15, 8}).memory_estimate(),
            Deflater(Format::raw, {6, 15, 9}).memory_estimate());
}

TEST(Deflate, MovedObjectsKeepTheirStream) {
  Deflater d(Format::zlib, {});
  std::string z;
  ASSERT_FALSE(d.compress_flush("first ", z));
  Deflater moved(std::move(d));
  EXPECT_FALSE(d.ok());  // NOLINT(bugprone-use-after-move): documented moved-from state
  EXPECT_EQ(d.compress_flush("x", z), CompressError::init_failed);
  ASSERT_FALSE(moved.compress_flush("second", z));
  Deflater assigned(Format::raw, {});
  assigned = std::move(moved);
  ASSERT_FALSE(assigned.finish(z));

  Inflater in(Format::zlib);
  std::string out;
  ASSERT_FALSE(in.inflate(std::string_view(z).substr(0, 5), out));
  Inflater in2 = std::move(in);
  ASSERT_FALSE(in2.inflate(std::string_view(z).substr(5), out));
  EXPECT_EQ(out, "first second");
  EXPECT_TRUE(in2.finished());
  EXPECT_FALSE(in.ok());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(in.inflate("x", out), CompressError::init_failed);
}

// ----------------------------------------------------------------------------------------------
// Pmd

std::optional<PmdParams> accepted(std::string_view header, const PmdParams& offered = {}) {
  auto r = parse_pmd_response(header, offered);
  if (auto* ec = std::get_if<std::error_code>(&r)) {
    ADD_FAILURE() << "rejected: " << header << ": " << ec->message();
    return std::nullopt;
  }
  auto p = std::get<std::optional<PmdParams>>(r);
  if (!p) ADD_FAILURE() << "not negotiated: " << header;
  return p;
}

bool rejected(std::string_view header, const PmdParams& offered = {}) {
  auto r = parse_pmd_response(header, offered);
  auto* ec = std::get_if<std::error_code>(&r);
  return ec && *ec == CompressError::negotiation_failed;
}

bool not_negotiated(std::string_view header) {
  auto r = parse_pmd_response(header, {});
  auto* p = std::get_if<std::optional<PmdParams>>(&r);
  return p && !*p;
}

TEST(Pmd, OfferStrings) {
  EXPECT_EQ(make_pmd_offer({}), "permessage-deflate; client_max_window_bits");
  PmdParams all;
  all.server_no_context_takeover = true;
  all.client_no_context_takeover = true;
  all.server_max_window_bits = 10;
  all.client_max_window_bits = 12;
  EXPECT_EQ(make_pmd_offer(all),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=10; client_max_window_bits=12");
  PmdParams bare;
  bare.offer_client_max_window_bits = false;
  EXPECT_EQ(make_pmd_offer(bare), "permessage-deflate");
  PmdParams clamped;
  clamped.server_max_window_bits = 3;
  clamped.client_max_window_bits = 99;
  EXPECT_EQ(make_pmd_offer(clamped),
            "permessage-deflate; server_max_window_bits=8; client_max_window_bits");
  // Every offer is something our own parser accepts back as a response (minus the valueless
  // client_max_window_bits, which a response must not have).
  all.client_max_window_bits = 15;
  all.offer_client_max_window_bits = false;
  const auto p = accepted(make_pmd_offer(all), all);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->server_no_context_takeover);
  EXPECT_EQ(p->server_max_window_bits, 10);
}

TEST(Pmd, ResponsesAccepted) {
  auto p = accepted("permessage-deflate");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->server_no_context_takeover);
  EXPECT_FALSE(p->client_no_context_takeover);
  EXPECT_EQ(p->server_max_window_bits, 15);
  EXPECT_EQ(p->client_max_window_bits, 15);

  p = accepted("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->server_no_context_takeover);
  EXPECT_TRUE(p->client_no_context_takeover);

  p = accepted("permessage-deflate; client_max_window_bits=10; server_max_window_bits=8");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->client_max_window_bits, 10);
  EXPECT_EQ(p->server_max_window_bits, 8);

  p = accepted("permessage-deflate;server_max_window_bits=\"12\";client_max_window_bits=\"9\"");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->server_max_window_bits, 12);
  EXPECT_EQ(p->client_max_window_bits, 9);

  p = accepted("  PerMessage-Deflate ;\tServer_No_Context_Takeover  ,  ");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->server_no_context_takeover);

  p = accepted("x-other; a=\"b\\c\", , permessage-deflate; server_max_window_bits=15");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->server_max_window_bits, 15);

  // What the offer demanded, confirmed.
  PmdParams offer;
  offer.server_no_context_takeover = true;
  offer.server_max_window_bits = 10;
  p = accepted("permessage-deflate; server_no_context_takeover; server_max_window_bits=9", offer);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->server_max_window_bits, 9);

  // The client keeps its own promises whatever the server says.
  PmdParams hint;
  hint.client_no_context_takeover = true;
  hint.client_max_window_bits = 11;
  p = accepted("permessage-deflate; client_max_window_bits=13", hint);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->client_no_context_takeover);
  EXPECT_EQ(p->client_max_window_bits, 11);
  p = accepted("permessage-deflate", hint);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->client_max_window_bits, 11);

  EXPECT_TRUE(not_negotiated(""));
  EXPECT_TRUE(not_negotiated("  ,  "));
  EXPECT_TRUE(not_negotiated("x-webkit-deflate-frame"));
  EXPECT_TRUE(not_negotiated("permessage-deflate-2; foo=1"));
}

TEST(Pmd, ResponsesRejected) {
  for (const char* h : {
           // window bits out of range or badly written
           "permessage-deflate; server_max_window_bits=7",
           "permessage-deflate; server_max_window_bits=16",
           "permessage-deflate; client_max_window_bits=7",
           "permessage-deflate; client_max_window_bits=16",
           "permessage-deflate; server_max_window_bits=0",
           "permessage-deflate; server_max_window_bits=08",
           "permessage-deflate; server_max_window_bits=010",
           "permessage-deflate; server_max_window_bits=1a",
           "permessage-deflate; server_max_window_bits=-9",
           "permessage-deflate; server_max_window_bits=\"\"",
           // values required or forbidden
           "permessage-deflate; server_max_window_bits",
           "permessage-deflate; client_max_window_bits",
           "permessage-deflate; server_no_context_takeover=1",
           "permessage-deflate; client_no_context_takeover=\"true\"",
           // duplicates
           "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
           "permessage-deflate; client_no_context_takeover; Client_No_Context_Takeover",
           "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
           "permessage-deflate; client_max_window_bits=10; client_max_window_bits=9",
           "permessage-deflate, permessage-deflate",
           // unknown parameters
           "permessage-deflate; foo",
           "permessage-deflate; max_window_bits=10",
           // malformed
           "permessage-deflate;",
           "permessage-deflate; ",
           "permessage-deflate; =5",
           "permessage-deflate server_no_context_takeover",
           "permessage-deflate; server_max_window_bits=",
           "permessage-deflate; server_max_window_bits=\"10",
           "permessage-deflate; server_max_window_bits=\"1 0\"",
           "permessage-deflate; server_max_window_bits=10 10",
           "permessage-deflate; a b",
           "permessage-deflate; server_no_context_takeover;;",
           "; permessage-deflate",
           "=permessage-deflate",
           "perm\xc3\xa9ssage-deflate",
           "x-other; a=\"b c\", permessage-deflate",
       }) {
    EXPECT_TRUE(rejected(h)) << h;
  }

  // client_max_window_bits only if offered.
  PmdParams no_cmwb;
  no_cmwb.offer_client_max_window_bits = false;
  EXPECT_TRUE(rejected("permessage-deflate; client_max_window_bits=10", no_cmwb));
  EXPECT_TRUE(accepted("permessage-deflate", no_cmwb));
  no_cmwb.client_max_window_bits = 12;  // a value is an offer of the parameter
  EXPECT_TRUE(accepted("permessage-deflate; client_max_window_bits=10", no_cmwb));

  // The offer's demands not met.
  PmdParams offer;
  offer.server_no_context_takeover = true;
  EXPECT_TRUE(rejected("permessage-deflate", offer));
  offer = {};
  offer.server_max_window_bits = 10;
  EXPECT_TRUE(rejected("permessage-deflate", offer));
  EXPECT_TRUE(rejected("permessage-deflate; server_max_window_bits=11", offer));
  EXPECT_TRUE(accepted("permessage-deflate; server_max_window_bits=10", offer));
}

// RFC 7692 section 7.2.3: the example payloads.
TEST(Pmd, Rfc7692Examples) {
  const std::string hello = bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
  const std::string hello_again = bytes({0xf2, 0x00, 0x11, 0x00, 0x00});
  PmdParams p;
  std::string out;

  // 7.2.3.1: a message compressed on its own.
  PmdInflater fresh(p, true, 1 << 20);
  ASSERT_FALSE(fresh.decompress(hello, out));
  EXPECT_EQ(out, "Hello");
  PmdDeflater deflater(p, false);
  ASSERT_FALSE(deflater.compress("Hello", out));
  EXPECT_EQ(out, hello);

  // 7.2.3.2: the second "Hello" refers back into the first message.
  ASSERT_FALSE(deflater.compress("Hello", out));
  EXPECT_EQ(out, hello_again);
  PmdInflater shared(p, true, 1 << 20);
  ASSERT_FALSE(shared.decompress(hello, out));
  ASSERT_FALSE(shared.decompress(hello_again, out));
  EXPECT_EQ(out, "Hello");
  // Without the shared window the second message cannot be decoded.
  PmdParams no_takeover;
  no_takeover.server_no_context_takeover = true;
  PmdInflater resetting(no_takeover, true, 1 << 20);
  ASSERT_FALSE(resetting.decompress(hello, out));
  EXPECT_EQ(resetting.decompress(hello_again, out), CompressError::data_error);
  PmdDeflater no_takeover_deflater(no_takeover, false);
  ASSERT_FALSE(no_takeover_deflater.compress("Hello", out));
  ASSERT_FALSE(no_takeover_deflater.compress("Hello", out));
  EXPECT_EQ(out, hello);

  // 7.2.3.3: a BFINAL block followed by the octet that keeps the tail decodable.
  PmdInflater bfinal(p, true, 1 << 20);
  ASSERT_FALSE(bfinal.decompress(bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}), out));
  EXPECT_EQ(out, "Hello");
  // ... and without that octet, then a message that refers back across the BFINAL block.
  ASSERT_FALSE(bfinal.decompress(bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}), out));
  EXPECT_EQ(out, "Hello");
  ASSERT_FALSE(bfinal.decompress(hello_again, out));
  EXPECT_EQ(out, "Hello");

  // 7.2.3.4: two DEFLATE blocks in one message.
  PmdInflater two_blocks(p, true, 1 << 20);
  ASSERT_FALSE(two_blocks.decompress(
      bytes({0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}), out));
  EXPECT_EQ(out, "Hello");

  // 7.2.3.5: a stored block.
  PmdInflater stored(p, true, 1 << 20);
  ASSERT_FALSE(stored.decompress(
      bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}), out));
  EXPECT_EQ(out, "Hello");

  // 7.2.3.6: an empty message is the single octet 00.
  PmdDeflater empty_deflater(p, true);
  ASSERT_FALSE(empty_deflater.compress("", out));
  EXPECT_EQ(out, std::string(1, '\0'));
  ASSERT_FALSE(empty_deflater.compress("abc", out));
  ASSERT_FALSE(empty_deflater.compress("", out));
  EXPECT_EQ(out, std::string(1, '\0'));
  PmdInflater empty_inflater(p, false, 1 << 20);
  out = "stale";
  ASSERT_FALSE(empty_inflater.decompress(std::string(1, '\0'), out));
  EXPECT_EQ(out, "");
}

// Both directions of a connection over 100 events, with and without context takeover, at
// several window sizes.
TEST(Pmd, RoundTripBothRoles) {
  for (int bits : {8, 11, 15}) {
    std::size_t totals[2] = {0, 0};
    for (bool takeover : {true, false}) {
      SCOPED_TRACE(testing::Message() << "bits " << bits << " takeover " << takeover);
      PmdParams p;
      p.server_no_context_takeover = !takeover;
      p.client_no_context_takeover = !takeover;
      p.server_max_window_bits = bits;
      p.client_max_window_bits = bits;
      PmdDeflater server_out(p, false);
      PmdInflater client_in(p, true, 1 << 20);
      PmdDeflater client_out(p, true, 9, 9);
      PmdInflater server_in(p, false, 1 << 20);
      std::string z, back;
      for (std::uint64_t seq = 0; seq < 100; ++seq) {
        const auto kind = seq % 3 == 0 ? PayloadKind::text : PayloadKind::json;
        const std::string e = event(seq, kind, 100 + seq * 50);
        ASSERT_FALSE(server_out.compress(e, z));
        totals[takeover] += z.size();
        ASSERT_FALSE(client_in.decompress(z, back));
        ASSERT_EQ(back, e) << seq;
        ASSERT_FALSE(client_out.compress(e, z));
        ASSERT_FALSE(server_in.decompress(z, back));
        ASSERT_EQ(back, e) << seq;
      }
    }
    EXPECT_LT(totals[true], totals[false]) << bits;
  }
}

TEST(Pmd, MessageSizeLimitPerMessage) {
  PmdParams p;
  PmdDeflater deflater(p, false);
  PmdInflater inflater(p, true, 1000);
  std::string z, out;
  // With context takeover the limit still applies to each message, not to the connection.
  for (int i = 0; i < 20; ++i) {
    ASSERT_FALSE(deflater.compress(std::string(1000, 'a'), z));
    ASSERT_FALSE(inflater.decompress(z, out)) << i;
    EXPECT_EQ(out.size(), 1000u);
  }
  ASSERT_FALSE(deflater.compress(std::string(1001, 'a'), z));
  EXPECT_EQ(inflater.decompress(z, out), CompressError::output_too_large);
  EXPECT_LE(out.size(), 1000u);
  ASSERT_FALSE(deflater.compress("a", z));
  EXPECT_EQ(inflater.decompress(z, out), CompressError::output_too_large);  // final
}

TEST(Pmd, CorruptMessagesAreErrors) {
  PmdParams p;
  PmdDeflater deflater(p, true);
  std::string hello;
  ASSERT_FALSE(deflater.compress("Hello, world! Hello, world!", hello));
  // A truncated message never passes for the original; most truncations are errors because
  // the message no longer ends at a block boundary.
  for (std::size_t n = 0; n < hello.size(); ++n) {
    PmdInflater in(p, false, 1 << 20);
    std::string out;
    const auto ec = in.decompress(std::string_view(hello).substr(0, n), out);
    if (!ec) {
      EXPECT_NE(out, "Hello, world! Hello, world!") << n;
    } else {
      EXPECT_EQ(ec, CompressError::data_error) << n;
    }
  }
  PmdInflater truncated(p, false, 1 << 20);
  std::string out;
  EXPECT_EQ(truncated.decompress(std::string_view(hello).substr(0, hello.size() - 1), out),
            CompressError::data_error);
  EXPECT_EQ(truncated.decompress(hello, out), CompressError::data_error);  // final

  // Garbage and bit flips never crash, and any error is data_error.
  int errors = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    PmdInflater in(p, false, 1 << 20);
    std::string msg = seed % 2 ? random_bytes(seed % 97, seed) : hello;
    if (seed % 2 == 0) msg[seed % msg.size()] ^= static_cast<char>(1 << (seed % 8));
    const auto ec = in.decompress(msg, out);
    if (ec) {
      EXPECT_EQ(ec, CompressError::data_error);
      ++errors;
    }
  }
  EXPECT_GT(errors, 150);
}

TEST(Pmd, ContextTakeoverAgreementMatters) {
  // A server that keeps its context against a client that resets per message: the second,
  // back-referencing message is rejected, never silently wrong.
  PmdParams sender;
  PmdParams receiver;
  receiver.server_no_context_takeover = true;
  PmdDeflater server(sender, false);
  PmdInflater client(receiver, true, 1 << 20);
  const std::string e = event(1);
  std::string z, out;
  ASSERT_FALSE(server.compress(e, z));
  ASSERT_FALSE(client.decompress(z, out));
  ASSERT_FALSE(server.compress(e, z));
  EXPECT_EQ(client.decompress(z, out), CompressError::data_error);
}

TEST(Pmd, BadLevelIsReported) {
  PmdDeflater d(PmdParams{}, true, 10);
  std::string out;
  EXPECT_EQ(d.compress("x", out), CompressError::bad_parameters);
}


TEST(PmdServer, NegotiatesTheFirstAcceptableOffer) {
  PmdParams ours;  // defaults: context takeover, window 15
  // The client's default offer: accepted, answered without parameters it did not need.
  auto a = negotiate_pmd_offer("permessage-deflate; client_max_window_bits", ours);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->server_no_context_takeover);
  EXPECT_EQ(a->server_max_window_bits, 15);
  EXPECT_EQ(make_pmd_response(*a), "permessage-deflate");
  // Requests are honoured, and our own no_context_takeover wishes are added.
  ours.client_no_context_takeover = true;
  ours.server_max_window_bits = 12;
  a = negotiate_pmd_offer("x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover;"
                          " server_max_window_bits=10",
                          ours);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->server_no_context_takeover);
  EXPECT_TRUE(a->client_no_context_takeover);
  EXPECT_EQ(a->server_max_window_bits, 10);
  EXPECT_EQ(make_pmd_response(*a),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=10");
  // The server's answer parses as a valid agreement on the client side.
  PmdParams offered;
  offered.server_no_context_takeover = true;
  offered.server_max_window_bits = 10;
  const auto parsed = parse_pmd_response(make_pmd_response(*a), offered);
  ASSERT_TRUE(std::holds_alternative<std::optional<PmdParams>>(parsed));
  EXPECT_TRUE(std::get<std::optional<PmdParams>>(parsed).has_value());
}

TEST(PmdServer, DeclinesInvalidOrUnservableOffers) {
  const PmdParams ours;
  EXPECT_FALSE(negotiate_pmd_offer("", ours));
  EXPECT_FALSE(negotiate_pmd_offer("x-webkit-deflate-frame", ours));
  EXPECT_FALSE(negotiate_pmd_offer("permessage-deflate; unknown_param", ours));
  EXPECT_FALSE(negotiate_pmd_offer("permessage-deflate; server_max_window_bits=16", ours));
  EXPECT_FALSE(negotiate_pmd_offer("permessage-deflate; server_max_window_bits", ours));
  EXPECT_FALSE(negotiate_pmd_offer("permessage-deflate; server_no_context_takeover=1", ours));
  // zlib cannot honour an 8-bit window: that offer is declined, the fallback offer accepted.
  EXPECT_FALSE(negotiate_pmd_offer("permessage-deflate; server_max_window_bits=8", ours));
  const auto a = negotiate_pmd_offer(
      "permessage-deflate; server_max_window_bits=8, permessage-deflate", ours);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->server_max_window_bits, 15);
  EXPECT_FALSE(negotiate_pmd_offer("permessage-deflate;;", ours));
}

TEST(PmdServer, ClientWindowIsAnsweredWhenOffered) {
  PmdParams ours;
  ours.client_max_window_bits = 11;
  const auto a = negotiate_pmd_offer("permessage-deflate; client_max_window_bits=13", ours);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->client_max_window_bits, 11);
  EXPECT_EQ(make_pmd_response(*a), "permessage-deflate; client_max_window_bits=11");
}

}  // namespace
}  // namespace pushbench::compress
