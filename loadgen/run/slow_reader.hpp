#pragma once
// The slow-consumer workload's reading side of one connection (--slow-fraction over HTTP/1.1 or
// one stream a connection): a token bucket that reads at most max_read() bytes at a time and
// pauses n / read_bps after a read of n bytes, behind a small receive window so that the backlog
// stays at the server, where its slow-client policy acts. (Slow HTTP/2 streams sharing a
// connection are paced by their flow-control windows instead: loadgen/protocol/h2_slow_reader.)
#include <chrono>
#include <cstddef>

namespace pushbench::loadgen {

class SlowReader {
 public:
  /// SO_RCVBUF of a slow connection, in bytes.
  static constexpr int kReceiveBuffer = 16 << 10;

  /// Reads at `read_bps` bytes per second (positive).
  explicit SlowReader(double read_bps);
  /// The largest read: a twentieth of a second's worth, at least 512 bytes.
  std::size_t max_read() const { return max_read_; }
  /// A read of `n` bytes came: returns the pause before the next one.
  std::chrono::nanoseconds pause_after(std::size_t n) const;

 private:
  double read_bps_;       ///< the read rate, bytes per second
  std::size_t max_read_;  ///< the largest read, bytes
};

}  // namespace pushbench::loadgen
