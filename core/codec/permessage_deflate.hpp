// RFC 7692 permessage-deflate for our own WebSocket client (the servers use Beast's): offer,
// response validation, and per-message compression.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "core/codec/deflate.hpp"

namespace pushbench::compress {

// permessage-deflate parameters: what a client requests (make_pmd_offer) or what was agreed
// (parse_pmd_response). In an agreement, "server" fields govern server-to-client messages and
// "client" fields client-to-server messages.
struct PmdParams {
  // The server resets its compressor after every message.
  bool server_no_context_takeover = false;
  // The client resets its compressor after every message.
  bool client_no_context_takeover = false;
  // Base-2 logarithm of the server's LZ77 window, 8..15 (15: no limit).
  int server_max_window_bits = 15;
  // Base-2 logarithm of the client's LZ77 window, 8..15 (15: no limit).
  int client_max_window_bits = 15;
  // Offers only: include client_max_window_bits, valueless when client_max_window_bits is 15, so
  // that the server may limit our window. When false (and client_max_window_bits is 15) the
  // parameter is left out and a response carrying it is rejected (RFC 7692 section 7.1.2.2).
  bool offer_client_max_window_bits = true;
};

// The Sec-WebSocket-Extensions value offering `requested`, e.g. "permessage-deflate;
// client_max_window_bits" for the defaults. Flags and window bits below 15 are included as
// requested; window bits outside 8..15 are clamped.
std::string make_pmd_offer(const PmdParams& requested);

// Validates the server's Sec-WebSocket-Extensions response to the offer made from `offered`
// (several header lines joined with ","). Returns nullopt when the response has no
// permessage-deflate element (other extensions are ignored: the caller judges them), the agreed
// parameters when it is an acceptable answer, and negotiation_failed when the value is malformed,
// names permessage-deflate twice, repeats or does not know a parameter, gives a value to a
// no_context_takeover parameter, lacks a required window value or has one outside 8..15 (or with
// a leading zero), sends client_max_window_bits that was not offered, or does not accept what
// the offer demanded (server_no_context_takeover, server_max_window_bits=N answered with N or
// less). Names are matched case-insensitively; values may be quoted.
std::variant<std::optional<PmdParams>, std::error_code> parse_pmd_response(
    std::string_view header, const PmdParams& offered);

// Server side: answers the client's offers in `header` (Sec-WebSocket-Extensions, several lines
// joined with ","): the first permessage-deflate offer whose parameters are valid is accepted,
// combined with our `preferences` (server_no_context_takeover and client_no_context_takeover are
// set when either side asks; server_max_window_bits is the smaller of the client's request and
// ours; client_max_window_bits is ours when the client offered it). nullopt when no offer is
// acceptable (the connection then goes uncompressed).
std::optional<PmdParams> negotiate_pmd_offer(std::string_view header, const PmdParams& preferences);

// The Sec-WebSocket-Extensions response value for an agreement made by negotiate_pmd_offer().
std::string make_pmd_response(const PmdParams& agreed);

// Decompresses the compressed messages (RSV1 set) one side receives on a connection. Movable.
class PmdInflater {
 public:
  // Receive side of a connection with the agreed `p`: a client decodes what the server sends
  // (server_no_context_takeover, server_max_window_bits apply), a server what the client sends.
  // A message that inflates to more than `max_message_bytes` fails with output_too_large.
  PmdInflater(const PmdParams& p, bool we_are_client, std::size_t max_message_bytes);

  // Decompresses one complete message payload (RFC 7692 section 7.2.2: append 00 00 ff ff, raw
  // inflate) into `out`, replacing its contents. Messages ending in a BFINAL block are accepted
  // (section 7.2.3.3) and keep the shared window. Errors: data_error (corrupt, or not ending at a
  // block boundary), output_too_large, init_failed; any error is final for the connection.
  std::error_code decompress(std::string_view message, std::string& out);

 private:
  std::error_code feed(std::string_view data, int flush, std::string& out);

  Inflater inflater_;        // raw, with the sender's window
  bool reset_each_ = false;  // the sender uses no_context_takeover
};

// Compresses the messages one side sends (used by tests and benchmarks, and later by our RFC 8441
// server). Movable.
class PmdDeflater {
 public:
  // Send side of a connection with the agreed `p`: a client compresses with
  // client_no_context_takeover / client_max_window_bits, a server with the server_* ones.
  // `level` and `mem_level` as in DeflateParams.
  PmdDeflater(const PmdParams& p, bool we_are_client, int level = 6, int mem_level = 8);

  // Compresses one message into `out`, replacing its contents: raw deflate, Z_SYNC_FLUSH, with the
  // trailing 00 00 ff ff removed (an empty result is sent as the single byte 00, section
  // 7.2.3.6). Resets the compressor afterwards when our side has no_context_takeover. Errors:
  // those of Deflater (bad_parameters for out-of-range level or window).
  std::error_code compress(std::string_view message, std::string& out);

  // Bytes of zlib state, as Deflater::memory_estimate().
  std::size_t memory_estimate() const { return deflater_.memory_estimate(); }

 private:
  Deflater deflater_;        // raw, with our window
  bool reset_each_ = false;  // our side uses no_context_takeover
};

}  // namespace pushbench::compress
