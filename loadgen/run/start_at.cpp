#include "loadgen/run/start_at.hpp"

#include <sys/timex.h>

#include <cerrno>
#include <charconv>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace pushbench::loadgen {

namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr std::int64_t kMaxLateNs = kNsPerS;               ///< a later start missed the barrier
constexpr std::int64_t kMaxAheadNs = 24 * 3600 * kNsPerS;  ///< a typo guard

/// Reads exactly `digits` decimal digits at `pos` into `out`, advancing `pos`.
bool take_digits(std::string_view s, std::size_t& pos, std::size_t digits, int& out) {
  if (pos + digits > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += digits;
  return true;
}

bool take_char(std::string_view s, std::size_t& pos, std::string_view allowed) {
  if (pos >= s.size() || allowed.find(s[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

/// RFC 3339 date-time to epoch ns; nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  std::size_t pos = 0;
  std::tm tm{};
  int year = 0, month = 0, day = 0;
  if (!take_digits(s, pos, 4, year) || !take_char(s, pos, "-") || !take_digits(s, pos, 2, month) ||
      !take_char(s, pos, "-") || !take_digits(s, pos, 2, day) || !take_char(s, pos, "Tt ") ||
      !take_digits(s, pos, 2, tm.tm_hour) || !take_char(s, pos, ":") ||
      !take_digits(s, pos, 2, tm.tm_min) || !take_char(s, pos, ":") ||
      !take_digits(s, pos, 2, tm.tm_sec)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 59) {
    return std::nullopt;
  }
  std::int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t scale = kNsPerS / 10;
    const std::size_t begin = pos;
    for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, scale /= 10) {
      frac_ns += (s[pos] - '0') * scale;
    }
    if (pos == begin) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (take_char(s, pos, "Zz")) {
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos++] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!take_digits(s, pos, 2, oh) || !take_char(s, pos, ":") || !take_digits(s, pos, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  std::tm check = tm;
  const std::time_t t = timegm(&tm);
  if (tm.tm_mday != check.tm_mday) return std::nullopt;  // e.g. 31 February
  return (static_cast<std::int64_t>(t) - offset_s) * kNsPerS + frac_ns;
}

const char* adjtimex_state(int state) {
  switch (state) {
    case TIME_OK:
      return "ok";
    case TIME_INS:
      return "leap second insert pending";
    case TIME_DEL:
      return "leap second delete pending";
    case TIME_OOP:
      return "leap second in progress";
    case TIME_WAIT:
      return "leap second occurred";
    default:
      return "unsynchronized";
  }
}

nlohmann::json kernel_clocksource() {
  std::ifstream in("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string name;
  if (!(in >> name)) return nullptr;
  return name;
}

}  // namespace

std::variant<std::int64_t, std::string> parse_start_at(std::string_view text) {
  const std::string what =
      "--start-at must be epoch nanoseconds or an RFC 3339 time such as "
      "2026-12-01T23:00:00Z, got '" +
      std::string(text) + "'";
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t ns = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ns);
    if (ec != std::errc() || end != text.data() + text.size()) return what;
    return ns;
  }
  if (auto ns = parse_rfc3339(text)) return *ns;
  return what;
}

RunStart begin_run(std::optional<std::int64_t> at_ns) {
  if (!at_ns) return {ClockAnchor::now(), std::nullopt, 0};
  const std::int64_t now = realtime_ns();
  if (*at_ns < now - kMaxLateNs) {
    throw std::runtime_error("--start-at lies " + std::to_string((now - *at_ns) / 1'000'000) +
                             " ms in the past: this shard missed the start (give every shard a "
                             "time far enough ahead)");
  }
  if (*at_ns > now + kMaxAheadNs) {
    throw std::runtime_error("--start-at lies more than 24 h ahead");
  }
  timespec ts{static_cast<std::time_t>(*at_ns / kNsPerS), static_cast<long>(*at_ns % kNsPerS)};
  while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
  const ClockAnchor woke = ClockAnchor::now();
  const std::int64_t skew = woke.realtime - *at_ns;
  // The anchor sits at the agreed instant itself, so that all shards share one schedule.
  return {{woke.steady - std::chrono::nanoseconds(skew), *at_ns}, at_ns, skew};
}

nlohmann::json clock_facts(const RunStart& start) {
  nlohmann::json sync = nullptr;
  timex tx{};
  const int state = adjtimex(&tx);  // modes 0: read only
  if (state >= 0) {
    const bool unsync = state == TIME_ERROR || (tx.status & STA_UNSYNC) != 0;
    sync = {{"synchronized", !unsync},
            {"state", unsync ? "unsynchronized" : adjtimex_state(state)},
            {"est_error_us", tx.esterror},
            {"max_error_us", tx.maxerror}};
  }
  return {{"source", "CLOCK_REALTIME"},
          {"clocksource", kernel_clocksource()},
          {"sync", sync},
          {"start_at_ns", start.at_ns ? nlohmann::json(*start.at_ns) : nlohmann::json(nullptr)},
          {"start_skew_us", start.at_ns ? nlohmann::json(static_cast<double>(start.skew_ns) / 1e3)
                                        : nlohmann::json(nullptr)}};
}

}  // namespace pushbench::loadgen
