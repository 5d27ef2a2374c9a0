#pragma once
// HTTP content-coding negotiation for SSE responses (RFC 9110 section 12.5.3).
#include <optional>
#include <string_view>

#include "core/codec/deflate.hpp"
#include "servers/stream/context.hpp"

namespace pushbench::server {

/// The coding to use for a response given the request's Accept-Encoding: gzip when acceptable
/// (explicitly or through "*"), else deflate (zlib format), else nullopt (identity). A coding with
/// q=0 is not acceptable; malformed elements are ignored.
std::optional<compress::Format> choose_content_coding(std::string_view accept_encoding);

/// "gzip" or "deflate" for a Content-Encoding header.
std::string_view content_coding_name(compress::Format f);

/// The compressor of one SSE response with the configured level, window and memLevel; nullopt
/// when zlib refuses the parameters (the response is then sent as identity).
std::optional<compress::Deflater> make_sse_deflater(const ServerConfig& config, compress::Format f);

/// Compresses one SSE event (or comment) so the client can decode it at once: a sync flush that
/// keeps the context, or a full flush per event with --sse-reset-per-event. Appends to `out`.
std::error_code compress_sse_event(const ServerConfig& config, compress::Deflater& deflater,
                                   std::string_view text, std::string& out);

}  // namespace pushbench::server
