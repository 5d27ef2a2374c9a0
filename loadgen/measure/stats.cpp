#include "loadgen/measure/stats.hpp"

namespace pushbench::loadgen {

SeqTracker::Seen SeqTracker::record(std::uint64_t seq) noexcept {
  auto bit = [this](std::uint64_t s) -> std::uint64_t& { return bits_[(s / 64) % bits_.size()]; };
  const std::uint64_t mask = std::uint64_t{1} << (seq % 64);
  if (!any_ || seq >= next_) {
    // Clear the bits of the sequence numbers the window slides over.
    const std::uint64_t from = any_ ? next_ : seq;
    if (seq - from >= kWindow) {
      bits_.fill(0);
    } else {
      for (std::uint64_t s = from; s < seq; ++s) bit(s) &= ~(std::uint64_t{1} << (s % 64));
    }
    bit(seq) |= mask;
    bit(seq) = (bit(seq) & ~mask) | mask;
    next_ = seq + 1;
    any_ = true;
    return Seen::fresh;
  }
  if (next_ - seq > kWindow) return Seen::out_of_order;  // too old to tell: counted as reordered
  auto& word = bit(seq);
  if (word & mask) return Seen::duplicate;
  word |= mask;
  return Seen::out_of_order;
}

// merge() lists every field by hand: a new field must be added there (and then here). The size
// is checked where it is known (libstdc++, 64-bit: the build and CI platform).
#if defined(__GLIBCXX__) && defined(__LP64__)
static_assert(sizeof(WorkerStats) == 1320,
              "WorkerStats changed: add the new field to WorkerStats::merge(), then update this size");
#endif

void WorkerStats::merge(const WorkerStats& o) {
  latency_corrected.merge(o.latency_corrected);
  latency_uncorrected.merge(o.latency_uncorrected);
  connect.merge(o.connect);
  first_event.merge(o.first_event);
  events_received += o.events_received;
  events_unique += o.events_unique;
  events_expected += o.events_expected;
  duplicated += o.duplicated;
  out_of_order += o.out_of_order;
  foreign_events += o.foreign_events;
  payload_bytes += o.payload_bytes;
  wire_events += o.wire_events;
  wire.bytes_received += o.wire.bytes_received;
  wire.bytes_acked += o.wire.bytes_acked;
  wire.segments_in += o.wire.segments_in;
  wire.segments_out += o.wire.segments_out;
  busy_ns = std::max(busy_ns, o.busy_ns);
  for (const auto& [k, v] : o.errors) errors[k] += v;
  for (const auto& [k, v] : o.error_causes) error_causes.emplace(k, v);
  streams_finished += o.streams_finished;
  connections_established += o.connections_established;
  compressed_connections += o.compressed_connections;
  if (o.first_connect_ns && (!first_connect_ns || o.first_connect_ns < first_connect_ns)) {
    first_connect_ns = o.first_connect_ns;
  }
  last_established_ns = std::max(last_established_ns, o.last_established_ns);
  subscription_wait.merge(o.subscription_wait);
  subscriptions_waited += o.subscriptions_waited;
  subscriptions_starved += o.subscriptions_starved;
  reconnects += o.reconnects;
  messages_sent += o.messages_sent;
  posts_answered += o.posts_answered;
  post_connections += o.post_connections;
  posts_resent += o.posts_resent;
  for (const auto& [k, v] : o.disconnects) disconnects[k] += v;
  resume_recovery.merge(o.resume_recovery);
  latency_slow.merge(o.latency_slow);
  slow_events += o.slow_events;
  slow_connections += o.slow_connections;
  slow_connections_closed_by_server += o.slow_connections_closed_by_server;
  events_total += o.events_total;
  duplicates_total += o.duplicates_total;
  for (const auto& v : o.via_seen) record_peer({v, {}});
  for (const auto& v : o.server_seen) record_peer({{}, v});
}

void WorkerStats::record_peer(const PeerHeaders& peer) {
  if (!peer.via.empty() && via_seen.size() < kMaxPeerValues) via_seen.insert(peer.via);
  if (!peer.server.empty() && server_seen.size() < kMaxPeerValues) server_seen.insert(peer.server);
}

}  // namespace pushbench::loadgen
