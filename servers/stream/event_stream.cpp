#include "servers/stream/event_stream.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>

#include "servers/stream/echo_registry.hpp"
#include "servers/stream/topic.hpp"

namespace pushbench::server {

namespace {
/// The most events one timer wake-up produces before yielding to other connections.
constexpr int kMaxBatch = 256;
}  // namespace

std::optional<std::string> check_spec(const ServerConfig& config, const StreamSpec& spec) {
  if (spec.payload == PayloadKind::file && !config.payload_lines) {
    return std::string("payload=file needs a server started with --payload-file");
  }
  constexpr std::int64_t kDayNs = 86'400'000'000'000;
  if (spec.epoch_ns && std::abs(*spec.epoch_ns - realtime_ns()) > kDayNs) {
    return std::string("epoch is more than a day away from this server's clock");
  }
  return std::nullopt;
}

std::shared_ptr<EventSource> start_events(ThreadContext& ctx, const StreamSpec& spec,
                                          std::weak_ptr<EventSink> sink) {
  if (spec.topic) return ctx.topics->subscribe(ctx, spec, std::move(sink));
  if (spec.echo && spec.stream_id) ctx.echoes->add(*spec.stream_id, ctx, sink);
  auto pacer = std::make_shared<StreamPacer>(ctx, spec, std::move(sink));
  pacer->start();
  return pacer;
}

StreamPacer::StreamPacer(ThreadContext& ctx, const StreamSpec& spec, std::weak_ptr<EventSink> sink)
    : ctx_(ctx),
      sink_(std::move(sink)),
      anchor_(ClockAnchor::now()),
      period_ns_(spec.period_ns()),
      next_seq_(spec.first_seq),
      size_(static_cast<std::uint32_t>(spec.size)),
      payload_(spec.payload),
      echo_(spec.echo) {
  start_ns_ = spec.start_ns.value_or(spec.first_due_ns(anchor_.realtime));
  if (spec.duration_s) end_ns_ = start_ns_ + static_cast<std::int64_t>(*spec.duration_s * 1e9);
  if (spec.drop_after_s) {
    drop_ns_ = anchor_.realtime + static_cast<std::int64_t>(*spec.drop_after_s * 1e9);
  }
  if (spec.count) count_ = *spec.count;
  if (spec.keepalive_s) {
    keepalive_ns_ = std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                  std::chrono::duration<double>(*spec.keepalive_s))
                                                  .count());
    next_keepalive_ = anchor_.realtime + keepalive_ns_;
  }
}

void StreamPacer::start() {
  ctx_.stats.add(ctx_.stats.streams_started);
  // Request-reply: events are the client's echoed messages, not paced here.
  if (echo_) return schedule();
  on_timer();
}

void StreamPacer::stop() {
  stopped_ = true;
  ctx_.pacer_timers.cancel(*this);
}

void StreamPacer::on_due() {
  const auto self = shared_from_this();  // the sink may release this pacer meanwhile
  on_timer();
}

void StreamPacer::on_timer() {
  if (stopped_) return;
  auto sink = sink_.lock();
  if (!sink) return;
  const std::int64_t now = realtime_ns();
  if (!echo_ && now >= drop_ns_) {
    stop();
    sink->drop();
    return;
  }
  // The wake-up's keep-alive and events leave together.
  const SinkCork cork(*sink);
  if (now >= next_keepalive_) {
    sink->keepalive();
    next_keepalive_ = now + keepalive_ns_;
    if (stopped_) return;  // the keep-alive hit the queue limit
  }
  if (!echo_ && !send_due(*sink, now)) return;
  schedule();
}

bool StreamPacer::send_due(EventSink& sink, std::int64_t now) {
  std::string& data = ctx_.event_scratch;
  for (int batch = 0; batch < kMaxBatch; ++batch) {
    const std::int64_t due = start_ns_ + static_cast<std::int64_t>(next_seq_) * period_ns_;
    if (next_seq_ >= count_ || due >= end_ns_) {
      stop();
      ctx_.stats.add(ctx_.stats.streams_completed);
      sink.finish();
      return false;
    }
    if (due > now) break;
    data.clear();
    append_event_data(data, EventHeader{next_seq_, due, realtime_ns()}, payload_, size_,
                      ctx_.config->payload_lines.get());
    auto framed = sink.framer()(next_seq_, data);
    const auto bytes = framed->size();
    if (sink.send(std::move(framed)) == SendResult::dropped) {
      stopped_ = true;
      return false;
    }
    ctx_.stats.add(ctx_.stats.events_sent);
    ctx_.stats.add(ctx_.stats.bytes_queued, bytes);
    ++next_seq_;
  }
  return true;
}

void StreamPacer::schedule() {
  std::int64_t due = next_keepalive_;
  if (!echo_) {
    due = std::min({due, start_ns_ + static_cast<std::int64_t>(next_seq_) * period_ns_, drop_ns_});
  }
  if (due == kNever) return;
  // Coalescing: every stream of this thread due within one slack wakes at the same instant.
  if (const std::int64_t slack = ctx_.config->timer_slack.count() * 1000; slack > 0) {
    due = (due + slack - 1) / slack * slack;
  }
  ctx_.pacer_timers.arm(*this, anchor_.steady_at(due));
}

}  // namespace pushbench::server
