#include "loadgen/protocol/compression.hpp"

#include "core/base/enum_names.hpp"

namespace pushbench::loadgen {

namespace {
constexpr EnumName<Compression> kCompressions[] = {
    {Compression::none, "none"},
    {Compression::gzip, "gzip"},
    {Compression::deflate, "deflate"},
    {Compression::permessage_deflate, "permessage-deflate"}};
}  // namespace

std::optional<Compression> parse_compression(std::string_view s) {
  return enum_parse(kCompressions, s);
}

std::string_view to_string(Compression c) { return enum_name(kCompressions, c); }

std::vector<std::string> compression_names() { return enum_spellings(kCompressions); }

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
