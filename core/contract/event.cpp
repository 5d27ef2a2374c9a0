#include "core/contract/event.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/base/decimal.hpp"
#include "core/base/enum_names.hpp"

namespace pushbench {
namespace {

constexpr std::string_view kSeqKey = "{\"seq\":";
constexpr std::string_view kTsKey = ",\"ts\":";
constexpr std::string_view kStKey = ",\"st\":";

/// splitmix64: a small, well-mixed deterministic generator for reproducible padding.
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// Writes `text` at `p`; returns the end.
char* put(char* p, std::string_view text) noexcept {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

constexpr std::array<std::string_view, 12> kSymbols = {
    "AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "BRK.B", "JPM", "V", "XOM", "UNH"};
constexpr std::array<std::string_view, 32> kWords = {
    "the",    "market", "opened",  "higher", "as",     "traders", "weighed",  "fresh",
    "data",   "on",     "prices",  "and",    "jobs",   "while",   "bonds",    "held",
    "steady", "after",  "a",       "quiet",  "week",   "of",      "earnings", "with",
    "tech",   "shares", "leading", "gains",  "across", "most",    "sectors",  "today"};
/// kWords, each in eight bytes (zero-filled), so that a word is one fixed-size copy.
constexpr auto kWordBytes = [] {
  std::array<std::array<char, 8>, kWords.size()> bytes{};
  for (std::size_t i = 0; i < kWords.size(); ++i) {
    for (std::size_t j = 0; j < kWords[i].size(); ++j) bytes[i][j] = kWords[i][j];
  }
  return bytes;
}();
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// The longest ticker record ({"sym":"BRK.B","px":499.99,"qty":5000,"side":"sell"} is 52).
constexpr std::size_t kMaxRecordBytes = 64;

/// Writes one ticker record such as {"sym":"AAPL","px":187.23,"qty":300,"side":"buy"} at `p`
/// (room for kMaxRecordBytes); returns the end.
char* put_ticker_record(char* p, std::uint64_t r) noexcept {
  p = put(p, "{\"sym\":\"");
  p = put(p, kSymbols[r % kSymbols.size()]);
  p = put(p, "\",\"px\":");
  p = format_decimal(p, std::uint64_t{50 + (r >> 8) % 450});
  *p++ = '.';
  const auto cents = static_cast<std::uint32_t>((r >> 20) % 100);
  detail::put2(p, cents);
  p = put(p + 2, ",\"qty\":");
  p = format_decimal(p, std::uint64_t{((r >> 28) % 50 + 1) * 100});
  p = put(p, ",\"side\":\"");
  p = put(p, ((r >> 40) & 1) ? "buy" : "sell");
  return put(p, "\"}");
}

/// Fills [p, end) with string-safe padding (no quote, backslash, CR or LF).
void put_padding(char* p, char* end, PayloadKind kind, std::uint64_t seed) noexcept {
  std::uint64_t state = mix(seed);
  if (kind == PayloadKind::random) {
    while (p < end) {
      state = mix(state);
      for (int i = 0; i < 10 && p < end; ++i) *p++ = kBase64[(state >> (i * 6)) & 63];
    }
    return;
  }
  while (p < end) {
    state = mix(state);
    const std::size_t w = state % kWords.size();
    const std::size_t n = kWords[w].size();
    if (end - p > 8) {
      std::memcpy(p, kWordBytes[w].data(), 8);  // the bytes past the word are written next
      p += n;
    } else {
      const auto room = static_cast<std::size_t>(end - p);
      p = put(p, kWords[w].substr(0, std::min(room, n)));
    }
    if (p < end) *p++ = ' ';
  }
}

/// Writes the records of a json event's ,"rows":[...] within `budget` bytes at `p`, as many as
/// fit; returns the end (`p` itself when not even one fits).
char* put_rows(char* p, std::uint64_t seq, std::size_t budget) noexcept {
  constexpr std::string_view kOpen = ",\"rows\":[";
  char* const first = p;
  p = put(p, kOpen);
  std::uint64_t r = mix(seq);
  char rec[kMaxRecordBytes];
  for (;;) {
    r = mix(r);
    const auto n = static_cast<std::size_t>(put_ticker_record(rec, r) - rec);
    const bool more = static_cast<std::size_t>(p - first) > kOpen.size();
    if (static_cast<std::size_t>(p - first) + n + (more ? 1 : 0) + 1 > budget) break;
    if (more) *p++ = ',';
    p = put(p, {rec, n});
  }
  if (static_cast<std::size_t>(p - first) == kOpen.size()) return first;
  *p++ = ']';
  return p;
}

}  // namespace

namespace {
constexpr EnumName<PayloadKind> kPayloadKinds[] = {{PayloadKind::json, "json"},
                                                   {PayloadKind::text, "text"},
                                                   {PayloadKind::random, "random"},
                                                   {PayloadKind::file, "file"}};
}  // namespace

std::optional<PayloadKind> parse_payload_kind(std::string_view s) {
  return enum_parse(kPayloadKinds, s);
}

std::string_view to_string(PayloadKind k) { return enum_name(kPayloadKinds, k); }

std::vector<std::string> payload_kind_names() { return enum_spellings(kPayloadKinds); }

std::optional<EventHeader> parse_event_header(std::string_view data) noexcept {
  if (data.substr(0, kSeqKey.size()) != kSeqKey) return std::nullopt;
  const char* p = data.data() + kSeqKey.size();
  const char* end = data.data() + data.size();
  EventHeader h;
  auto r = parse_decimal(p, end, h.seq);
  if (r.ec != std::errc{}) return std::nullopt;
  p = r.ptr;
  if (std::string_view(p, end - p).substr(0, kTsKey.size()) != kTsKey) return std::nullopt;
  p += kTsKey.size();
  r = parse_decimal(p, end, h.ts);
  if (r.ec != std::errc{}) return std::nullopt;
  p = r.ptr;
  if (std::string_view(p, end - p).substr(0, kStKey.size()) == kStKey) {
    std::int64_t st = 0;
    r = parse_decimal(p + kStKey.size(), end, st);
    if (r.ec != std::errc{}) return std::nullopt;
    h.st = st;
  }
  return h;
}

std::variant<PayloadLines, std::string> read_payload_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "cannot read payload file '" + path + "'";
  PayloadLines lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find('\r') != std::string::npos) return "payload file '" + path + "' has a bare CR";
    if (!line.empty()) lines.push_back(std::move(line));
  }
  if (lines.empty()) return "payload file '" + path + "' has no non-empty line";
  return lines;
}

void append_event_data(std::string& out, const EventHeader& h, PayloadKind kind, std::size_t size,
                       const PayloadLines* lines) {
  // The header and the data's final length are known before any padding is made, so the data is
  // written in place: the longest header (79 characters with st) and '}' or, when padded,
  // exactly `size` bytes.
  constexpr std::size_t kMaxHeader = 80;
  const std::size_t start = out.size();
  // A file event's size is its line's, not `size`: its header only is written in place.
  const bool from_file = kind == PayloadKind::file && lines && !lines->empty();
  out.resize(start + (from_file ? kMaxHeader : std::max(size, kMaxHeader)));
  char* const base = out.data() + start;
  char* p = put(base, kSeqKey);
  p = format_decimal(p, h.seq);
  p = put(p, kTsKey);
  p = format_decimal(p, h.ts);
  if (h.st) {
    p = put(p, kStKey);
    p = format_decimal(p, *h.st);
  }
  if (from_file) {
    out.resize(start + static_cast<std::size_t>(p - base));
    const std::string& line = (*lines)[h.seq % lines->size()];
    out += ",\"msg\":";
    if (nlohmann::json::accept(line)) {
      out += line;
    } else {
      out += nlohmann::json(line).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    out += '}';
    return;
  }
  // Layout after the header: [,"rows":[rec,rec,...]] ,"p":"<padding>"}  — records only for json.
  constexpr std::string_view kPadOpen = ",\"p\":\"";
  constexpr std::string_view kClose = "\"}";
  const std::size_t fixed = kPadOpen.size() + kClose.size();
  const auto used = static_cast<std::size_t>(p - base);
  if (size < used + fixed) {
    *p++ = '}';
    out.resize(start + static_cast<std::size_t>(p - base));
    return;
  }
  std::size_t budget = size - used - fixed;  // bytes left for records and padding
  if (kind == PayloadKind::json && budget > 80) {
    char* const rows_end = put_rows(p, h.seq, budget);
    budget -= static_cast<std::size_t>(rows_end - p);
    p = rows_end;
  }
  p = put(p, kPadOpen);
  put_padding(p, p + budget, kind, h.seq);
  put(p + budget, kClose);
  out.resize(start + size);
}

bool verify_event_data(std::string_view data, PayloadKind kind, std::size_t size,
                       const PayloadLines* lines) {
  const auto h = parse_event_header(data);
  if (!h) return false;
  std::string expected;
  expected.reserve(data.size());
  append_event_data(expected, *h, kind, size, lines);
  return expected == data;
}

}  // namespace pushbench
