#pragma once
// What compression a load-generator session asks for.
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include <nlohmann/json.hpp>

#include "loadgen/protocol/target.hpp"

namespace pushbench::loadgen {

enum class Compression {
  none,                ///< no Accept-Encoding, no extension offer
  gzip,                ///< SSE: Accept-Encoding: gzip
  deflate,             ///< SSE: Accept-Encoding: deflate (zlib format)
  permessage_deflate,  ///< WebSocket: RFC 7692 offer
};

/// Parses none | gzip | deflate | permessage-deflate.
std::optional<Compression> parse_compression(std::string_view s);
/// Every compression's spelling, "none" first.
std::vector<std::string> compression_names();
std::string_view to_string(Compression c);
/// The natural compression of a transport ("on" in suites; TransportInfo::natural_compression):
/// gzip for SSE, permessage-deflate for WebSocket, none for raw TCP.
Compression natural_compression(Transport t);
/// An error message when `c` does not apply to `t` (not in TransportInfo::compressions, e.g.
/// gzip on a WebSocket).
std::optional<std::string> check_compression(Compression c, Transport t);

struct CompressionOptions {
  Compression algorithm = Compression::none;
  int window_bits = 15;              ///< permessage-deflate: server_max_window_bits to request
  bool no_context_takeover = false;  ///< permessage-deflate: request both no_context_takeover
};

}  // namespace pushbench::loadgen
