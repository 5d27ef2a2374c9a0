#include "loadgen/compression.hpp"

namespace pushbench::loadgen {

std::optional<Compression> parse_compression(std::string_view s) {
  if (s == "none") return Compression::none;
  if (s == "gzip") return Compression::gzip;
  if (s == "deflate") return Compression::deflate;
  if (s == "permessage-deflate") return Compression::permessage_deflate;
  return std::nullopt;
}

std::string_view to_string(Compression c) {
  switch (c) {
    case Compression::none: return "none";
    case Compression::gzip: return "gzip";
    case Compression::deflate: return "deflate";
    case Compression::permessage_deflate: return "permessage-deflate";
  }
  return "?";
}

Compression natural_compression(Transport t) {
  return parse_compression(transport_info(t).natural_compression).value_or(Compression::none);
}

std::optional<std::string> check_compression(Compression c, Transport t) {
  if (c == Compression::none) return std::nullopt;
  for (const auto name : transport_info(t).compressions) {
    if (!name.empty() && name == to_string(c)) return std::nullopt;
  }
  return "compression " + std::string(to_string(c)) + " does not apply to the " +
         std::string(to_string(t)) + " transport (SSE: gzip|deflate, WebSocket: " +
         "permessage-deflate, raw: none)";
}

}  // namespace pushbench::loadgen
