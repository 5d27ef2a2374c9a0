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

Compression natural_compression(Protocol p) {
  switch (p) {
    case Protocol::sse: return Compression::gzip;
    case Protocol::ws: return Compression::permessage_deflate;
    case Protocol::raw: return Compression::none;
  }
  return Compression::none;
}

std::optional<std::string> check_compression(Compression c, Protocol p) {
  const bool ok = c == Compression::none ||
                  (p == Protocol::sse && (c == Compression::gzip || c == Compression::deflate)) ||
                  (p == Protocol::ws && c == Compression::permessage_deflate);
  if (ok) return std::nullopt;
  return "compression " + std::string(to_string(c)) + " does not apply to the " +
         std::string(to_string(p)) + " transport (SSE: gzip|deflate, WebSocket: " +
         "permessage-deflate, raw: none)";
}

}  // namespace pushbench::loadgen
