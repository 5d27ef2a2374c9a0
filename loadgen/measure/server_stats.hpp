#pragma once
// The counters our servers publish at GET /stats, read before and after a load run.
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "loadgen/protocol/target.hpp"

namespace pushbench::loadgen {

/// GET /stats from the target's host:port over HTTP/1.1 (TLS with `tls` when `target.tls`;
/// ALPN http/1.1 whatever the context offers). Returns the JSON object, or nullopt on any failure
/// (refused, not our server, not JSON, the timeout passed) and for tcp:// targets (the raw server
/// has no HTTP). Never throws; returns within about `timeout`.
std::optional<nlohmann::json> fetch_server_stats(const Target& target,
                                                 std::shared_ptr<boost::asio::ssl::context> tls,
                                                 std::chrono::milliseconds timeout);

/// `after - before` for every numeric field present in both (integers stay integers); other
/// fields are left out.
nlohmann::json counter_deltas(const nlohmann::json& before, const nlohmann::json& after);

}  // namespace pushbench::loadgen
