#include "servers/stream/echo_registry.hpp"

#include <boost/asio/post.hpp>

namespace pushbench::server {

bool EchoRegistry::add(const std::string& id, ThreadContext& ctx, std::weak_ptr<EventSink> sink) {
  std::lock_guard lock(mutex_);
  if (streams_.size() >= max_streams_ && !streams_.count(id)) {
    // Make room from streams that have closed.
    std::erase_if(streams_, [](const auto& e) { return e.second.sink.expired(); });
    if (streams_.size() >= max_streams_) return false;
  }
  streams_[id] = Entry{&ctx, std::move(sink)};
  return true;
}

bool EchoRegistry::deliver(const std::string& id, std::string message) {
  Entry entry;
  {
    std::lock_guard lock(mutex_);
    const auto it = streams_.find(id);
    if (it == streams_.end()) return false;
    if (it->second.sink.expired()) {
      streams_.erase(it);
      return false;
    }
    entry = it->second;
  }
  boost::asio::post(entry.ctx->ioc, [ctx = entry.ctx, weak = entry.sink, m = std::move(message)] {
    auto sink = weak.lock();
    if (!sink) return;
    auto framed = sink->framer()(0, m);
    const auto bytes = framed->size();
    if (sink->send(std::move(framed)) != SendResult::dropped) {
      ctx->stats.add(ctx->stats.events_sent);
      ctx->stats.add(ctx->stats.bytes_queued, bytes);
    }
  });
  return true;
}

}  // namespace pushbench::server
