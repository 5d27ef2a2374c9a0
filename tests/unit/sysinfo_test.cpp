#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "core/measure/sysinfo.hpp"

namespace pushbench {
namespace {

// The kernel's peak-RSS mark, which the load generator reads instead of sampling the server:
// it must see a peak that is gone by the time it reads, and forget it once reset.
TEST(PeakRss, KernelMarkKeepsAPeakUntilReset) {
  const pid_t self = getpid();
  constexpr std::size_t kBytes = std::size_t{64} << 20;
  void* block = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(block, MAP_FAILED);
  std::memset(block, 1, kBytes);
  const auto during = sample_rss(self);
  ASSERT_EQ(munmap(block, kBytes), 0);
  const auto after = sample_rss(self);
  const auto peak = peak_rss(self);
  ASSERT_TRUE(during && after && peak);
  ASSERT_LT(*after + kBytes / 2, *during);  // the block's pages were returned
  // Within the kernel's per-thread RSS counting, which syncs every few dozen page faults.
  EXPECT_GE(*peak + (std::size_t{1} << 20), *during);

  if (!reset_peak_rss(self)) GTEST_SKIP() << "/proc/self/clear_refs is not writable here";
  const auto reset = peak_rss(self);
  ASSERT_TRUE(reset);
  EXPECT_LT(*reset + kBytes / 2, *peak);
}

TEST(PeakRss, GoneProcessHasNone) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(peak_rss(child));
  EXPECT_FALSE(reset_peak_rss(child));
}

}  // namespace
}  // namespace pushbench
