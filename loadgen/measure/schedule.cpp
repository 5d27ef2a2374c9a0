#include "loadgen/measure/schedule.hpp"

#include "core/base/enum_names.hpp"

namespace pushbench::loadgen {

namespace {
/// SplitMix64: a well-mixed 64-bit value from a counter (one step, no state).
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
}  // namespace

constexpr EnumName<Phase> kPhases[] = {{Phase::server, "server"},
                                       {Phase::aligned, "aligned"},
                                       {Phase::spread, "spread"},
                                       {Phase::random, "random"}};

std::optional<Phase> parse_phase(std::string_view s) { return enum_parse(kPhases, s); }

std::string_view to_string(Phase p) { return enum_name(kPhases, p); }

std::vector<std::string> phase_names() { return enum_spellings(kPhases); }

std::int64_t Schedule::offset_ns(std::uint64_t index) const {
  if (period_ns <= 0) return 0;
  const auto period = static_cast<std::uint64_t>(period_ns);
  switch (phase) {
    case Phase::server:
    case Phase::aligned: return 0;
    case Phase::spread: {
      const std::uint64_t n = subscriptions == 0 ? 1 : subscriptions;
      // index * period / n without overflow for any realistic sizes (128-bit product).
      const auto wide = static_cast<unsigned __int128>(index % n) * period / n;
      return static_cast<std::int64_t>(wide);
    }
    case Phase::random: return static_cast<std::int64_t>(splitmix64(seed ^ (index * 0xD1B54A32D192ED03ull)) % period);
  }
  return 0;
}

std::optional<std::int64_t> Schedule::epoch_ns(std::uint64_t index) const {
  if (phase == Phase::server) return std::nullopt;
  return anchor_ns + offset_ns(index);
}

}  // namespace pushbench::loadgen
