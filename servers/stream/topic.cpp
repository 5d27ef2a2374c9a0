#include "servers/stream/topic.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <limits>

namespace pushbench::server {

namespace asio = boost::asio;

namespace {

/// A subscriber's handle: stop() makes the topic forget it at its next delivery.
class TopicSubscription final : public EventSource {
 public:
  void stop() override { stopped_.store(true, std::memory_order_relaxed); }
  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> stopped_{false};
};

/// One event encoded for every framing in use.
using EncodedEvent = std::vector<std::pair<FrameFn, SharedBuffer>>;

}  // namespace

class Topic : public std::enable_shared_from_this<Topic> {
 public:
  Topic(TopicRegistry& registry, std::vector<ThreadContext*> threads, StreamSpec spec)
      : registry_(registry),
        threads_(std::move(threads)),
        spec_(std::move(spec)),
        shards_(threads_.size()),
        timer_(threads_[0]->ioc) {}

  /// Called under the registry's lock, on the subscriber's thread.
  std::shared_ptr<EventSource> add(ThreadContext& ctx, std::weak_ptr<EventSink> sink) {
    auto locked = sink.lock();
    if (!locked) return nullptr;
    auto sub = std::make_shared<TopicSubscription>();
    {
      std::lock_guard lock(mutex_);
      const FrameFn fn = locked->framer();
      if (std::find(framers_.begin(), framers_.end(), fn) == framers_.end()) framers_.push_back(fn);
    }
    live_.fetch_add(1, std::memory_order_relaxed);
    shards_[ctx.index].push_back({std::move(sink), sub});
    ctx.stats.add(ctx.stats.streams_started);
    return sub;
  }

  void start() {
    anchor_ = ClockAnchor::now();
    start_ns_ = spec_.first_due_ns(anchor_.realtime);
    end_ns_ = spec_.duration_s ? start_ns_ + static_cast<std::int64_t>(*spec_.duration_s * 1e9)
                               : std::numeric_limits<std::int64_t>::max();
    asio::post(threads_[0]->ioc, [self = shared_from_this()] { self->on_timer({}); });
  }

 private:
  struct Subscriber {
    std::weak_ptr<EventSink> sink;
    std::shared_ptr<TopicSubscription> sub;
  };

  void on_timer(boost::system::error_code ec) {
    if (ec) return;
    if (live_.load(std::memory_order_relaxed) == 0 && next_seq_ > 0) {
      registry_.remove(*spec_.topic, this);
      return;
    }
    const std::int64_t now = realtime_ns();
    for (int batch = 0; batch < 256; ++batch) {
      const std::int64_t due = spec_.intended_ns(start_ns_, next_seq_);
      if ((spec_.count && next_seq_ >= *spec_.count) || due >= end_ns_) return end();
      if (due > now) break;
      publish(due);
      ++next_seq_;
    }
    timer_.expires_at(anchor_.steady_at(spec_.intended_ns(start_ns_, next_seq_)));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code e) { self->on_timer(e); });
  }

  void publish(std::int64_t due) {
    scratch_.clear();
    append_event_data(scratch_, EventHeader{next_seq_, due, realtime_ns()}, spec_.payload,
                      spec_.size, threads_[0]->config->payload_lines.get());
    auto encoded = std::make_shared<EncodedEvent>();
    {
      std::lock_guard lock(mutex_);
      for (FrameFn fn : framers_) encoded->emplace_back(fn, fn(next_seq_, scratch_));
    }
    for (std::size_t i = 0; i < threads_.size(); ++i) {
      asio::post(threads_[i]->ioc,
                 [self = shared_from_this(), i, encoded] { self->deliver(i, *encoded); });
    }
  }

  /// On thread i: queue the event on every live subscriber of that thread.
  void deliver(std::size_t i, const EncodedEvent& encoded) {
    auto& shard = shards_[i];
    auto& stats = threads_[i]->stats;
    for (std::size_t k = 0; k < shard.size();) {
      auto sink = shard[k].sink.lock();
      bool keep = sink && !shard[k].sub->stopped();
      if (keep) {
        const FrameFn fn = sink->framer();
        for (const auto& [f, buf] : encoded) {
          if (f != fn) continue;
          if (sink->send(buf) == SendResult::dropped) {
            keep = false;
          } else {
            stats.add(stats.events_sent);
            stats.add(stats.bytes_queued, buf->size());
          }
          break;
        }
      }
      if (keep) {
        ++k;
      } else {
        shard[k] = std::move(shard.back());
        shard.pop_back();
        live_.fetch_sub(1, std::memory_order_relaxed);
      }
    }
  }

  /// The topic is complete: every subscriber's stream ends cleanly.
  void end() {
    registry_.remove(*spec_.topic, this);
    for (std::size_t i = 0; i < threads_.size(); ++i) {
      asio::post(threads_[i]->ioc, [self = shared_from_this(), i] {
        auto& stats = self->threads_[i]->stats;
        for (auto& s : self->shards_[i]) {
          if (auto sink = s.sink.lock(); sink && !s.sub->stopped()) {
            stats.add(stats.streams_completed);
            sink->finish();
          }
        }
        self->shards_[i].clear();
      });
    }
  }

  TopicRegistry& registry_;
  std::vector<ThreadContext*> threads_;
  StreamSpec spec_;
  std::vector<std::vector<Subscriber>> shards_;  ///< shard i is touched only on thread i
  asio::steady_timer timer_;                     ///< runs on thread 0
  std::mutex mutex_;                             ///< guards framers_
  std::vector<FrameFn> framers_;
  std::atomic<std::int64_t> live_{0};
  ClockAnchor anchor_{};
  std::int64_t start_ns_ = 0;
  std::int64_t end_ns_ = 0;
  std::uint64_t next_seq_ = 0;
  std::string scratch_;
};

std::shared_ptr<EventSource> TopicRegistry::subscribe(ThreadContext& ctx, const StreamSpec& spec,
                                                      std::weak_ptr<EventSink> sink) {
  std::lock_guard lock(mutex_);
  auto& topic = topics_[*spec.topic];
  const bool created = !topic;
  if (created) topic = std::make_shared<Topic>(*this, threads_, spec);
  auto sub = topic->add(ctx, std::move(sink));
  if (created) topic->start();
  return sub;
}

void TopicRegistry::remove(const std::string& name, const Topic* topic) {
  std::lock_guard lock(mutex_);
  auto it = topics_.find(name);
  if (it != topics_.end() && it->second.get() == topic) topics_.erase(it);
}

}  // namespace pushbench::server
