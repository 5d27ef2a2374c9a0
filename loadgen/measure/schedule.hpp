#pragma once
// The run's schedule: when each stream's events are due, decided by the load generator and sent to
// the server (the `epoch` query parameter), so that one scenario has the same intended send times
// on every transport and HTTP version.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

namespace pushbench::loadgen {

/// How the streams' phases are placed within one period.
enum class Phase {
  server,   ///< no epoch is sent: each stream starts when the server begins it (start-up order)
  aligned,  ///< every stream on one grid: all streams' events fall due at the same instants
  spread,   ///< stream i of N is offset by i/N of a period: a population of independent clients
  random,   ///< each stream offset by a seeded uniform fraction of a period
};

std::optional<Phase> parse_phase(std::string_view s);
/// Every phase's spelling ("server", "aligned", "spread", "random").
std::vector<std::string> phase_names();
std::string_view to_string(Phase p);

/// The schedule of one run, shared read-only by every client.
struct Schedule {
  Phase phase = Phase::spread;
  std::uint64_t seed = 1;          ///< for Phase::random; the same seed, the same offsets
  std::int64_t anchor_ns = 0;      ///< realtime ns: the grid's origin (the run's start)
  std::int64_t period_ns = 0;      ///< one stream's event period (1e9 / rate)
  std::uint64_t subscriptions = 1; ///< streams in the whole run (the spread's denominator)

  /// The `epoch` sent for subscription `index` (0 .. subscriptions-1), or nullopt for
  /// Phase::server. A broadcast topic is one schedule: pass index 0.
  std::optional<std::int64_t> epoch_ns(std::uint64_t index) const;
  /// The offset of subscription `index` from the anchor, in [0, period_ns).
  std::int64_t offset_ns(std::uint64_t index) const;
};

}  // namespace pushbench::loadgen
