#include "core/contract/workload.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace pushbench {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

}  // namespace

std::string format_number(double v) {
  // Fixed notation: the largest finite double needs 309 digits before the point.
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (r.ec != std::errc{}) return "nan";
  return std::string(buf, r.ptr);
}

std::optional<std::string> url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::variant<StreamSpec, std::string> StreamSpec::parse_query(std::string_view query) {
  StreamSpec spec;
  std::string error;
  const bool ok = for_each_query_param(query, [&](const std::string& k, const std::string& v) {
    if (!error.empty()) return;
    if (k == "rate") {
      if (!parse_number(v, spec.rate) || !std::isfinite(spec.rate) || spec.rate <= 0 ||
          spec.rate > max_rate)
        error = "rate must be a number in (0, 1e6] events/s, got '" + v + "'";
    } else if (k == "size") {
      if (!parse_number(v, spec.size) || spec.size > max_event_bytes)
        error = "size must be an integer in [0, 1048576] bytes, got '" + v + "'";
    } else if (k == "payload") {
      auto kind = parse_payload_kind(v);
      if (!kind)
        error = "payload must be json, text, random or file, got '" + v + "'";
      else
        spec.payload = *kind;
    } else if (k == "count") {
      std::uint64_t n = 0;
      if (!parse_number(v, n) || n > 1'000'000'000'000ull)
        error = "count must be an integer in [0, 1e12], got '" + v + "'";
      else
        spec.count = n;
    } else if (k == "duration") {
      double d = 0;
      if (!parse_number(v, d) || !std::isfinite(d) || d <= 0 || d > 86400)
        error = "duration must be a number of seconds in (0, 86400], got '" + v + "'";
      else
        spec.duration_s = d;
    } else if (k == "keepalive") {
      double ka = 0;
      if (!parse_number(v, ka) || !std::isfinite(ka) || ka < 0.01 || ka > 3600)
        error = "keepalive must be a number of seconds in [0.01, 3600], got '" + v + "'";
      else
        spec.keepalive_s = ka;
    } else if (k == "topic") {
      if (v.empty() || v.size() > 64)
        error = "topic must be 1 to 64 characters";
      else
        spec.topic = v;
    } else if (k == "stream") {
      if (v.empty() || v.size() > 64)
        error = "stream must be 1 to 64 characters";
      else
        spec.stream_id = v;
    } else if (k == "last_seq") {
      std::uint64_t n = 0;
      if (!parse_number(v, n))
        error = "last_seq must be an event number, got '" + v + "'";
      else
        spec.last_seq = n;
    } else if (k == "drop_after") {
      double d = 0;
      if (!parse_number(v, d) || !std::isfinite(d) || d <= 0 || d > 86400)
        error = "drop_after must be a number of seconds in (0, 86400], got '" + v + "'";
      else
        spec.drop_after_s = d;
    } else if (k == "echo") {
      if (v != "0" && v != "1")
        error = "echo must be 0 or 1, got '" + v + "'";
      else
        spec.echo = v == "1";
    } else if (k == "retry") {
      std::uint64_t n = 0;
      if (!parse_number(v, n) || n > 3'600'000)
        error = "retry must be milliseconds in [0, 3600000], got '" + v + "'";
      else
        spec.retry_ms = n;
    } else if (k == "epoch") {
      std::int64_t ns = 0;
      if (!parse_number(v, ns) || ns <= 0)
        error = "epoch must be a positive integer of nanoseconds since the Unix epoch, got '" +
                v + "'";
      else
        spec.epoch_ns = ns;
    } else {
      error = "unknown parameter '" + k +
              "' (known: rate, size, payload, count, duration, topic, keepalive, stream, "
              "last_seq, drop_after, retry, echo, epoch)";
    }
  });
  if (!ok) return std::string("malformed percent-escape in query string");
  if (!error.empty()) return error;
  return spec;
}

std::string StreamSpec::to_query() const {
  std::string q = "rate=" + format_number(rate) + "&size=" + std::to_string(size) +
                  "&payload=" + std::string(to_string(payload));
  if (count) q += "&count=" + std::to_string(*count);
  if (duration_s) q += "&duration=" + format_number(*duration_s);
  if (topic) q += "&topic=" + url_encode(*topic);
  if (keepalive_s) q += "&keepalive=" + format_number(*keepalive_s);
  if (stream_id) q += "&stream=" + url_encode(*stream_id);
  if (last_seq) q += "&last_seq=" + std::to_string(*last_seq);
  if (drop_after_s) q += "&drop_after=" + format_number(*drop_after_s);
  if (retry_ms) q += "&retry=" + std::to_string(*retry_ms);
  if (echo) q += "&echo=1";
  if (epoch_ns) q += "&epoch=" + std::to_string(*epoch_ns);
  return q;
}

std::int64_t StreamSpec::first_due_ns(std::int64_t now_ns) const {
  if (!epoch_ns || now_ns <= *epoch_ns) return epoch_ns ? *epoch_ns : now_ns;
  const std::int64_t period = std::max<std::int64_t>(1, period_ns());
  const std::int64_t k = (now_ns - *epoch_ns + period - 1) / period;
  return *epoch_ns + k * period;
}

std::string raw_handshake_line(const StreamSpec& spec) {
  return "PUSHBENCH/1 " + spec.to_query() + "\n";
}

std::optional<std::string_view> parse_raw_handshake(std::string_view line) {
  constexpr std::string_view kPrefix = "PUSHBENCH/1 ";
  if (line.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  line.remove_prefix(kPrefix.size());
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace pushbench
