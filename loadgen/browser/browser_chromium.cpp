#include "loadgen/browser/browser_chromium.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/measure/sysinfo.hpp"
#include "loadgen/run/server_process.hpp"

namespace pushbench::loadgen {

namespace fs = std::filesystem;

namespace {

/// The machine's required flags: headless as root, no GPU, and nothing that reaches out to the
/// network on its own (the closed network refuses it, and it would add to the measured cost).
const std::vector<std::string>& base_flags() {
  static const std::vector<std::string> flags = {"--headless",
                                                 "--no-sandbox",
                                                 "--disable-gpu",
                                                 "--disable-quic",
                                                 "--no-first-run",
                                                 "--disable-background-networking",
                                                 "--disable-component-update",
                                                 "--disable-sync",
                                                 "--disable-extensions",
                                                 "--disable-default-apps",
                                                 "--no-default-browser-check",
                                                 "--disable-breakpad",
                                                 "--metrics-recording-only",
                                                 "--mute-audio"};
  return flags;
}

/// The whole of /proc/<pid>/<file>; empty when unreadable.
std::string read_proc(pid_t pid, const char* file) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Process group of `pid` from /proc/<pid>/stat (field 5, after the command in parentheses).
std::optional<pid_t> process_group(pid_t pid) {
  const auto stat = read_proc(pid, "stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  long ppid = 0, pgrp = 0;
  if (!(rest >> state >> ppid >> pgrp)) return std::nullopt;
  return static_cast<pid_t>(pgrp);
}

/// Every pid in /proc.
std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const auto name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

void add(ChromiumCost& c, const ProcessSample& s) {
  c.cpu_s += s.cpu_s;
  c.rss_bytes += s.rss_bytes;
  ++c.processes;
}

}  // namespace

std::string default_chromium_binary() {
  if (const char* env = std::getenv("PUSHBENCH_CHROMIUM"); env && *env) return env;
  if (access("/usr/lib/chromium/chromium", X_OK) == 0) return "/usr/lib/chromium/chromium";
  return "chromium";
}

ChromiumProcess::ChromiumProcess(const std::string& binary, const std::string& url,
                                 const std::vector<std::string>& extra_flags) {
  static std::atomic<int> counter{0};
  dir_ = fs::temp_directory_path() /
         ("pushbench-chromium-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(dir_);
  fs::create_directories(dir_ / "profile");
  // HOME in the temporary directory too: the crash handlers keep their database under it.
  std::vector<std::string> args = {"env", "HOME=" + dir_.string(), binary};
  args.insert(args.end(), base_flags().begin(), base_flags().end());
  args.push_back("--user-data-dir=" + (dir_ / "profile").string());
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  args.push_back(url);
  pid_ = spawn_process_group(std::move(args), std::nullopt, (dir_ / "chromium.log").string());
}

ChromiumProcess::~ChromiumProcess() {
  stop();
}

bool ChromiumProcess::running() {
  if (reaped_ || pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

void ChromiumProcess::stop() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  if (!reaped_) {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
  }
  // The crash handlers start process groups of their own; ours name our directory.
  // The directory as a whole path component ("…-1" must not match "…-10").
  const std::string mark_dir = dir_.string() + "/";
  const std::string mark_end = dir_.string() + std::string(1, '\0');
  for (int round = 0; round < 20; ++round) {
    bool found = false;
    for (pid_t p : all_pids()) {
      const auto cmdline = read_proc(p, "cmdline");
      const bool ours = cmdline.find(mark_dir) != std::string::npos ||
                        cmdline.find(mark_end) != std::string::npos;
      if (p == getpid() || !ours) continue;
      if (process_group(p) == pid_ || cmdline.find("crashpad") != std::string::npos) {
        kill(p, SIGKILL);
        found = true;
      }
    }
    if (!found) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
  pid_ = -1;
}

std::string ChromiumProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(dir_ / "chromium.log", std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  auto text = s.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

ChromiumSample ChromiumProcess::sample() const {
  ChromiumSample out;
  if (pid_ <= 0) return out;
  for (pid_t p : all_pids()) {
    if (process_group(p) != pid_) continue;
    const auto s = sample_process(p);
    if (!s) continue;
    const auto cmdline = read_proc(p, "cmdline");
    add(out.total, *s);
    if (cmdline.find("--type=renderer") != std::string::npos) add(out.renderer, *s);
    if (cmdline.find("--utility-sub-type=network.mojom.NetworkService") != std::string::npos) {
      add(out.network, *s);
    }
  }
  return out;
}

}  // namespace pushbench::loadgen
