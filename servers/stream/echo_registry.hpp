#pragma once
// Chat / request-reply routing: the streams that asked for `echo=1&stream=<id>`, so that a message
// arriving on another connection (an SSE client's POST /send?stream=<id>, possibly on another
// thread) is delivered as an event on the sender's stream, on the stream's own thread.
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "servers/stream/event_stream.hpp"

namespace pushbench::server {

class EchoRegistry {
 public:
  explicit EchoRegistry(std::size_t max_streams) : max_streams_(max_streams) {}
  /// Registers `sink` (living on `ctx`'s thread) under `id`, replacing an earlier stream of that
  /// id (a reconnect); false when the registry is full. Thread-safe.
  bool add(const std::string& id, ThreadContext& ctx, std::weak_ptr<EventSink> sink);
  /// Delivers `message` as one event of stream `id` on its thread; false when no such stream is
  /// open. Thread-safe.
  bool deliver(const std::string& id, std::string message);

 private:
  struct Entry {
    ThreadContext* ctx;
    std::weak_ptr<EventSink> sink;
  };
  std::size_t max_streams_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> streams_;
};

}  // namespace pushbench::server
