#include "servers/codec/content_coding.hpp"

#include "core/base/text.hpp"

#include <cctype>
#include <charconv>
#include <string>

namespace pushbench::server {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}


/// The q-value of one element's parameters; 1 when absent, nullopt when malformed.
std::optional<double> q_value(std::string_view params) {
  double q = 1;
  while (!params.empty()) {
    const auto semi = params.find(';');
    const auto param = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      const auto v = param.substr(2);
      auto r = std::from_chars(v.data(), v.data() + v.size(), q);
      if (r.ec != std::errc{} || r.ptr != v.data() + v.size() || q < 0 || q > 1)
        return std::nullopt;
    }
  }
  return q;
}

}  // namespace

std::optional<compress::Format> choose_content_coding(std::string_view accept_encoding) {
  double gzip_q = 0, deflate_q = 0, star_q = -1;
  bool gzip_named = false, deflate_named = false;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const auto element = trim(accept_encoding.substr(0, comma));
    accept_encoding =
        comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const auto semi = element.find(';');
    const auto coding = trim(element.substr(0, semi));
    const auto q = q_value(semi == std::string_view::npos ? std::string_view{}
                                                          : element.substr(semi + 1));
    if (!q) continue;
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      gzip_q = std::max(gzip_q, *q);
      gzip_named = true;
    } else if (iequals(coding, "deflate")) {
      deflate_q = std::max(deflate_q, *q);
      deflate_named = true;
    } else if (coding == "*") {
      star_q = *q;
    }
  }
  if (!gzip_named && star_q > 0) gzip_q = star_q;
  if (!deflate_named && star_q > 0) deflate_q = star_q;
  if (gzip_q > 0 && gzip_q >= deflate_q) return compress::Format::gzip;
  if (deflate_q > 0) return compress::Format::zlib;
  return std::nullopt;
}

std::string_view content_coding_name(compress::Format f) {
  return f == compress::Format::gzip ? "gzip" : "deflate";
}

std::optional<compress::Deflater> make_sse_deflater(const ServerConfig& config, compress::Format f) {
  compress::Deflater d(f, compress::DeflateParams{config.deflate_level, config.deflate_window_bits,
                                                  config.deflate_mem_level});
  if (!d.ok()) return std::nullopt;
  return d;
}

std::error_code compress_sse_event(const ServerConfig& config, compress::Deflater& deflater,
                                   std::string_view text, std::string& out) {
  return config.sse_reset_per_event ? deflater.compress_full_flush(text, out)
                                    : deflater.compress_flush(text, out);
}

}  // namespace pushbench::server
