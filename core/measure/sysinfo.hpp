#pragma once
// Readings from the kernel: per-socket TCP counters, per-process CPU and memory, machine facts.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <sys/types.h>

namespace pushbench {

/// Kernel TCP counters of one socket (TCP_INFO); payload bytes, excluding IP/TCP headers.
struct TcpCounters {
  std::uint64_t bytes_received = 0;  ///< tcpi_bytes_received minus the bytes still waiting in the
                                     ///< receive queue: payload bytes the application has read
  std::uint64_t bytes_acked = 0;     ///< tcpi_bytes_acked: payload bytes sent and acknowledged
  std::uint64_t segments_in = 0;     ///< tcpi_segs_in
  std::uint64_t segments_out = 0;    ///< tcpi_segs_out
};

/// TCP_INFO (and the receive queue, FIONREAD) of socket `fd`; nullopt when the kernel does not
/// provide these counters. Subtracting unread bytes pairs the byte count with the events the
/// application has read, even when it lags behind the kernel.
std::optional<TcpCounters> read_tcp_counters(int fd) noexcept;

/// CPU time and memory of one process from /proc.
struct ProcessSample {
  double cpu_s = 0;            ///< CPU seconds since the process started (ns-precise from
                               ///< schedstat where the kernel has it, else clock ticks)
  std::uint64_t rss_bytes = 0; ///< resident set size
  std::uint64_t rss_anon_bytes = 0;  ///< its anonymous part (heap, stacks): resident minus the
                                     ///< file-backed and shared pages (code the process has
                                     ///< touched, which is a fixed cost, not one per connection)
  std::uint64_t voluntary_switches = 0;  ///< wake-ups: voluntary context switches summed over the
                                         ///< live threads (task/*/status; a thread that has
                                         ///< exited no longer counts)
};

/// Voluntary context switches of this process, every thread including exited ones (getrusage).
std::uint64_t self_voluntary_switches();

/// Resident set size of /proc/<pid> alone (cheap: one small file); nullopt when gone.
std::optional<std::uint64_t> sample_rss(pid_t pid);

/// Resets the kernel's peak-RSS mark of `pid` to its present RSS (/proc/<pid>/clear_refs "5",
/// Linux 4.0+; nothing else of the process changes); false when not permitted or not supported.
bool reset_peak_rss(pid_t pid);

/// The kernel's peak RSS of `pid` since it started or since reset_peak_rss (VmHWM, which
/// includes the present RSS); nullopt when the process is gone.
std::optional<std::uint64_t> peak_rss(pid_t pid);

/// Samples /proc/<pid>; nullopt when the process is gone or /proc is unreadable.
std::optional<ProcessSample> sample_process(pid_t pid);

/// CPUs this thread may use, at least 1: those sched_getaffinity allows (what taskset or
/// --loadgen-cpus left it), fewer when a cgroup v2 CPU quota (/sys/fs/cgroup/cpu.max, as
/// `docker --cpus` sets) allows less (rounded up); the online CPUs when the mask cannot be read.
unsigned allowed_cpus();

/// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the soft limit now in force.
std::uint64_t raise_fd_limit();

/// Machine and build facts for reports: hostname, kernel, cpu_model, cpus, memory_bytes,
/// compiler, libraries {boost, openssl, zlib, nghttp2}.
nlohmann::json environment_json();

/// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_timestamp();

}  // namespace pushbench
