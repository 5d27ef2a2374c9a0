#pragma once
// Which CPUs a thread may run on, and pinning a thread to some of them (sched_getaffinity and
// sched_setaffinity, sized for the machine rather than CPU_SETSIZE).

#include <string>
#include <vector>

namespace pushbench {

/// The CPUs in the calling thread's affinity mask (what taskset or --loadgen-cpus left it),
/// ascending; empty when the mask cannot be read.
std::vector<int> affinity_cpu_list();

/// Restricts the calling thread to `cpus` (non-empty, each >= 0). False when the thread's mask is
/// not then exactly those CPUs: the kernel refused them all (the mask unchanged) or kept only
/// those it may use (offline or outside the process's cpuset ones dropped).
bool pin_this_thread(const std::vector<int>& cpus);

/// `cpus` as text, comma-separated in the order given ("0,1"; "" when empty), as the report's
/// pinning fields are written.
std::string cpu_list_text(const std::vector<int>& cpus);

}  // namespace pushbench
