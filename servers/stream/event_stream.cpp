#include "servers/stream/event_stream.hpp"

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

StreamPacer::StreamPacer(ThreadContext& ctx, StreamSpec spec, std::weak_ptr<EventSink> sink)
    : ctx_(ctx),
      spec_(std::move(spec)),
      sink_(std::move(sink)),
      timer_(ctx.ioc),
      keepalive_timer_(ctx.ioc) {}

void StreamPacer::start() {
  anchor_ = ClockAnchor::now();
  start_ns_ = spec_.start_ns.value_or(spec_.first_due_ns(anchor_.realtime));
  next_seq_ = spec_.first_seq;
  end_ns_ = spec_.duration_s
                ? start_ns_ + static_cast<std::int64_t>(*spec_.duration_s * 1e9)
                : std::numeric_limits<std::int64_t>::max();
  drop_ns_ = spec_.drop_after_s
                 ? anchor_.realtime + static_cast<std::int64_t>(*spec_.drop_after_s * 1e9)
                 : std::numeric_limits<std::int64_t>::max();
  ctx_.stats.add(ctx_.stats.streams_started);
  scratch_.reserve(spec_.size + 64);
  if (spec_.keepalive_s) schedule_keepalive();
  // Request-reply: events are the client's echoed messages, not paced here.
  if (spec_.echo) return;
  on_timer({});
}

void StreamPacer::stop() {
  stopped_ = true;
  timer_.cancel();
  keepalive_timer_.cancel();
}

void StreamPacer::schedule_keepalive() {
  keepalive_timer_.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(*spec_.keepalive_s)));
  keepalive_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    auto sink = self->sink_.lock();
    if (!sink) return;
    sink->keepalive();
    self->schedule_keepalive();
  });
}

void StreamPacer::on_timer(boost::system::error_code ec) {
  if (ec || stopped_) return;
  auto sink = sink_.lock();
  if (!sink) return;
  const std::int64_t now = realtime_ns();
  if (now >= drop_ns_) {
    stop();
    sink->drop();
    return;
  }
  for (int batch = 0; batch < kMaxBatch; ++batch) {
    const bool count_done = spec_.count && next_seq_ >= *spec_.count;
    const std::int64_t due = spec_.intended_ns(start_ns_, next_seq_);
    if (count_done || due >= end_ns_) {
      stopped_ = true;
      keepalive_timer_.cancel();
      ctx_.stats.add(ctx_.stats.streams_completed);
      sink->finish();
      return;
    }
    if (due > now) break;
    scratch_.clear();
    append_event_data(scratch_, EventHeader{next_seq_, due, realtime_ns()}, spec_.payload,
                      spec_.size, ctx_.config->payload_lines.get());
    auto framed = sink->framer()(next_seq_, scratch_);
    const auto bytes = framed->size();
    if (sink->send(std::move(framed)) == SendResult::dropped) {
      stopped_ = true;
      return;
    }
    ctx_.stats.add(ctx_.stats.events_sent);
    ctx_.stats.add(ctx_.stats.bytes_queued, bytes);
    ++next_seq_;
  }
  schedule();
}

void StreamPacer::schedule() {
  std::int64_t due = std::min(spec_.intended_ns(start_ns_, next_seq_), drop_ns_);
  // Coalescing: every stream of this thread due within one slack wakes at the same instant.
  if (const std::int64_t slack = ctx_.config->timer_slack.count() * 1000; slack > 0) {
    due = (due + slack - 1) / slack * slack;
  }
  timer_.expires_at(anchor_.steady_at(due));
  timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_timer(ec); });
}

}  // namespace pushbench::server
