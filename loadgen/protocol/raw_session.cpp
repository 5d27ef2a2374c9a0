#include "loadgen/protocol/raw_session.hpp"

#include <cstring>

#include "loadgen/protocol/errors.hpp"

namespace pushbench::loadgen {

RawSession::RawSession(const StreamSpec& spec, const SessionOptions& options,
                       SessionHandler& handler)
    : spec_(spec), handler_(handler), max_line_(options.max_event_bytes) {}

std::error_code RawSession::on_line(std::string_view line) {
  if (line.empty()) return {};  // a keep-alive
  if (first_line_) {
    first_line_ = false;
    if (line.rfind("ERROR ", 0) == 0) return LoadErrc::bad_handshake;
    handler_.on_established();
  }
  handler_.on_event(0, line, "message", {});
  return {};
}

std::error_code RawSession::on_read(std::string_view bytes, std::string&) {
  while (!bytes.empty()) {
    const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
    if (!nl) {
      if (partial_.size() + bytes.size() > max_line_) return LoadErrc::event_too_large;
      partial_.append(bytes);
      return {};
    }
    const auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data());
    std::error_code ec;
    if (partial_.empty()) {
      ec = on_line(bytes.substr(0, len));
    } else {
      if (partial_.size() + len > max_line_) return LoadErrc::event_too_large;
      partial_.append(bytes.substr(0, len));
      ec = on_line(partial_);
      partial_.clear();
    }
    if (ec) return ec;
    bytes.remove_prefix(len + 1);
  }
  return {};
}

std::error_code RawSession::on_eof() {
  if (!partial_.empty()) return LoadErrc::unexpected_eof;
  finished_ = true;
  return {};
}

}  // namespace pushbench::loadgen
