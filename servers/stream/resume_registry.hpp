#pragma once
// Resumable streams: a stream named by `stream=<id>` keeps its schedule across connections, so a
// client that reconnects with Last-Event-ID (SSE) or last_seq (WebSocket, raw) gets the events it
// missed from a bounded history, then the live stream. The schedule is deterministic (event n is
// due at start + n / rate and its bytes follow from n), so the history is regenerated rather than
// stored; its bound is what a real server's ring buffer would hold.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/contract/workload.hpp"

namespace pushbench::server {

class ResumeRegistry {
 public:
  /// At most `max_streams` streams are remembered; each replays at most `history` events.
  ResumeRegistry(std::size_t max_streams, std::uint64_t history)
      : max_streams_(max_streams), history_(history) {}

  /// What a request for a resumable stream resolves to.
  enum class Outcome {
    stream,    ///< serve `spec` from its (possibly resumed) schedule
    complete,  ///< every event was delivered already (SSE answers 204: do not reconnect)
    full,      ///< too many streams remembered
  };

  /// Fills `spec.start_ns` and `spec.first_seq` for `spec.stream_id` (a new id starts now), given
  /// the last event the client has (`last`), at realtime `now_ns`. Thread-safe.
  Outcome resolve(StreamSpec& spec, std::optional<std::uint64_t> last, std::int64_t now_ns);

 private:
  std::size_t max_streams_;
  std::uint64_t history_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> starts_;  ///< stream id -> start (realtime ns)
};

}  // namespace pushbench::server
