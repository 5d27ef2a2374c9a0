#include "loadgen/run/slow_reader.hpp"

#include <algorithm>
#include <cstdint>

namespace pushbench::loadgen {

SlowReader::SlowReader(double read_bps)
    : read_bps_(read_bps),
      max_read_(std::max<std::size_t>(512, static_cast<std::size_t>(read_bps / 20))) {}

std::chrono::nanoseconds SlowReader::pause_after(std::size_t n) const {
  return std::chrono::nanoseconds(
      static_cast<std::int64_t>(static_cast<double>(n) * 1e9 / read_bps_));
}

}  // namespace pushbench::loadgen
