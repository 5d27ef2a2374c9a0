#pragma once
// A bounded queue of encoded messages waiting for one connection's single in-flight write.
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace pushbench::server {

/// An encoded message, immutable and shared (a broadcast event is encoded once for all subscribers).
using SharedBuffer = std::shared_ptr<const std::string>;

/// What happened to a message offered to a connection. (A "backpressure" result for a queue over
/// half full was never acted on and is gone: a slow client is dropped at the limit, counted.)
enum class SendResult {
  success,  ///< queued
  dropped,  ///< the queue limit was hit: the message was discarded and the client is dropped
};

/// Messages waiting to be written, bounded in bytes. Not thread-safe (one connection, one thread).
class SendQueue {
 public:
  explicit SendQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  /// Appends `msg` unless that would exceed the byte limit (then returns dropped, queue unchanged).
  SendResult push(SharedBuffer msg) {
    if (bytes_ + msg->size() > max_bytes_ && !items_.empty()) return SendResult::dropped;
    bytes_ += msg->size();
    items_.push_back(std::move(msg));
    return SendResult::success;
  }
  /// Removes the first `n` messages (after they were written).
  void pop(std::size_t n) {
    for (; n > 0 && !items_.empty(); --n) {
      bytes_ -= items_.front()->size();
      items_.pop_front();
    }
  }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  std::size_t bytes() const { return bytes_; }
  const std::deque<SharedBuffer>& items() const { return items_; }

 private:
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::deque<SharedBuffer> items_;
};

}  // namespace pushbench::server
