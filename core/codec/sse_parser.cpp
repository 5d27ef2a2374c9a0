#include "core/codec/sse_parser.hpp"

#include <algorithm>
#include <limits>

#include "core/base/text.hpp"

namespace pushbench::sse {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kDefaultType = "message";

class ParseErrorCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sse"; }

  std::string message(int ev) const override {
    switch (static_cast<ParseError>(ev)) {
      case ParseError::line_too_long:
        return "event-stream line too long";
    }
    return "unknown sse parse error";
  }
};

// Parses a non-empty all-digit value, saturating on overflow; nullopt if any byte is not a digit.
std::optional<std::uint64_t> parse_retry(std::string_view value) {
  if (value.empty()) return std::nullopt;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t ms = 0;
  bool saturated = false;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (ms > (kMax - digit) / 10) saturated = true;
    if (!saturated) ms = ms * 10 + digit;
  }
  return saturated ? kMax : ms;
}

}  // namespace

const std::error_category& parse_error_category() noexcept {
  static const ParseErrorCategory category;
  return category;
}

std::error_code make_error_code(ParseError e) noexcept {
  return {static_cast<int>(e), parse_error_category()};
}

Parser::Parser(Handler& handler, std::size_t max_line_bytes)
    : handler_(handler), max_line_bytes_(max_line_bytes) {}

std::error_code Parser::feed(std::string_view bytes) {
  if (error_) return error_;
  if (!bom_checked_) {
    while (bom_matched_ < kBom.size() && !bytes.empty() && bytes.front() == kBom[bom_matched_]) {
      ++bom_matched_;
      bytes.remove_prefix(1);
    }
    if (bom_matched_ == kBom.size()) {
      bom_checked_ = true;
    } else if (bytes.empty()) {
      return error_;  // Still a possible BOM prefix; wait for more bytes.
    } else {
      bom_checked_ = true;
      // The held-back bytes were a false start: they are ordinary line content.
      consume(kBom.substr(0, bom_matched_));
      if (error_) return error_;
    }
  }
  consume(bytes);
  return error_;
}

void Parser::reset() {
  partial_line_.clear();
  data_.clear();
  type_.clear();
  bom_matched_ = 0;
  bom_checked_ = false;
  skip_lf_ = false;
  error_.clear();
}

void Parser::consume(std::string_view in) {
  const std::size_t n = in.size();
  std::size_t pos = 0;
  if (skip_lf_ && n > 0) {
    skip_lf_ = false;
    if (in[0] == '\n') pos = 1;
  }
  // Cached positions of the next LF and CR at or after `pos` (n when absent), so that each byte
  // is scanned at most once per terminator kind even for CR-only or LF-only streams.
  std::size_t next_lf = find_byte(in, pos, '\n');
  std::size_t next_cr = find_byte(in, pos, '\r');
  while (pos < n) {
    const std::size_t eol = std::min(next_lf, next_cr);
    if (eol == n) {
      if (partial_line_.size() + (n - pos) > max_line_bytes_)
        return fail(ParseError::line_too_long);
      partial_line_.append(in.data() + pos, n - pos);
      return;
    }
    const std::size_t len = eol - pos;
    if (partial_line_.empty()) {
      if (len > max_line_bytes_) return fail(ParseError::line_too_long);
      process_line(in.substr(pos, len));
    } else {
      if (partial_line_.size() + len > max_line_bytes_) return fail(ParseError::line_too_long);
      partial_line_.append(in.data() + pos, len);
      process_line(partial_line_);
      partial_line_.clear();
    }
    pos = eol + 1;
    if (in[eol] == '\r') {
      if (pos == n) {
        skip_lf_ = true;
      } else if (in[pos] == '\n') {
        ++pos;
      }
    }
    if (next_lf < pos) next_lf = find_byte(in, pos, '\n');
    if (next_cr < pos) next_cr = find_byte(in, pos, '\r');
  }
}

void Parser::process_line(std::string_view line) {
  if (line.empty()) return dispatch();
  const std::size_t colon = line.find(':');
  if (colon == 0) return handler_.on_comment(line.substr(1));
  if (colon == std::string_view::npos) return process_field(line, {});
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  process_field(line.substr(0, colon), value);
}

void Parser::process_field(std::string_view name, std::string_view value) {
  if (name == "data") {
    data_.append(value);
    data_.push_back('\n');
  } else if (name == "event") {
    type_.assign(value);
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) last_event_id_.assign(value);
  } else if (name == "retry") {
    if (const auto ms = parse_retry(value)) {
      retry_ms_ = ms;
      handler_.on_retry(*ms);
    }
  }
}

void Parser::dispatch() {
  if (data_.empty()) {
    type_.clear();
    return;
  }
  Event ev;
  ev.type = type_.empty() ? kDefaultType : std::string_view(type_);
  ev.data = std::string_view(data_).substr(0, data_.size() - 1);
  ev.id = last_event_id_;
  ++events_dispatched_;
  handler_.on_event(ev);
  data_.clear();
  type_.clear();
}

}  // namespace pushbench::sse
