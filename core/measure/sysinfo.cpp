#include "core/measure/sysinfo.hpp"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <boost/version.hpp>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>

#include "core/measure/cpu_affinity.hpp"

#if __has_include(<nghttp2/nghttp2.h>)
#include <nghttp2/nghttp2.h>
#define PUSHBENCH_HAVE_NGHTTP2_HEADER 1
#endif

namespace pushbench {

std::optional<TcpCounters> read_tcp_counters(int fd) noexcept {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
  // tcpi_bytes_received is the last field we read; older kernels return a shorter struct.
  if (len < offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
    return std::nullopt;
  int unread = 0;
  if (ioctl(fd, FIONREAD, &unread) != 0 || unread < 0) unread = 0;
  return TcpCounters{info.tcpi_bytes_received - static_cast<std::uint64_t>(unread),
                     info.tcpi_bytes_acked, info.tcpi_segs_in, info.tcpi_segs_out};
}

namespace {
/// CPU nanoseconds of every thread of `base` (/proc/<pid>) from task/*/schedstat; nullopt when
/// the kernel has no schedstat. Unlike /proc/<pid>/stat (clock ticks of 10 ms), this is exact.
std::optional<double> schedstat_cpu_s(const std::string& base) {
  std::error_code ec;
  std::filesystem::directory_iterator it(base + "/task", ec);
  if (ec) return std::nullopt;
  unsigned long long total_ns = 0;
  bool any = false;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::ifstream in(it->path() / "schedstat");
    unsigned long long ns = 0;
    if (in >> ns) {
      total_ns += ns;
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return static_cast<double>(total_ns) / 1e9;
}

/// voluntary_ctxt_switches of every live thread of `base` (/proc/<pid>), summed.
std::uint64_t voluntary_switches(const std::string& base) {
  constexpr std::string_view kKey = "voluntary_ctxt_switches:";
  std::error_code ec;
  std::filesystem::directory_iterator it(base + "/task", ec);
  if (ec) return 0;
  std::uint64_t total = 0;
  // increment(ec): a thread (or the process) may exit during the walk.
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::ifstream in(it->path() / "status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(kKey, 0) != 0) continue;
      total += std::strtoull(line.c_str() + kKey.size(), nullptr, 10);
      break;
    }
  }
  return total;
}
}  // namespace

std::uint64_t self_voluntary_switches() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_nvcsw);
}

namespace {

/// Resident and anonymous bytes from /proc/<pid>/statm (resident minus shared: RssAnon).
std::optional<std::pair<std::uint64_t, std::uint64_t>> read_statm(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  unsigned long long size_pages = 0, resident_pages = 0, shared_pages = 0;
  if (!(statm >> size_pages >> resident_pages >> shared_pages)) return std::nullopt;
  const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  return std::pair{resident_pages * page,
                   (resident_pages - std::min(shared_pages, resident_pages)) * page};
}

}  // namespace

std::optional<std::uint64_t> sample_rss(pid_t pid) {
  const auto statm = read_statm(pid);
  if (!statm) return std::nullopt;
  return statm->first;
}

bool reset_peak_rss(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

std::optional<std::uint64_t> peak_rss(pid_t pid) {
  constexpr std::string_view kKey = "VmHWM:";
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(kKey, 0) != 0) continue;
    return std::strtoull(line.c_str() + kKey.size(), nullptr, 10) * 1024;  // "<n> kB"
  }
  return std::nullopt;
}

std::optional<ProcessSample> sample_process(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat(base + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  // Field 2 (comm) may contain spaces: parse after the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // After comm: state(3) ppid(4) ... utime(14) stime(15).
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  const auto rss = read_statm(pid);
  if (!rss) return std::nullopt;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  // One source for every sample of a process, so that differences are consistent.
  const double cpu =
      schedstat_cpu_s(base).value_or(static_cast<double>(utime + stime) / ticks);
  return ProcessSample{cpu, rss->first, rss->second, voluntary_switches(base)};
}

namespace {

/// CPUs' worth of time a cgroup v2 quota allows per period, rounded up; 0 when unlimited or
/// unknown.
unsigned quota_cpus() {
  std::ifstream in("/sys/fs/cgroup/cpu.max");
  std::string quota;
  double period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0) return 0;
  const double q = std::strtod(quota.c_str(), nullptr);
  return q > 0 ? static_cast<unsigned>(std::ceil(q / period)) : 0;
}

}  // namespace

unsigned allowed_cpus() {
  unsigned n = static_cast<unsigned>(affinity_cpu_list().size());
  if (n == 0) n = static_cast<unsigned>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  if (const unsigned q = quota_cpus(); q > 0) n = std::min(n, q);
  return std::max(n, 1u);
}

std::uint64_t raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

namespace {
std::string read_cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}
}  // namespace

nlohmann::json environment_json() {
  utsname u{};
  uname(&u);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  nlohmann::json libs = {
      {"boost", std::to_string(BOOST_VERSION / 100000) + "." +
                    std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                    std::to_string(BOOST_VERSION % 100)},
      {"openssl", OpenSSL_version(OPENSSL_VERSION)},
      {"zlib", zlibVersion()},
#ifdef PUSHBENCH_HAVE_NGHTTP2_HEADER
      {"nghttp2", NGHTTP2_VERSION},
#else
      {"nghttp2", "not built"},
#endif
  };
  return {{"hostname", host},
          {"kernel", std::string(u.sysname) + " " + u.release + " " + u.machine},
          {"cpu_model", read_cpu_model()},
          {"cpus", std::thread::hardware_concurrency()},
          {"memory_bytes", static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page)},
          {"compiler", std::string("g++ ") + __VERSION__},
          {"libraries", libs}};
}

std::string utc_timestamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace pushbench
