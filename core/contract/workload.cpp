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

namespace {

/// Why `v` is no valid value of a query parameter, or nullopt once it is stored in `spec`.
using QueryError = std::optional<std::string>;

/// A number of seconds in (0, 86400] (`duration`, `drop_after`) into `field`.
QueryError set_seconds_in_a_day(const std::string& v, const char* key,
                                std::optional<double>& field) {
  double d = 0;
  if (!parse_number(v, d) || !std::isfinite(d) || d <= 0 || d > 86400)
    return std::string(key) + " must be a number of seconds in (0, 86400], got '" + v + "'";
  field = d;
  return std::nullopt;
}

QueryError set_rate(const std::string& v, StreamSpec& spec) {
  if (parse_number(v, spec.rate) && std::isfinite(spec.rate) && spec.rate > 0 &&
      spec.rate <= StreamSpec::max_rate)
    return std::nullopt;
  return "rate must be a number in (0, 1e6] events/s, got '" + v + "'";
}

QueryError set_size(const std::string& v, StreamSpec& spec) {
  if (parse_number(v, spec.size) && spec.size <= StreamSpec::max_event_bytes) return std::nullopt;
  return "size must be an integer in [0, 1048576] bytes, got '" + v + "'";
}

QueryError set_payload(const std::string& v, StreamSpec& spec) {
  auto kind = parse_payload_kind(v);
  if (!kind) return "payload must be json, text, random or file, got '" + v + "'";
  spec.payload = *kind;
  return std::nullopt;
}

QueryError set_count(const std::string& v, StreamSpec& spec) {
  std::uint64_t n = 0;
  if (!parse_number(v, n) || n > 1'000'000'000'000ull)
    return "count must be an integer in [0, 1e12], got '" + v + "'";
  spec.count = n;
  return std::nullopt;
}

QueryError set_duration(const std::string& v, StreamSpec& spec) {
  return set_seconds_in_a_day(v, "duration", spec.duration_s);
}

QueryError set_keepalive(const std::string& v, StreamSpec& spec) {
  double ka = 0;
  if (!parse_number(v, ka) || !std::isfinite(ka) || ka < 0.01 || ka > 3600)
    return "keepalive must be a number of seconds in [0.01, 3600], got '" + v + "'";
  spec.keepalive_s = ka;
  return std::nullopt;
}

/// A name of 1 to 64 characters (`topic`, `stream`) into `field`.
QueryError set_name(const std::string& v, const char* key, std::optional<std::string>& field) {
  if (v.empty() || v.size() > 64) return std::string(key) + " must be 1 to 64 characters";
  field = v;
  return std::nullopt;
}

QueryError set_topic(const std::string& v, StreamSpec& spec) {
  return set_name(v, "topic", spec.topic);
}

QueryError set_stream(const std::string& v, StreamSpec& spec) {
  return set_name(v, "stream", spec.stream_id);
}

QueryError set_last_seq(const std::string& v, StreamSpec& spec) {
  std::uint64_t n = 0;
  if (!parse_number(v, n)) return "last_seq must be an event number, got '" + v + "'";
  spec.last_seq = n;
  return std::nullopt;
}

QueryError set_drop_after(const std::string& v, StreamSpec& spec) {
  return set_seconds_in_a_day(v, "drop_after", spec.drop_after_s);
}

QueryError set_echo(const std::string& v, StreamSpec& spec) {
  if (v != "0" && v != "1") return "echo must be 0 or 1, got '" + v + "'";
  spec.echo = v == "1";
  return std::nullopt;
}

QueryError set_retry(const std::string& v, StreamSpec& spec) {
  std::uint64_t n = 0;
  if (!parse_number(v, n) || n > 3'600'000)
    return "retry must be milliseconds in [0, 3600000], got '" + v + "'";
  spec.retry_ms = n;
  return std::nullopt;
}

QueryError set_epoch(const std::string& v, StreamSpec& spec) {
  std::int64_t ns = 0;
  if (!parse_number(v, ns) || ns <= 0)
    return "epoch must be a positive integer of nanoseconds since the Unix epoch, got '" + v + "'";
  spec.epoch_ns = ns;
  return std::nullopt;
}

/// One query parameter of the workload: its name and the function that checks and stores it.
struct QueryParam {
  std::string_view key;                                       ///< the parameter's name
  QueryError (*set)(const std::string& v, StreamSpec& spec);  ///< checks `v`, stores it
};

constexpr QueryParam kQueryParams[] = {
    {"rate", set_rate},         {"size", set_size},
    {"payload", set_payload},   {"count", set_count},
    {"duration", set_duration}, {"keepalive", set_keepalive},
    {"topic", set_topic},       {"stream", set_stream},
    {"last_seq", set_last_seq}, {"drop_after", set_drop_after},
    {"echo", set_echo},         {"retry", set_retry},
    {"epoch", set_epoch},
};

/// Checks and stores one parameter `k`=`v` in `spec`; an unknown `k` is an error.
QueryError set_query_param(const std::string& k, const std::string& v, StreamSpec& spec) {
  for (const auto& param : kQueryParams) {
    if (param.key == k) return param.set(v, spec);
  }
  return "unknown parameter '" + k +
         "' (known: rate, size, payload, count, duration, topic, keepalive, stream, "
         "last_seq, drop_after, retry, echo, epoch)";
}

}  // namespace

std::variant<StreamSpec, std::string> StreamSpec::parse_query(std::string_view query) {
  StreamSpec spec;
  QueryError error;
  const bool ok = for_each_query_param(query, [&](const std::string& k, const std::string& v) {
    if (!error) error = set_query_param(k, v, spec);
  });
  if (!ok) return std::string("malformed percent-escape in query string");
  if (error) return *error;
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
