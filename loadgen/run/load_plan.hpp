#pragma once
// `pushbench load`, step 1 of 3: a LoadConfig checked once (for the CLI, a suite and `tap`) and
// turned into the plan the workers run.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "loadgen/measure/shard.hpp"
#include "loadgen/protocol/target.hpp"
#include "loadgen/run/load.hpp"
#include "loadgen/run/plan.hpp"

namespace pushbench::loadgen {

/// What a load run will do: the effective configuration (the URL's workload parameters applied)
/// and the workers' plan, before the run starts (the schedule and window are set when it does).
struct PreparedLoad {
  LoadConfig config;              ///< as requested, with the URL's workload parameters applied
  RunPlan plan;                   ///< target, endpoint, session, spec, workload switches
  ShardSpec shard;                ///< this process's shard (0/1 when unsharded)
  ShardSlice slice;               ///< the global connection ids this shard drives
  unsigned connections = 0;       ///< connections this process opens (slice.count)
  unsigned threads = 1;           ///< worker threads (capped by connections and the browser cap)
  std::size_t subscriptions = 0;  ///< connections x streams of this process
  std::size_t run_subscriptions = 0;  ///< connections x streams of the whole run (every shard)
  std::uint64_t fd_limit = 0;         ///< this process's file descriptor limit, after raising it
};

/// Checks what any client of `target` needs, whatever the workload: HTTP/2 and TLS only where the
/// transport has them, `--cacert` only with TLS. Returns an error message, nullopt when fine.
std::optional<std::string> check_target(const Target& target, HttpVersion http,
                                        const std::string& ca_file);

/// The client TLS context for `target` (ALPN h2 or http/1.1), or null for a cleartext target.
std::shared_ptr<boost::asio::ssl::context> client_tls(const Target& target, HttpVersion http,
                                                      bool tls12, const std::string& ca_file);

/// Validates `requested` (every combination the workloads forbid, limits, the shard), resolves
/// the host and raises the file descriptor limit. Throws std::runtime_error with a message for
/// the user when the run cannot be made.
PreparedLoad prepare_load(const LoadConfig& requested);

}  // namespace pushbench::loadgen
