#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "servers/carrier/gather.hpp"

namespace pushbench::server {
namespace {

/// The bytes a gather still holds, in order.
std::string gathered_rest(const std::vector<boost::asio::const_buffer>& gather) {
  std::string out;
  for (const auto& b : gather) out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

// Buffers of uneven sizes with an empty one among them; the kernel takes the bytes in one, two
// or three parts split at every place: what is left is always the rest of the stream.
TEST(ConsumeWritten, TheRestFollowsAtEverySplit) {
  const std::vector<std::string> parts = {"abc", "", "defgh", "i", "jklmnop"};
  std::string all;
  for (const auto& p : parts) all += p;
  const auto fresh = [&] {
    std::vector<boost::asio::const_buffer> g;
    for (const auto& p : parts) g.emplace_back(p.data(), p.size());
    return g;
  };
  for (std::size_t a = 0; a <= all.size(); ++a) {
    for (std::size_t b = a; b <= all.size(); ++b) {
      auto g = fresh();
      const bool first_done = consume_written(g, a);
      EXPECT_EQ(first_done, a == all.size()) << a;
      EXPECT_EQ(gathered_rest(g), all.substr(a)) << a;
      if (first_done) continue;
      const bool second_done = consume_written(g, b - a);
      EXPECT_EQ(second_done, b == all.size()) << a << " " << b;
      EXPECT_EQ(gathered_rest(g), all.substr(b)) << a << " " << b;
      if (second_done) continue;
      EXPECT_TRUE(consume_written(g, all.size() - b)) << a << " " << b;
      EXPECT_TRUE(g.empty());
    }
  }
}

TEST(ConsumeWritten, NothingWrittenLeavesEverything) {
  const std::string x = "xyz";
  std::vector<boost::asio::const_buffer> g = {boost::asio::const_buffer(x.data(), x.size())};
  EXPECT_FALSE(consume_written(g, 0));
  EXPECT_EQ(gathered_rest(g), "xyz");
}

}  // namespace
}  // namespace pushbench::server
