#pragma once
// What is left of a gathered write after the kernel took part of it.
#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <vector>

namespace pushbench::server {

/// Drops the first `written` bytes of `gather`: the buffers written whole go, the first one
/// written in part starts after its written bytes. Returns true when nothing is left.
/// `written` must not exceed the bytes in `gather`.
inline bool consume_written(std::vector<boost::asio::const_buffer>& gather, std::size_t written) {
  std::size_t whole = 0;
  while (whole < gather.size() && written >= gather[whole].size()) {
    written -= gather[whole++].size();
  }
  gather.erase(gather.begin(), gather.begin() + static_cast<std::ptrdiff_t>(whole));
  if (gather.empty()) return true;
  gather.front() += written;
  return false;
}

}  // namespace pushbench::server
