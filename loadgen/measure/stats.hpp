#pragma once
// Per-worker measurement state. Each worker thread owns one WorkerStats (no locks on the hot path);
// they are merged after the workers join.
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "core/measure/histogram.hpp"
#include "core/measure/sysinfo.hpp"
#include "loadgen/protocol/session.hpp"

namespace pushbench::loadgen {

/// Tracks one stream's sequence numbers: uniqueness, duplicates and reordering, in the
/// measurement window [lo, hi) of sequence numbers.
class SeqTracker {
 public:
  /// Outcome of one received sequence number.
  enum class Seen { fresh, duplicate, out_of_order };
  /// Records `seq`.
  Seen record(std::uint64_t seq) noexcept;
  /// One past the highest sequence number seen.
  std::uint64_t next() const noexcept { return next_; }
  bool any() const noexcept { return any_; }

 private:
  static constexpr std::uint64_t kWindow = 4096;  ///< reorder/duplicate memory, in events
  std::array<std::uint64_t, kWindow / 64> bits_{};
  std::uint64_t next_ = 0;
  bool any_ = false;
};

/// Counters and histograms of one worker over the measurement window.
struct WorkerStats {
  LatencyHistogram latency_corrected;    ///< receive time - intended time (ts)
  LatencyHistogram latency_uncorrected;  ///< receive time - actual production time (st)
  LatencyHistogram connect;              ///< TCP connect duration
  LatencyHistogram first_event;          ///< connect start to first event
  std::uint64_t events_received = 0;     ///< in-window events (unique + duplicates), or all
                                         ///< events of a foreign server during the window
  std::uint64_t events_unique = 0;       ///< in-window events seen for the first time
  std::uint64_t events_expected = 0;     ///< in-window events the streams' schedules promise
  std::uint64_t duplicated = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t foreign_events = 0;      ///< events without the seq/ts contract
  std::uint64_t payload_bytes = 0;       ///< event data bytes of in-window events
  TcpCounters wire;                      ///< kernel TCP counters, in-window deltas summed
  std::uint64_t wire_events = 0;         ///< events read between the counter snapshots (by
                                         ///< arrival, so late events do not skew bytes/event)
  std::int64_t busy_ns = 0;              ///< thread CPU time in the window (busy-poll: time
                                         ///< in polls that ran handlers)
  std::map<std::string, std::uint64_t> errors;  ///< by kind
  std::map<std::string, std::string> error_causes;  ///< by kind: the first cause in words this
                                                    ///< worker saw (system, TLS or protocol)
  std::uint64_t streams_finished = 0;    ///< streams the server ended cleanly
  std::uint64_t connections_established = 0;
  std::uint64_t compressed_connections = 0;  ///< connections where the server agreed to compress
  std::int64_t first_connect_ns = 0;     ///< realtime of the first connect attempt (0: none)
  std::int64_t last_established_ns = 0;  ///< realtime of the last completed handshake (0: none)
  // Browser model (--max-connections-per-origin).
  LatencyHistogram subscription_wait;    ///< run start to connect start, for subscriptions that
                                         ///< waited for a free connection
  std::uint64_t subscriptions_waited = 0;   ///< subscriptions that had to wait for a connection
  std::uint64_t subscriptions_starved = 0;  ///< subscriptions never connected within the run
  // Chat workload.
  std::uint64_t messages_sent = 0;       ///< messages the clients sent (all, warm-up included)
  std::uint64_t posts_answered = 0;      ///< SSE over HTTP/1.1: POSTs answered 204
  std::uint64_t post_connections = 0;    ///< SSE over HTTP/1.1: extra connections for POSTs
  std::uint64_t posts_resent = 0;        ///< SSE over HTTP/1.1: POSTs sent again after the
                                         ///< server closed their idle connection unread
  // Resume workload.
  std::uint64_t reconnects = 0;          ///< connections reopened after a disconnect
  std::map<std::string, std::uint64_t> disconnects;  ///< what ended the connections, by kind
  LatencyHistogram resume_recovery;      ///< disconnect to the first event after reconnecting
  // Slow-consumer workload (--slow-fraction): slow clients' latency is kept apart, so that
  // latency_corrected / latency_uncorrected hold the healthy clients only.
  LatencyHistogram latency_slow;         ///< corrected latency of the slow clients' events
  std::uint64_t slow_events = 0;         ///< in-window unique events of slow clients
  std::uint64_t slow_connections = 0;    ///< clients that read slowly
  std::uint64_t slow_connections_closed_by_server = 0;  ///< slow clients' connections the server
                                                        ///< closed or reset before the run's end
  // Whole-run accounting (warm-up, window and drain), to compare with the server's counters.
  std::uint64_t events_total = 0;        ///< events with the seq/ts contract, duplicates included
  std::uint64_t duplicates_total = 0;    ///< of events_total, sequence numbers seen before
  // Proxy evidence: distinct Via and Server values of the accepted responses (at most
  // kMaxPeerValues each; further values are not kept).
  std::set<std::string> via_seen;        ///< Via header values
  std::set<std::string> server_seen;     ///< Server header values
  static constexpr std::size_t kMaxPeerValues = 8;

  /// Keeps a connection's Via and Server values.
  void record_peer(const PeerHeaders& peer);

  void merge(const WorkerStats& o);
};

}  // namespace pushbench::loadgen
