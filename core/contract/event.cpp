#include "core/contract/event.hpp"

#include <array>
#include <charconv>
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

template <typename Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

constexpr std::array<std::string_view, 12> kSymbols = {
    "AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "BRK.B", "JPM", "V", "XOM", "UNH"};
constexpr std::array<std::string_view, 32> kWords = {
    "the",    "market", "opened",  "higher", "as",     "traders", "weighed",  "fresh",
    "data",   "on",     "prices",  "and",    "jobs",   "while",   "bonds",    "held",
    "steady", "after",  "a",       "quiet",  "week",   "of",      "earnings", "with",
    "tech",   "shares", "leading", "gains",  "across", "most",    "sectors",  "today"};
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends one ticker record such as {"sym":"AAPL","px":187.23,"qty":300,"side":"buy"}.
void append_ticker_record(std::string& out, std::uint64_t r) {
  out += "{\"sym\":\"";
  out += kSymbols[r % kSymbols.size()];
  out += "\",\"px\":";
  append_int(out, 50 + (r >> 8) % 450);
  out += '.';
  const auto cents = (r >> 20) % 100;
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
  out += ",\"qty\":";
  append_int(out, ((r >> 28) % 50 + 1) * 100);
  out += ",\"side\":\"";
  out += ((r >> 40) & 1) ? "buy" : "sell";
  out += "\"}";
}

/// Fills exactly `n` bytes of string-safe padding (no quote, backslash, CR or LF).
void append_padding(std::string& out, PayloadKind kind, std::uint64_t seed, std::size_t n) {
  const std::size_t end = out.size() + n;
  std::uint64_t state = mix(seed);
  switch (kind) {
    case PayloadKind::random:
      while (out.size() < end) {
        state = mix(state);
        for (int i = 0; i < 10 && out.size() < end; ++i) out += kBase64[(state >> (i * 6)) & 63];
      }
      break;
    case PayloadKind::text:
    case PayloadKind::json:
    case PayloadKind::file:
      while (out.size() < end) {
        state = mix(state);
        const auto w = kWords[state % kWords.size()];
        const std::size_t room = end - out.size();
        out.append(w.data(), std::min(room, w.size()));
        if (out.size() < end) out += ' ';
      }
      break;
  }
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
  const std::size_t start = out.size();
  out += kSeqKey;
  append_int(out, h.seq);
  out += kTsKey;
  append_int(out, h.ts);
  if (h.st) {
    out += kStKey;
    append_int(out, *h.st);
  }
  if (kind == PayloadKind::file && lines && !lines->empty()) {
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
  const std::size_t used = out.size() - start;
  if (size < used + fixed) {
    out += '}';
    return;
  }
  std::size_t budget = size - used - fixed;  // bytes left for records and padding
  if (kind == PayloadKind::json && budget > 80) {
    std::string rows = ",\"rows\":[";
    std::uint64_t r = mix(h.seq);
    std::string rec;
    for (;;) {
      rec.clear();
      r = mix(r);
      append_ticker_record(rec, r);
      const std::size_t add = rec.size() + (rows.size() > 9 ? 1 : 0);
      if (rows.size() + add + 1 > budget) break;
      if (rows.size() > 9) rows += ',';
      rows += rec;
    }
    if (rows.size() > 9) {
      rows += ']';
      out += rows;
      budget -= rows.size();
    }
  }
  out += kPadOpen;
  append_padding(out, kind, h.seq, budget);
  out += kClose;
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
