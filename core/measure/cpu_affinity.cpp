#include "core/measure/cpu_affinity.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace pushbench {

namespace {

/// The largest CPU count a mask read is sized for (the doubling below stops there).
constexpr long kMaxMaskCpus = 1L << 20;

/// The CPU count a mask is first sized for: the configured CPUs, at least CPU_SETSIZE's 1024;
/// doubled while the kernel says EINVAL (its mask is larger).
long first_mask_cpus() {
  return std::max(1024L, sysconf(_SC_NPROCESSORS_CONF));
}

}  // namespace

std::vector<int> affinity_cpu_list() {
  for (long n = first_mask_cpus(); n <= kMaxMaskCpus; n *= 2) {
    cpu_set_t* set = CPU_ALLOC(n);
    if (!set) return {};
    const std::size_t size = CPU_ALLOC_SIZE(n);
    CPU_ZERO_S(size, set);
    const int rc = sched_getaffinity(0, size, set);
    const int err = errno;
    std::vector<int> cpus;
    if (rc == 0) {
      for (long cpu = 0; cpu < n; ++cpu) {
        if (CPU_ISSET_S(static_cast<std::size_t>(cpu), size, set))
          cpus.push_back(static_cast<int>(cpu));
      }
    }
    CPU_FREE(set);
    if (rc == 0 || err != EINVAL) return cpus;
  }
  return {};
}

bool pin_this_thread(const std::vector<int>& cpus) {
  if (cpus.empty()) return false;
  const int highest = *std::max_element(cpus.begin(), cpus.end());
  if (*std::min_element(cpus.begin(), cpus.end()) < 0) return false;
  const long n = std::max(first_mask_cpus(), static_cast<long>(highest) + 1);
  cpu_set_t* set = CPU_ALLOC(n);
  if (!set) return false;
  const std::size_t size = CPU_ALLOC_SIZE(n);
  CPU_ZERO_S(size, set);
  for (const int cpu : cpus) CPU_SET_S(static_cast<std::size_t>(cpu), size, set);
  // pid 0: the calling thread alone, not its process.
  const bool set_ok = sched_setaffinity(0, size, set) == 0;
  CPU_FREE(set);
  if (!set_ok) return false;
  // The kernel keeps the CPUs of a list it may use and drops the others silently: pinned only
  // when the mask is now exactly the list.
  std::vector<int> wanted = cpus;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  return affinity_cpu_list() == wanted;
}

std::string cpu_list_text(const std::vector<int>& cpus) {
  std::string out;
  for (const int cpu : cpus) {
    if (!out.empty()) out += ',';
    out += std::to_string(cpu);
  }
  return out;
}

}  // namespace pushbench
