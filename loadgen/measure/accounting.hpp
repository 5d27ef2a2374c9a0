#pragma once
// The books of one run: our server's /stats counters before and after, checked to belong to this
// run's server, against the events the clients received.
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "loadgen/protocol/target.hpp"

namespace pushbench::loadgen {

/// Why the /stats answers `before` and `after` cannot be the counters of this run's server, or
/// nullopt when they can: another server (not pushbench-server), another transport than
/// `protocol`, another process than `server_pid` (when known), or a process that changed
/// between the two reads (a restart, or a proxy balancing /stats over several backends).
std::optional<std::string> stats_mismatch(const nlohmann::json& before, const nlohmann::json& after,
                                          Transport protocol, std::optional<pid_t> server_pid);

/// Sets `scenario["server_counters"]` (the change of /stats over the run, or null) and
/// `scenario["accounting"]` (server_sent, received, in_flight_or_dropped), and appends to
/// `warnings` when the counters are not this run's (they are then omitted, saying why) or the
/// books are impossible (the server counted fewer events than the clients received).
void add_accounting(nlohmann::json& scenario, nlohmann::json& warnings,
                    const std::optional<nlohmann::json>& before,
                    const std::optional<nlohmann::json>& after, Transport protocol,
                    std::optional<pid_t> server_pid, std::int64_t received);

}  // namespace pushbench::loadgen
