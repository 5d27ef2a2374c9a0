#include "loadgen/suite/shard_run.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "core/measure/cpu_affinity.hpp"
#include "core/measure/sysinfo.hpp"
#include "loadgen/report/shard_merge.hpp"

namespace pushbench::loadgen {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

/// A private temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "pushbench-shards-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// Shard k's CPUs: cpus[k % size] when --loadgen-cpus lists two or more. Under busy-poll
/// without such a list, `threads` CPUs of this process's mask of its own (run_shards made sure
/// there are enough), so that spinning shards, each pinning its workers to the first CPUs of its
/// mask, do not pin them on top of each other. Empty otherwise: this process's CPUs.
std::vector<int> shard_cpus(const LoadConfig& config, unsigned k, const std::vector<int>& cpus,
                            const std::vector<int>& mask) {
  if (cpus.size() > 1) return {cpus[k % cpus.size()]};
  if (!config.busy_poll || !cpus.empty()) return {};
  const std::size_t per = std::max(1u, config.threads), first = std::size_t{k} * per;
  if (first + per > mask.size()) return {};
  const auto begin = mask.begin() + static_cast<std::ptrdiff_t>(first);
  return {begin, begin + static_cast<std::ptrdiff_t>(per)};
}

/// The child's body: never returns.
[[noreturn]] void run_child(LoadConfig config, const fs::path& report, const fs::path& error,
                            const std::vector<int>& cpus) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int rc = 0;
  try {
    if (!cpus.empty() && !pin_this_thread(cpus)) {
      throw std::runtime_error("cannot pin to CPUs " + cpu_list_text(cpus));
    }
    const std::string started = utc_timestamp();
    auto scenario = run_load(config);
    const std::string command = "pushbench load --shard " + std::to_string(config.shard->index) +
                                "/" + std::to_string(config.shard->count) + " --start-at " +
                                std::to_string(*config.start_at_ns) + " (run --shards)";
    write_report(make_report(nlohmann::json::array({scenario}), command, std::nullopt, started),
                 report.string());
  } catch (const std::exception& e) {
    std::ofstream(error) << e.what();
    rc = 1;
  }
  std::fflush(nullptr);
  _exit(rc);
}

/// Waits for `pids` until `deadline`; kills (SIGKILL, by pid) those still running then.
/// Returns each child's wait status (-1: killed at the deadline).
std::vector<int> wait_children(const std::vector<pid_t>& pids, steady_clock::time_point deadline) {
  std::vector<int> status(pids.size(), 0);
  std::vector<bool> done(pids.size(), false);
  std::size_t left = pids.size();
  while (left > 0) {
    for (std::size_t k = 0; k < pids.size(); ++k) {
      if (done[k]) continue;
      if (waitpid(pids[k], &status[k], WNOHANG) == pids[k]) {
        done[k] = true;
        --left;
      }
    }
    if (left == 0) break;
    if (steady_clock::now() >= deadline) {
      for (std::size_t k = 0; k < pids.size(); ++k) {
        if (done[k]) continue;
        kill(pids[k], SIGKILL);
        waitpid(pids[k], nullptr, 0);
        status[k] = -1;
      }
      break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return status;
}

}  // namespace

nlohmann::json run_shards(const LoadConfig& config, unsigned count, const std::vector<int>& cpus) {
  if (count < 2) throw std::invalid_argument("run_shards: fewer than two shards");
  // Each shard checks its own CPUs; spinning shards must not share one between them. Pinned,
  // shard k gets cpus[k % size] (one CPU listed: all of them share it); unpinned, they share
  // this process's CPUs.
  const std::size_t have = cpus.empty() ? allowed_cpus() : cpus.size();
  const std::size_t need = cpus.empty() ? std::size_t{count} * config.threads : count;
  if (config.busy_poll && need > have) {
    throw std::runtime_error("busy_poll with " + std::to_string(count) + " shards on " +
                             std::to_string(have) +
                             " CPU(s): spinning shards would share CPUs (give each shard its "
                             "own with --loadgen-cpus)");
  }
  const std::vector<int> mask = affinity_cpu_list();
  TempDir dir;
  const std::int64_t at = realtime_ns() + 1'500'000'000;
  std::vector<pid_t> pids;
  for (unsigned k = 0; k < count; ++k) {
    LoadConfig c = config;
    c.shard = ShardSpec{k, count};
    c.start_at_ns = at;
    c.seed = static_cast<std::uint64_t>(at);
    c.progress = nullptr;
    if (k != 0) c.server_pid.reset();
    const std::string base = "shard-" + std::to_string(k);
    const std::vector<int> own = shard_cpus(config, k, cpus, mask);
    const pid_t pid = fork();
    if (pid < 0) {
      for (pid_t p : pids) kill(p, SIGKILL);
      for (pid_t p : pids) waitpid(p, nullptr, 0);
      throw std::runtime_error("fork failed for shard " + std::to_string(k));
    }
    if (pid == 0) run_child(c, dir.path() / (base + ".json"), dir.path() / (base + ".error"), own);
    pids.push_back(pid);
  }
  const auto budget = duration<double>(1.5 + config.warmup_s + config.duration_s + config.drain_s +
                                       config.connect_timeout_s + 10);
  const auto status = wait_children(pids, steady_clock::now() + duration_cast<nanoseconds>(budget));
  std::vector<ShardReport> reports;
  for (unsigned k = 0; k < count; ++k) {
    const fs::path base = dir.path() / ("shard-" + std::to_string(k));
    std::ifstream err(base.string() + ".error");
    std::string why((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    if (status[k] == -1) why = "still running past the run's deadline; killed";
    if (why.empty() && !(WIFEXITED(status[k]) && WEXITSTATUS(status[k]) == 0)) {
      why = WIFSIGNALED(status[k]) ? "killed by signal " + std::to_string(WTERMSIG(status[k]))
                                   : "exited with status " + std::to_string(WEXITSTATUS(status[k]));
    }
    if (!why.empty()) {
      throw std::runtime_error("shard " + std::to_string(k) + "/" + std::to_string(count) +
                               " failed: " + why);
    }
    std::ifstream in(base.string() + ".json");
    reports.push_back({"shard " + std::to_string(k), nlohmann::json::parse(in)});
  }
  return merge_shards(reports)["scenarios"].front();
}

}  // namespace pushbench::loadgen
