#pragma once
// `pushbench load`: one load run against one URL, producing one scenario of a report.
#include <optional>
#include <set>
#include <string>
#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "core/contract/workload.hpp"
#include "loadgen/protocol/compression.hpp"
#include "loadgen/run/progress.hpp"
#include "loadgen/measure/schedule.hpp"
#include "loadgen/protocol/session.hpp"
#include "loadgen/measure/shard.hpp"

namespace pushbench::loadgen {

struct LoadConfig {
  std::string url;                    ///< http(s):// (SSE), ws(s):// (WebSocket) or tcp:// (raw)
  unsigned connections = 10;          ///< TCP connections
  HttpVersion http = HttpVersion::h1; ///< h2: prior knowledge (http, ws) or ALPN h2 (https, wss)
  std::size_t streams = 1;            ///< HTTP/2 streams per connection; subscriptions are
                                      ///< connections x streams
  std::size_t max_connections_per_origin = 0;  ///< browser model: at most this many connections
                                               ///< open at once, the rest wait (0: no cap)
  bool tls12 = false;                 ///< allow TLS 1.2 (default: TLS 1.3 only)
  std::string ca_file;                ///< verify the server's certificate (chain and name)
                                      ///< against this PEM file; empty: no verification
  std::optional<double> clock_offset_us;  ///< server clock minus ours, for a server on another
                                          ///< host (measured by the user, e.g. with chrony)
  bool chat = false;                  ///< chat / request-reply: each client sends spec.rate
                                      ///< messages/s, the server echoes them as events; latency
                                      ///< is the round trip from the intended send time
  bool resume = false;                ///< resume workload: named streams, reconnect and resume
                                      ///< (Last-Event-ID / last_seq) after every disconnect
  double reconnect_ms = 1000;         ///< reconnection delay when the server sent no `retry:`
                                      ///< (jittered +-50 %)
  unsigned threads = 1;               ///< worker threads (capped at connections)
  bool delayed_acks = false;  ///< TCP_QUICKACK off on every subscriber connection (an ACK per
                              ///< two segments); recorded as the report's loadgen.acks
  bool busy_poll = false;     ///< workers poll without sleeping, a CPU each (no wake-up in
                              ///< the latency); recorded as the report's loadgen.wait
  StreamSpec spec;                    ///< what each stream asks for (rate, size, payload, ...)
  double duration_s = 10;             ///< measurement window (a cap on the run in count mode)
  double warmup_s = 1;                ///< excluded from every figure
  double drain_s = 2;                 ///< after the window, wait this long for in-window events
  double connect_timeout_s = 5;       ///< TCP connect plus protocol handshake
  double connect_rate = 0;            ///< connect storm: connections opened per second (0: all
                                      ///< at once); all must start within warm-up + duration
  bool add_workload_query = true;     ///< append rate/size/... to the URL's query
  bool verify_payload = false;        ///< compare every event with the contract's exact bytes
  std::optional<pid_t> server_pid;    ///< sample this process's CPU and memory
  std::string name;                   ///< scenario name in the report (default: derived)
  std::string group;                  ///< scenario group (default: derived from the workload)
  CompressionOptions compression;     ///< what each connection offers
  std::shared_ptr<const PayloadLines> payload_lines;  ///< sample messages for payload=file
  nlohmann::json compression_details = nlohmann::json::object();  ///< server-side settings to
                                                                  ///< record in the report
  ProgressFn progress;  ///< called about 4 times a second during the run when set
  double slow_fraction = 0;           ///< slow-consumer workload: share of clients (0 <= F < 1)
                                      ///< that read slowly (0: off)
  double slow_read_bps = 16384;       ///< a slow client's read rate, bytes per second
  /// How the streams' schedules are placed (the `epoch` each stream asks for); nullopt: spread,
  /// or server for a connect storm and the idle workload (their figures are set-up and holding
  /// costs, and waiting for a grid point would add up to one period to the first event).
  std::optional<Phase> phase;
  std::uint64_t phase_seed = 1;       ///< seed of Phase::random
  std::optional<unsigned> server_timer_slack_us;  ///< the server's --timer-slack-us, when the
                                                  ///< harness started it (for the report)
  std::optional<ShardSpec> shard;     ///< drive only this shard of `connections` (ids stay
                                      ///< global); recorded in the report's `shard`
  std::optional<std::uint64_t> seed;  ///< run seed (stream names, WebSocket keys); default:
                                      ///< start_at_ns, so that shards of one run agree
  std::optional<std::int64_t> start_at_ns;  ///< begin (the warm-up) at this CLOCK_REALTIME
                                            ///< instant; the run starts at once without it
  std::string publish_url;            ///< publish mode: POST each event here (a broker's
                                      ///< publisher location) while the subscribers at `url`
                                      ///< (sent as given) receive them; empty: off
  std::set<std::string> cli_workload_keys;  ///< workload query keys (rate, size, ...) the user
                                            ///< gave as options: a URL that disagrees is an error
};

/// The phase policy a run uses: the configured one, else the workload's default.
Phase effective_phase(const LoadConfig& config);

/// Runs one load and returns its report scenario (see core/report.schema.json). Throws
/// std::runtime_error for configuration problems (bad URL, unresolvable host).
nlohmann::json run_load(const LoadConfig& config);

/// A report document around `scenarios`.
nlohmann::json make_report(nlohmann::json scenarios, const std::string& command,
                           const std::optional<std::string>& suite, const std::string& started_at);

/// Writes `report` to `path` (pretty-printed), creating parent directories.
void write_report(const nlohmann::json& report, const std::string& path);

}  // namespace pushbench::loadgen
