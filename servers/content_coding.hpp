#pragma once
// HTTP content-coding negotiation for SSE responses (RFC 9110 section 12.5.3).
#include <optional>
#include <string_view>

#include "core/deflate.hpp"

namespace pushbench::server {

/// The coding to use for a response given the request's Accept-Encoding: gzip when acceptable
/// (explicitly or through "*"), else deflate (zlib format), else nullopt (identity). A coding with
/// q=0 is not acceptable; malformed elements are ignored.
std::optional<compress::Format> choose_content_coding(std::string_view accept_encoding);

/// "gzip" or "deflate" for a Content-Encoding header.
std::string_view content_coding_name(compress::Format f);

}  // namespace pushbench::server
