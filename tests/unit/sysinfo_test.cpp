#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "core/measure/cpu_affinity.hpp"
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

// Per-connection memory counts anonymous pages only: a file's pages the process touches (as
// it touches code on its first connection) are resident but not anonymous.
TEST(ProcessSample, AnonymousMemoryLeavesFilePagesOut) {
  const pid_t self = getpid();
  constexpr std::size_t kBytes = std::size_t{32} << 20;
  const auto before = sample_process(self);
  ASSERT_TRUE(before);
  EXPECT_LE(before->rss_anon_bytes, before->rss_bytes);

  char path[] = "/tmp/pushbench-sysinfo-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  unlink(path);
  ASSERT_EQ(ftruncate(fd, kBytes), 0);
  void* file = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(file, MAP_FAILED);
  std::memset(file, 1, kBytes);
  const auto with_file = sample_process(self);
  void* anon = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(anon, MAP_FAILED);
  std::memset(anon, 1, kBytes);
  const auto with_both = sample_process(self);
  munmap(anon, kBytes);
  munmap(file, kBytes);
  close(fd);
  ASSERT_TRUE(with_file && with_both);

  EXPECT_GE(with_file->rss_bytes, before->rss_bytes + kBytes / 2)
      << "the file's pages are resident";
  EXPECT_LT(with_file->rss_anon_bytes, before->rss_anon_bytes + kBytes / 4) << "but not anonymous";
  EXPECT_GE(with_both->rss_anon_bytes, with_file->rss_anon_bytes + kBytes / 2);
}

TEST(PeakRss, GoneProcessHasNone) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(peak_rss(child));
  EXPECT_FALSE(reset_peak_rss(child));
}

TEST(AllowedCpus, FollowsThisThreadsAffinity) {
  const unsigned all = allowed_cpus();
  EXPECT_GE(all, 1u);
  // In a thread of its own, so that the test process's mask is left as it was.
  unsigned pinned = 0;
  std::thread([&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    ASSERT_EQ(sched_getaffinity(0, sizeof one, &one), 0);
    int first = 0;
    while (first < CPU_SETSIZE && !CPU_ISSET(first, &one)) ++first;
    ASSERT_LT(first, CPU_SETSIZE);
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    pinned = allowed_cpus();
  }).join();
  EXPECT_EQ(pinned, 1u) << "taskset -c N leaves one CPU";
  EXPECT_EQ(allowed_cpus(), all);
}

TEST(CpuAffinity, ListsThisThreadsMaskAndPinsOneThreadAlone) {
  const std::vector<int> all = affinity_cpu_list();
  ASSERT_FALSE(all.empty());
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  cpu_set_t mask;
  CPU_ZERO(&mask);
  ASSERT_EQ(sched_getaffinity(0, sizeof mask, &mask), 0);
  EXPECT_EQ(all.size(), static_cast<std::size_t>(CPU_COUNT(&mask)));
  for (const int cpu : all) EXPECT_TRUE(CPU_ISSET(cpu, &mask)) << cpu;
  // Another thread's pin leaves this one's mask alone.
  std::vector<int> pinned, after_bad;
  bool bad = true, empty = true;
  std::thread([&] {
    ASSERT_TRUE(pin_this_thread({all.back()}));
    pinned = affinity_cpu_list();
    bad = pin_this_thread({-1});
    empty = pin_this_thread({});
    // A CPU far beyond any machine's: the kernel refuses, the mask stays.
    bad = bad || pin_this_thread({1 << 18});
    after_bad = affinity_cpu_list();
  }).join();
  EXPECT_EQ(pinned, std::vector<int>{all.back()});
  EXPECT_FALSE(bad);
  EXPECT_FALSE(empty);
  EXPECT_EQ(after_bad, pinned);
  EXPECT_EQ(affinity_cpu_list(), all);
}

TEST(CpuAffinity, ListTextIsCommaSeparatedInTheOrderGiven) {
  EXPECT_EQ(cpu_list_text({}), "");
  EXPECT_EQ(cpu_list_text({3}), "3");
  EXPECT_EQ(cpu_list_text({2, 0, 11}), "2,0,11");
}

}  // namespace
}  // namespace pushbench
