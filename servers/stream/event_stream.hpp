#pragma once
// The workload engine: paces one stream of events open-loop from their intended send times.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "core/base/clock.hpp"
#include "core/contract/workload.hpp"
#include "servers/stream/context.hpp"
#include "servers/stream/send_queue.hpp"

namespace pushbench::server {

/// Encodes one event's data for a transport (SSE fields and chunk, a raw line, ...). A plain
/// function, so a broadcast can encode each event once per framing in use, on any thread.
using FrameFn = SharedBuffer (*)(std::uint64_t seq, std::string_view data);

/// A connection that events are delivered to; implemented once per transport.
class EventSink {
 public:
  virtual ~EventSink() = default;
  /// This connection's framing.
  virtual FrameFn framer() const = 0;
  /// Queues an encoded event. On `dropped` the sink has already begun closing itself.
  virtual SendResult send(SharedBuffer framed) = 0;
  /// The stream is complete (count or duration reached): flush the queue, then end it cleanly.
  virtual void finish() = 0;
  /// Sends a keep-alive that carries no event (SSE comment, WebSocket ping, raw empty line).
  virtual void keepalive() = 0;
  /// Fault injection (drop_after): ends the connection (or HTTP/2 stream) abruptly, as a server
  /// crash or a proxy timeout would; the client resumes if it can.
  virtual void drop() = 0;
  /// Until uncork(), events sent are only queued, so that a batch leaves in as few writes as
  /// the sink allows (a stream connection: 64 gathered messages, or up to 1,024 small ones
  /// copied into one buffer, a system call) instead of its first event alone ahead of the
  /// rest. Not nestable. Default: no effect (a sink whose writes are scheduled apart from
  /// send()).
  virtual void cork() {}
  /// Ends cork(): writes what was queued meanwhile.
  virtual void uncork() {}
};

/// Corks `sink` for the scope of a batch of sends (see EventSink::cork); not nestable.
class SinkCork {
 public:
  explicit SinkCork(EventSink& sink) : sink_(sink) { sink_.cork(); }
  ~SinkCork() { sink_.uncork(); }
  SinkCork(const SinkCork&) = delete;
  SinkCork& operator=(const SinkCork&) = delete;

 private:
  EventSink& sink_;
};

/// Produces events for one sink: a private paced stream or a broadcast topic subscription.
class EventSource {
 public:
  virtual ~EventSource() = default;
  /// No more events are delivered to the sink after this returns (on the sink's thread).
  virtual void stop() = 0;
};

/// What this server cannot serve of a valid `spec` (payload=file without --payload-file).
std::optional<std::string> check_spec(const ServerConfig& config, const StreamSpec& spec);

/// Starts the events `spec` asks for (a private stream, or the topic `spec.topic`) for `sink`,
/// which lives on `ctx`'s thread.
std::shared_ptr<EventSource> start_events(ThreadContext& ctx, const StreamSpec& spec,
                                          std::weak_ptr<EventSink> sink);

/// Produces a private stream of events for one sink, on the sink's thread.
///
/// Event n is due at start + n / rate; when the thread falls behind, every overdue event is sent at
/// once with its original intended `ts` (so coordinated omission shows in the client's corrected
/// latency) and the actual production time in `st`. A resumed stream keeps its original start
/// (`spec.start_ns`) and begins at `spec.first_seq`: the overdue events it replays show the
/// outage in their latency.
///
/// Kept small for idle subscriptions: its thread's PacerTimers wakes it for the next event,
/// keep-alive or drop, whichever is due first; it keeps only the schedule of the spec, and
/// encodes event data in its thread's scratch buffer.
class StreamPacer final : public EventSource,
                          private TimerClient,
                          public std::enable_shared_from_this<StreamPacer> {
 public:
  StreamPacer(ThreadContext& ctx, const StreamSpec& spec, std::weak_ptr<EventSink> sink);
  /// Begins pacing; event 0 is due now, or at the first point of the spec's epoch grid from now.
  void start();
  /// Cancels pending work; no more events are produced.
  void stop() override;

 private:
  /// Arms the timer for the next event, keep-alive or drop (none when nothing is due).
  void schedule();
  void on_due() override;
  void on_timer();
  /// Sends every event due by `now`; false when the stream ended (finished or dropped).
  bool send_due(EventSink& sink, std::int64_t now);
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

  ThreadContext& ctx_;
  std::weak_ptr<EventSink> sink_;
  ClockAnchor anchor_{};
  std::int64_t period_ns_ = 0;            ///< between intended send times (StreamSpec::period_ns)
  std::int64_t start_ns_ = 0;             ///< intended time of event 0 (realtime ns)
  std::int64_t end_ns_ = kNever;          ///< no event intended at or after this (duration)
  std::int64_t drop_ns_ = kNever;         ///< drop the connection at this time (drop_after)
  std::int64_t keepalive_ns_ = 0;         ///< between keep-alives; 0: none
  std::int64_t next_keepalive_ = kNever;  ///< when the next keep-alive is due (realtime ns)
  std::uint64_t next_seq_ = 0;
  std::uint64_t count_ = std::numeric_limits<std::uint64_t>::max();  ///< events in the stream
  std::uint32_t size_ = 0;                                           ///< event data bytes
  PayloadKind payload_ = PayloadKind::json;
  bool echo_ = false;  ///< request-reply: no events paced here
  bool stopped_ = false;
};

}  // namespace pushbench::server
