#include "loadgen/protocol/errors.hpp"

#include <string>

namespace pushbench::loadgen {

std::string_view error_kind(LoadErrc e) noexcept {
  switch (e) {
    case LoadErrc::connect_failed: return "connect_failed";
    case LoadErrc::connect_timeout: return "connect_timeout";
    case LoadErrc::http_status: return "http_status";
    case LoadErrc::bad_content_type: return "bad_content_type";
    case LoadErrc::bad_handshake: return "bad_handshake";
    case LoadErrc::protocol_error: return "protocol_error";
    case LoadErrc::event_too_large: return "event_too_large";
    case LoadErrc::unexpected_eof: return "unexpected_eof";
    case LoadErrc::read_error: return "read_error";
    case LoadErrc::write_error: return "write_error";
    case LoadErrc::payload_mismatch: return "payload_mismatch";
    case LoadErrc::server_closed: return "server_closed";
    case LoadErrc::decompress_error: return "decompress_error";
    case LoadErrc::unsupported_encoding: return "unsupported_encoding";
    case LoadErrc::tls_handshake: return "tls_handshake";
    case LoadErrc::alpn_mismatch: return "alpn_mismatch";
    case LoadErrc::stream_reset: return "stream_reset";
    case LoadErrc::no_extended_connect: return "no_extended_connect";
    case LoadErrc::goaway: return "goaway";
  }
  return "unknown";
}

namespace {
/// The line at the start of `s` (without CR/LF), printable, cut at `max` characters.
std::string first_line(std::string_view s, std::size_t max) {
  std::string line;
  for (char c : s) {
    if (c == '\r' || c == '\n' || line.size() == max) break;
    line += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return line;
}
}  // namespace

std::string describe_rejection(std::string_view head) {
  constexpr std::size_t kMax = 160;
  std::string cause = first_line(head, kMax);
  if (cause.rfind("HTTP/", 0) != 0) return cause;  // a raw ERROR line, or nothing
  const auto body = head.find("\r\n\r\n");
  if (body == std::string_view::npos) return cause;
  const std::string text = first_line(head.substr(body + 4), kMax);
  if (!text.empty()) cause += ": " + text;
  return cause;
}

const std::error_category& load_category() noexcept {
  struct Category final : std::error_category {
    const char* name() const noexcept override { return "pushbench-load"; }
    std::string message(int ev) const override {
      return std::string(error_kind(static_cast<LoadErrc>(ev)));
    }
  };
  static const Category category;
  return category;
}

}  // namespace pushbench::loadgen
