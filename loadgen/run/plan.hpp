#pragma once
// The shared, read-only plan of one load run: what to connect to and when each phase begins.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "core/base/clock.hpp"
#include "loadgen/measure/schedule.hpp"
#include "loadgen/protocol/session.hpp"

namespace pushbench::loadgen {

struct RunPlan {
  Target target;                                  ///< where and which protocol
  boost::asio::ip::tcp::endpoint endpoint;        ///< resolved once, before the workers start
  StreamSpec spec;                                ///< what every stream asks for
  SessionOptions session;                         ///< session knobs (seed varies per connection)
  ClockAnchor anchor;                             ///< run start, on both clocks
  std::int64_t window_start_ns = 0;               ///< realtime: end of warm-up
  std::int64_t window_end_ns = 0;                 ///< realtime: end of measurement (max in count mode)
  SteadyClock::time_point hard_deadline;          ///< nothing runs past this
  std::chrono::nanoseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::nanoseconds drain{std::chrono::seconds(2)};  ///< wait for in-window stragglers
  double connect_rate = 0;                        ///< connections opened per second (0: all at once)
  bool count_mode = false;                        ///< streams end by `spec.count`: run until all end
  bool verify_payload = false;                    ///< check every event byte-for-byte
  bool delayed_acks = false;                      ///< ConnectionOptions::delayed_acks
  bool busy_poll = false;  ///< workers poll their io_context without sleeping (Worker::run)
  std::shared_ptr<const PayloadLines> payload_lines;  ///< for verifying payload=file events
  std::shared_ptr<boost::asio::ssl::context> tls;  ///< https:// and wss://: shared by all clients
  std::size_t max_connections_per_origin = 0;  ///< browser model: connection cap (0: none)
  bool resume = false;                    ///< resume workload: reconnect and resume lost streams
  bool chat = false;                      ///< chat workload: clients send at spec.rate, the
                                          ///< server echoes each message as an event
  bool publish = false;                   ///< publish mode: the load generator publishes one
                                          ///< stream that every subscriber receives (a broker)
  std::chrono::milliseconds reconnect_delay{1000};  ///< when the server sent no `retry:`
  bool progress = false;                          ///< workers publish progress snapshots
  std::int64_t clock_offset_ns = 0;  ///< server clock minus ours (another host), subtracted from
                                     ///< every event's ts and st
  double slow_fraction = 0;       ///< slow-consumer workload: share of slow clients (0: off)
  double slow_read_bps = 16384;   ///< a slow client's read rate, bytes per second
  Schedule schedule;              ///< every stream's intended send times (its epoch)

  /// The epoch subscription `index` (client id x streams + stream) asks for; nullopt when the
  /// server paces nothing (chat echoes) or the phase is left to the server. A topic is one
  /// schedule, so all its subscribers ask for the same epoch.
  std::optional<std::int64_t> epoch_ns(std::uint64_t index) const {
    if (chat) return std::nullopt;
    return schedule.epoch_ns(spec.topic ? 0 : index);
  }

  /// Head-of-line variant: with several HTTP/2 streams per connection, the slow readers are
  /// streams (their flow-control windows reopen slowly), not whole connections.
  bool slow_streams() const {
    return slow_fraction > 0 && session.http == HttpVersion::h2 && session.streams > 1;
  }
  /// True when client `id` is one of the slow ones: floor((id+1)F) > floor(id F), which spreads
  /// them evenly over the ids.
  bool is_slow(std::uint64_t id) const {
    return slow_fraction > 0 && !slow_streams() &&
           std::floor(static_cast<double>(id + 1) * slow_fraction) >
               std::floor(static_cast<double>(id) * slow_fraction);
  }

  bool in_window(std::int64_t ts) const { return ts >= window_start_ns && ts < window_end_ns; }
};

}  // namespace pushbench::loadgen
