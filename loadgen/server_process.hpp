#pragma once
// A pushbench-server child process on an ephemeral loopback port, terminated on destruction.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pushbench::loadgen {

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
