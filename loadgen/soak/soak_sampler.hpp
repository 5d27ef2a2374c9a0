#pragma once
// The soak's view of the servers: RSS, open file descriptors and CPU time of each pid, sampled
// from /proc once a second on a thread of its own.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// One process at one instant.
struct SoakSample {
  double t_s = 0;               ///< seconds since the sampler started
  std::uint64_t rss_bytes = 0;  ///< resident set size
  std::uint64_t fds = 0;        ///< entries of /proc/<pid>/fd
  double cpu_s = 0;             ///< CPU seconds since the process started
};

/// RSS, fds and CPU of `pid` now; nullopt when it is gone.
std::optional<SoakSample> sample_soak(pid_t pid);

class SoakSampler {
 public:
  explicit SoakSampler(std::vector<pid_t> pids);
  ~SoakSampler();
  SoakSampler(const SoakSampler&) = delete;
  SoakSampler& operator=(const SoakSampler&) = delete;
  void start();
  void stop();
  /// Every sample of process `i` (of the constructor's list) so far.
  std::vector<SoakSample> series(std::size_t i) const;

 private:
  void run();
  std::vector<pid_t> pids_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;                        ///< guards series_
  std::vector<std::vector<SoakSample>> series_;  ///< per pid
};

/// Least-squares slope of RSS over the samples at or after `from_s`, in bytes per minute
/// (null with fewer than 3 samples).
nlohmann::json rss_slope_per_min(const std::vector<SoakSample>& s, double from_s);

}  // namespace pushbench::loadgen
