#pragma once
// A bounded queue of encoded messages waiting for one connection's single in-flight write.
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace pushbench::server {

/// An encoded message, immutable and shared (a broadcast event is encoded once for all
/// subscribers).
using SharedBuffer = std::shared_ptr<const std::string>;

/// What happened to a message offered to a connection. (A "backpressure" result for a queue over
/// half full was never acted on and is gone: a slow client is dropped at the limit, counted.)
enum class SendResult {
  success,  ///< queued
  dropped,  ///< the queue limit was hit: the message was discarded and the client is dropped
};

/// Messages waiting to be written, bounded in bytes. Not thread-safe (one connection, one thread).
///
/// A ring of slots: one held inline, more on the heap only while more than one message waits
/// (eight, then doubling), given back whenever the queue empties. An idle subscription, or one
/// whose writes keep up, so holds no heap block (a std::deque keeps a 512-byte one).
class SendQueue {
 public:
  explicit SendQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  /// Appends `msg` unless that would exceed the byte limit (then returns dropped, queue unchanged).
  SendResult push(SharedBuffer msg) {
    if (bytes_ + msg->size() > max_bytes_ && size_ > 0) return SendResult::dropped;
    if (size_ == capacity_) grow();
    bytes_ += msg->size();
    slots()[(head_ + size_) & (capacity_ - 1)] = std::move(msg);
    ++size_;
    return SendResult::success;
  }
  /// Removes the first `n` messages (after they were written).
  void pop(std::size_t n) {
    for (; n > 0 && size_ > 0; --n) {
      auto& front = slots()[head_];
      bytes_ -= front->size();
      front.reset();
      head_ = (head_ + 1) & (capacity_ - 1);
      --size_;
    }
    if (size_ == 0) {
      heap_.reset();
      capacity_ = 1;
      head_ = 0;
    }
  }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return bytes_; }
  /// The oldest message; the queue must not be empty.
  const std::string& front() const { return *slots()[head_]; }
  /// The `i`-th oldest message, i < size().
  const std::string& operator[](std::size_t i) const {
    return *slots()[(head_ + i) & (capacity_ - 1)];
  }

 private:
  SharedBuffer* slots() { return heap_ ? heap_.get() : &inline_; }
  const SharedBuffer* slots() const { return heap_ ? heap_.get() : &inline_; }
  /// Moves to a larger heap ring (a power of two, so positions wrap with a mask), oldest first.
  void grow() {
    const std::size_t capacity = capacity_ == 1 ? 8 : capacity_ * 2;
    auto heap = std::make_unique<SharedBuffer[]>(capacity);
    SharedBuffer* old = slots();
    for (std::size_t i = 0; i < size_; ++i) heap[i] = std::move(old[(head_ + i) & (capacity_ - 1)]);
    heap_ = std::move(heap);
    capacity_ = capacity;
    head_ = 0;
  }

  std::size_t max_bytes_;                 ///< the byte limit of push()
  std::size_t bytes_ = 0;                 ///< bytes of the queued messages
  SharedBuffer inline_;                   ///< the only slot while at most one message waits
  std::unique_ptr<SharedBuffer[]> heap_;  ///< the slots while more wait; null otherwise
  std::size_t capacity_ = 1;              ///< slots in use (1: inline_; else a power of two)
  std::size_t head_ = 0;                  ///< slot of the oldest message
  std::size_t size_ = 0;                  ///< messages queued
};

}  // namespace pushbench::server
