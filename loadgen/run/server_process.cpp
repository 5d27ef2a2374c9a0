#include "loadgen/run/server_process.hpp"

#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace pushbench::loadgen {

namespace fs = std::filesystem;

pid_t spawn_process_group(std::vector<std::string> args,
                          const std::optional<std::vector<int>>& cpus, const std::string& output) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Its own process group (a terminal's Ctrl-C reaches only pushbench, which then finishes
    // the run in progress); and it dies with its parent, whatever way the parent ends.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (cpus) {
      cpu_set_t set;
      CPU_ZERO(&set);
      for (int c : *cpus) CPU_SET(c, &set);
      sched_setaffinity(0, sizeof set, &set);
    }
    if (!output.empty()) {
      if (FILE* f = std::freopen(output.c_str(), "a", stderr)) (void)f;
      if (FILE* f = std::freopen(output.c_str(), "a", stdout)) (void)f;
    }
    execvp(argv[0], argv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so that a group signal never races the child's own call
  return pid;
}

ServerProcess::ServerProcess(const std::string& binary, const std::string& transport,
                             unsigned threads, const std::optional<std::vector<int>>& cpus,
                             const std::vector<std::string>& extra_args) {
  static std::atomic<int> counter{0};
  dir_ = fs::temp_directory_path() /
         ("pushbench-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(dir_);
  const std::string port_file = (dir_ / "port").string();
  std::vector<std::string> args = {binary,        "--transport", transport,
                                   "--listen",    "127.0.0.1:0", "--port-file",
                                   port_file,     "--threads",   std::to_string(threads),
                                   "--quiet"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn_process_group(std::move(args), cpus);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    if (in >> port_) break;
    if (waitpid(pid_, &status_, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the server (" + binary + ") exited at start-up");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (port_ == 0) {
    terminate();
    throw std::runtime_error("the server (" + binary + ") did not report its port within 10 s");
  }
}

int ServerProcess::terminate() {
  if (pid_ <= 0) return status_;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, &status_, WNOHANG) == pid_) {
      pid_ = -1;
      return status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status_, 0);
  pid_ = -1;
  return status_;
}

ServerProcess::~ServerProcess() {
  terminate();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

}  // namespace pushbench::loadgen
