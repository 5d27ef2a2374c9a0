#pragma once
// The head-of-line workload's flow control on an HTTP/2 client connection: slow streams' windows
// reopen at a fixed read rate only; every other stream, and the connection, consume at once.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

struct nghttp2_session;

namespace pushbench::loadgen {

class H2SlowReader {
 public:
  /// Marks the slow streams among `streams`: stream i is slow iff
  /// floor((i+1) * fraction) > floor(i * fraction); slow streams read `read_bps` bytes/s in all.
  H2SlowReader(std::size_t streams, double fraction, double read_bps);
  /// True for a slow stream.
  bool is_slow(std::size_t stream) const { return stream < slow_.size() && slow_[stream]; }
  /// Marks `len` received bytes of stream `index` (nghttp2 id `id`; index >= streams for a
  /// stream that is not one of ours) as read: at once, or owed until reopen() for a slow stream.
  void consume(nghttp2_session* session, std::size_t index, std::int32_t id, std::size_t len);
  /// Reopens slow streams' windows by the time passed since the previous call (at most one
  /// second of reading saved up). `open_id(i)` is the nghttp2 id of stream i, 0 once it ended.
  void reopen(nghttp2_session* session, const std::function<std::int32_t(std::size_t)>& open_id);

 private:
  std::vector<bool> slow_;         ///< by stream index
  std::vector<std::size_t> owed_;  ///< slow streams' received, unconsumed bytes
  double read_bps_ = 0;            ///< the slow streams' read rate, bytes per second
  double allowance_ = 0;           ///< bytes slow streams may consume now
  std::int64_t last_read_ns_ = 0;  ///< steady time of the previous reopen()
};

}  // namespace pushbench::loadgen
