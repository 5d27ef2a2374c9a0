#pragma once
// A pushbench-server child process on an ephemeral loopback port, terminated on destruction.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pushbench::loadgen {

/// Forks and executes `args` (args[0] looked up in PATH when it has no '/') as the leader of a
/// process group of its own (so a terminal's Ctrl-C reaches only pushbench, and the group can be
/// stopped as one), dying with its parent, pinned to `cpus` when given, with stderr (and stdout)
/// appended to `output` when not empty. Returns the child's pid; throws when fork fails.
pid_t spawn_process_group(std::vector<std::string> args,
                          const std::optional<std::vector<int>>& cpus,
                          const std::string& output = {});

class ServerProcess {
 public:
  /// Starts `binary --transport T --listen 127.0.0.1:0 --threads N [extra_args]`, pinned to `cpus`
  /// when given, and waits (up to 10 s) for its port. Throws std::runtime_error on failure.
  ServerProcess(const std::string& binary, const std::string& transport, unsigned threads,
                const std::optional<std::vector<int>>& cpus = std::nullopt,
                const std::vector<std::string>& extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  /// SIGTERM, then SIGKILL after 2 s; returns the exit status as waitpid() reports it.
  int terminate();

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int status_ = 0;
};

}  // namespace pushbench::loadgen
