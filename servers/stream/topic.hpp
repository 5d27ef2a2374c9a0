#pragma once
// Broadcast topics: one publisher, many subscribers on any thread. Each event is produced once and
// encoded once per framing in use into a shared immutable buffer that every subscriber queues.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "servers/stream/event_stream.hpp"

namespace pushbench::server {

class Topic;

class TopicRegistry {
 public:
  explicit TopicRegistry(std::vector<ThreadContext*> threads) : threads_(std::move(threads)) {}
  /// Subscribes `sink` (living on `ctx`'s thread) to `spec.topic`, creating and starting the topic
  /// with `spec`'s rate, size, payload and count/duration when it does not exist yet (a later
  /// subscriber's differing parameters are ignored). Events already published are not replayed.
  std::shared_ptr<EventSource> subscribe(ThreadContext& ctx, const StreamSpec& spec,
                                         std::weak_ptr<EventSink> sink);
  /// Forgets `topic` if it is still registered under `name` (it ended or lost its subscribers).
  void remove(const std::string& name, const Topic* topic);

 private:
  std::vector<ThreadContext*> threads_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Topic>> topics_;
};

}  // namespace pushbench::server
