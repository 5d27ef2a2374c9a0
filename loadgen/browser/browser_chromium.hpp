#pragma once
// A headless Chromium for `pushbench browser`: a fresh profile in a temporary directory, its own
// process group, stopped by process group (plus the crash handlers that leave the group, found by
// the temporary directory on their command line), and its cost read from /proc.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pushbench::loadgen {

/// CPU and memory of one kind of Chromium process, summed over the processes of that kind.
struct ChromiumCost {
  double cpu_s = 0;             ///< CPU seconds since they started
  std::uint64_t rss_bytes = 0;  ///< resident set sizes summed (shared pages count once each)
  unsigned processes = 0;       ///< how many were found
};

/// One /proc sample of a Chromium process group.
struct ChromiumSample {
  ChromiumCost renderer;  ///< --type=renderer (the page's, a spare, headless' own WebUI)
  ChromiumCost network;   ///< --utility-sub-type=network.mojom.NetworkService
  ChromiumCost total;     ///< every process of the group (browser, GPU, zygotes, utilities)
};

class ChromiumProcess {
 public:
  /// Starts `binary` headless on `url` with the machine's required flags and `extra_flags`.
  /// Throws std::runtime_error when the binary cannot be found or started.
  ChromiumProcess(const std::string& binary, const std::string& url,
                  const std::vector<std::string>& extra_flags);
  /// stop().
  ~ChromiumProcess();
  ChromiumProcess(const ChromiumProcess&) = delete;
  ChromiumProcess& operator=(const ChromiumProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// False once the browser process has exited (then reaped).
  bool running();
  /// SIGKILL to the process group and to our stray crash handlers; reaps the browser; removes
  /// the profile. Idempotent.
  void stop();
  /// The last `bytes` of Chromium's stdout/stderr (its log).
  std::string log_tail(std::size_t bytes) const;
  /// CPU and memory of the group now.
  ChromiumSample sample() const;

 private:
  std::filesystem::path dir_;  ///< temporary HOME and profile, removed by stop()
  pid_t pid_ = -1;             ///< the browser process, leader of the group
  bool reaped_ = false;        ///< waitpid() has collected it
};

/// The Chromium binary: $PUSHBENCH_CHROMIUM, else /usr/lib/chromium/chromium (the real binary
/// behind Debian's /usr/bin/chromium wrapper script), else "chromium" from PATH.
std::string default_chromium_binary();

}  // namespace pushbench::loadgen
