#include "servers/stream/drain.hpp"

#include <boost/asio/post.hpp>
#include <vector>

namespace pushbench::server {

std::uint64_t DrainSet::add(std::weak_ptr<Drainable> conn) {
  const auto key = next_key_++;
  if (ioc_) {
    boost::asio::post(*ioc_, [conn] {
      if (auto c = conn.lock()) c->go_away();
    });
  }
  live_.emplace(key, std::move(conn));
  return key;
}

void DrainSet::go_away_all(boost::asio::io_context& ioc) {
  ioc_ = &ioc;
  // go_away() may destroy connections (and so remove() them): walk a copy.
  std::vector<std::shared_ptr<Drainable>> live;
  live.reserve(live_.size());
  for (const auto& [key, weak] : live_) {
    if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) c->go_away();
}

}  // namespace pushbench::server
