// Fuzzes permessage-deflate negotiation: a server answering arbitrary Sec-WebSocket-Extensions
// offers (negotiate_pmd_offer) and a client judging arbitrary responses (parse_pmd_response).
// Invariants: (1) every agreement has window bits in 8..15 and honours what was offered (a
// client accepts no response that ignores its demands, the server none that ignores its
// preferences); (2) an offer made by make_pmd_offer is accepted by the server exactly when it
// does not demand an 8-bit server window, and the client accepts the server's response as exactly the
// parameters the server agreed.
#include <algorithm>

#include "core/codec/permessage_deflate.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

namespace compress = pushbench::compress;

compress::PmdParams params_from(std::uint8_t a, std::uint8_t b) {
  compress::PmdParams p;
  p.server_no_context_takeover = a & 1;
  p.client_no_context_takeover = a & 2;
  p.server_max_window_bits = 8 + ((a >> 2) & 7);
  p.client_max_window_bits = 8 + ((a >> 5) & 7);
  p.offer_client_max_window_bits = b & 1;
  return p;
}

bool in_range(const compress::PmdParams& p) {
  return p.server_max_window_bits >= 8 && p.server_max_window_bits <= 15 &&
         p.client_max_window_bits >= 8 && p.client_max_window_bits <= 15;
}

bool same(const compress::PmdParams& a, const compress::PmdParams& b) {
  return a.server_no_context_takeover == b.server_no_context_takeover &&
         a.client_no_context_takeover == b.client_no_context_takeover &&
         a.server_max_window_bits == b.server_max_window_bits &&
         a.client_max_window_bits == b.client_max_window_bits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = pushbench::fuzz::as_view(data, size);
  const std::uint8_t a = pushbench::fuzz::take_byte(in);
  const std::uint8_t b = pushbench::fuzz::take_byte(in);
  const std::uint8_t c = pushbench::fuzz::take_byte(in);
  const auto offered = params_from(a, b);
  auto prefs = params_from(c, b >> 1);
  // The server's own window is configured in 9..15 (zlib cannot compress within 8 bits).
  prefs.server_max_window_bits = std::max(prefs.server_max_window_bits, 9);

  // The input as a server's response to our offer.
  const auto parsed = compress::parse_pmd_response(in, offered);
  if (auto* agreed = std::get_if<std::optional<compress::PmdParams>>(&parsed); agreed && *agreed) {
    const auto& g = **agreed;
    FUZZ_CHECK(in_range(g));
    if (offered.server_no_context_takeover) FUZZ_CHECK(g.server_no_context_takeover);
    if (offered.server_max_window_bits < 15) {
      FUZZ_CHECK(g.server_max_window_bits <= offered.server_max_window_bits);
    }
    if (!offered.offer_client_max_window_bits && offered.client_max_window_bits == 15) {
      FUZZ_CHECK(g.client_max_window_bits == 15);
    }
    compress::PmdInflater check(g, true, 1024);  // usable with what was agreed
    (void)check;
  } else if (auto* ec = std::get_if<std::error_code>(&parsed)) {
    FUZZ_CHECK(*ec == compress::CompressError::negotiation_failed);
  }

  // The input as a client's offers.
  if (auto agreed = compress::negotiate_pmd_offer(in, prefs)) {
    FUZZ_CHECK(in_range(*agreed));
    if (prefs.server_no_context_takeover) FUZZ_CHECK(agreed->server_no_context_takeover);
    FUZZ_CHECK(!compress::make_pmd_response(*agreed).empty());
  }

  // Our own offer negotiates unless it demands what the server cannot do (an 8-bit server
  // window); a client window is limited only when the offer allows it; the client accepts the
  // answer as exactly what the server agreed.
  const auto offer = compress::make_pmd_offer(offered);
  const auto server_side = compress::negotiate_pmd_offer(offer, prefs);
  FUZZ_CHECK(server_side.has_value() == (offered.server_max_window_bits >= 9));
  if (!server_side) return 0;
  if (!offered.offer_client_max_window_bits && offered.client_max_window_bits == 15) {
    FUZZ_CHECK(server_side->client_max_window_bits == 15);
  }
  const auto reply = compress::parse_pmd_response(compress::make_pmd_response(*server_side), offered);
  const auto* back = std::get_if<std::optional<compress::PmdParams>>(&reply);
  FUZZ_CHECK(back && back->has_value());
  FUZZ_CHECK(same(**back, *server_side));
  return 0;
}
