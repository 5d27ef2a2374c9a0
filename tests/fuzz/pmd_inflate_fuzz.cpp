// Fuzzes the permessage-deflate inflater (compress::PmdInflater) with arbitrary compressed
// messages, on both sides, with or without context takeover and with every window size.
// Invariants: (1) the inflater never writes more than its bound into a message; an error is
// final; (2) round trip: the same bytes as plaintext messages, compressed by PmdDeflater with
// the same agreement (window 8 included, which zlib compresses with 9), inflate back to themselves.
#include "core/codec/permessage_deflate.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {
namespace compress = pushbench::compress;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = pushbench::fuzz::as_view(data, size);
  const std::uint8_t k1 = pushbench::fuzz::take_byte(in);
  const std::uint8_t k2 = pushbench::fuzz::take_byte(in);
  compress::PmdParams p;
  p.server_no_context_takeover = k1 & 1;
  p.client_no_context_takeover = k1 & 2;
  p.server_max_window_bits = 8 + ((k1 >> 2) & 7);
  p.client_max_window_bits = 8 + ((k1 >> 5) & 7);
  const bool client = k2 & 1;
  const std::size_t max = (k2 & 2) ? 64 : 1 << 20;
  const std::uint64_t seed = 2 + (k2 >> 2);

  // Arbitrary bytes as compressed messages.
  {
    compress::PmdInflater inf(p, client, max);
    std::error_code last;
    for (auto msg : pushbench::fuzz::split(in, seed)) {
      std::string out = "stale";
      const auto ec = inf.decompress(msg, out);
      FUZZ_CHECK(out.size() <= max);
      if (last) FUZZ_CHECK(ec);  // errors are final for the connection
      last = ec;
    }
  }

  // The same bytes as plaintext messages, through the deflater of the other side.
  compress::PmdDeflater def(p, !client, 1 + k2 % 9);
  compress::PmdInflater inf(p, client, std::size_t{1} << 30);
  std::string wire, back;
  for (auto msg : pushbench::fuzz::split(in, seed)) {
    FUZZ_CHECK(!def.compress(msg, wire));
    FUZZ_CHECK(!wire.empty());
    FUZZ_CHECK(!inf.decompress(wire, back));
    FUZZ_CHECK(back == msg);
  }
  return 0;
}
