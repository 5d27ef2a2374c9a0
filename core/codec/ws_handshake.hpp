// RFC 6455 opening-handshake helpers: Sec-WebSocket-Key generation and Sec-WebSocket-Accept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pushbench::ws {

// Standard base64 (RFC 4648 section 4) with '=' padding.
std::string base64_encode(std::string_view data);

// Strict inverse of base64_encode: the length must be a multiple of 4, padding may only end
// the input, unused trailing bits must be zero, and no whitespace is accepted. Returns
// std::nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);

// A Sec-WebSocket-Key: 16 bytes derived deterministically from `seed`, base64 encoded
// (24 characters). Distinct seeds give distinct keys.
std::string make_client_key(std::uint64_t seed);

// True if `key` is a well-formed Sec-WebSocket-Key, i.e. base64 of exactly 16 bytes.
bool is_valid_client_key(std::string_view key);

// The Sec-WebSocket-Accept value for `client_key`: base64(SHA-1(key + RFC 6455 GUID)).
std::string accept_key(std::string_view client_key);

}  // namespace pushbench::ws
