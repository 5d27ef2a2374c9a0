#include "loadgen/protocol/h2_slow_reader.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace pushbench::loadgen {

H2SlowReader::H2SlowReader(std::size_t streams, double fraction, double read_bps)
    : slow_(streams), owed_(streams, 0), read_bps_(read_bps) {
  for (std::size_t i = 0; i < streams; ++i) {
    slow_[i] = std::floor(static_cast<double>(i + 1) * fraction) >
               std::floor(static_cast<double>(i) * fraction);
  }
}

void H2SlowReader::consume(nghttp2_session* session, std::size_t index, std::int32_t id,
                           std::size_t len) {
  nghttp2_session_consume_connection(session, len);
  if (is_slow(index)) {
    owed_[index] += len;
  } else {
    nghttp2_session_consume_stream(session, id, len);
  }
}

void H2SlowReader::reopen(nghttp2_session* session,
                          const std::function<std::int32_t(std::size_t)>& open_id) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  if (last_read_ns_ != 0) {
    allowance_ = std::min(read_bps_,
                          allowance_ + static_cast<double>(now - last_read_ns_) * 1e-9 * read_bps_);
  }
  last_read_ns_ = now;
  for (std::size_t i = 0; i < slow_.size(); ++i) {
    if (!slow_[i] || owed_[i] == 0) continue;
    const std::int32_t id = open_id(i);
    if (id <= 0) continue;
    const auto n = std::min(owed_[i], static_cast<std::size_t>(allowance_));
    if (n == 0) break;
    nghttp2_session_consume_stream(session, id, n);
    owed_[i] -= n;
    allowance_ -= static_cast<double>(n);
  }
}

}  // namespace pushbench::loadgen
