#include "loadgen/soak/soak.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/measure/sysinfo.hpp"
#include "loadgen/report/scenario_model.hpp"
#include "loadgen/run/server_process.hpp"
#include "loadgen/soak/soak_faults.hpp"
#include "loadgen/soak/soak_sampler.hpp"

namespace pushbench::loadgen {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

/// One server of the soak.
struct ServerSpec {
  const char* name;               ///< report name
  const char* transport;          ///< --transport
  std::vector<std::string> args;  ///< further options
};

/// One healthy client: a `pushbench load` run against server `server`.
struct HealthySpec {
  const char* name;               ///< report name
  std::size_t server;             ///< index into the servers
  const char* url;                ///< scheme://HOST/path; HOST becomes 127.0.0.1:port
  std::vector<std::string> args;  ///< load options besides -d/-w/--out
};

const std::vector<ServerSpec> kServers = {
    {"sse", "sse", {}}, {"ws", "ws", {}}, {"sse-tls", "sse", {"--tls"}}};

const std::vector<HealthySpec> kHealthy = {
    {"sse-h1-streams", 0, "http://HOST/sse", {"-c", "20", "-r", "20", "-s", "256"}},
    {"sse-h2c-broadcast",
     0,
     "http://HOST/sse",
     {"--http", "2", "-c", "2", "--streams", "10", "--topic", "soak", "-r", "20"}},
    {"ws-chat", 1, "ws://HOST/ws", {"--chat", "-c", "10", "-r", "10"}},
    {"ws-h1-streams", 1, "ws://HOST/ws", {"-c", "10", "-r", "20"}},
    {"sse-tls-h2-streams",
     2,
     "https://HOST/sse",
     {"--http", "2", "-c", "2", "--streams", "10", "-r", "20"}},
};

constexpr unsigned kLoadWarmupS =
    2;  ///< each healthy load's own warm-up, excluded from its figures

/// One criterion of the verdict.
struct Criterion {
  std::string name;  ///< what is checked
  bool pass = false;
  std::string reason;  ///< the figures behind the verdict, in words
};

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

/// Waits for `pid` until `deadline`, then kills its group; returns the waitpid() status.
int reap(pid_t pid, Clock::time_point deadline) {
  int status = 0;
  while (Clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(-pid, SIGKILL);
  waitpid(pid, &status, 0);
  return status;
}

/// The healthy loads' process groups: killed and reaped when the soak ends early (a spawn or a
/// thread start threw), so no load outlives the run; reap_all() is the normal end.
class LoadGroups {
 public:
  LoadGroups() = default;
  LoadGroups(const LoadGroups&) = delete;
  LoadGroups& operator=(const LoadGroups&) = delete;
  ~LoadGroups() {
    for (pid_t pid : pids_) reap(pid, Clock::now());
  }
  void add(pid_t pid) { pids_.push_back(pid); }
  std::size_t size() const { return pids_.size(); }
  /// Waits for every load (at most `deadline`, then kills it); their wait statuses in order.
  std::vector<int> reap_all(Clock::time_point deadline) {
    std::vector<int> status;
    for (pid_t pid : pids_) status.push_back(reap(pid, deadline));
    pids_.clear();
    return status;
  }

 private:
  std::vector<pid_t> pids_;
};

pid_t spawn_healthy(const SoakOptions& o, const HealthySpec& h, std::uint16_t port,
                    const fs::path& dir) {
  std::string url = h.url;
  url.replace(url.find("HOST"), 4, "127.0.0.1:" + std::to_string(port));
  std::vector<std::string> args = {o.self_binary, "load", "--url", url};
  args.insert(args.end(), h.args.begin(), h.args.end());
  const unsigned window = std::max(1u, o.duration_s - std::min(o.duration_s - 1, kLoadWarmupS));
  args.insert(args.end(),
              {"-w", std::to_string(kLoadWarmupS), "-d", std::to_string(window), "--progress",
               "never", "--out", (dir / (std::string(h.name) + ".json")).string()});
  return spawn_process_group(args, o.loadgen_cpus, (dir / (std::string(h.name) + ".log")).string());
}

/// The healthy client's report figures and its criterion.
json judge_healthy(const SoakOptions& o, const HealthySpec& h, int status, const fs::path& dir,
                   std::vector<Criterion>& criteria) {
  json out = {{"name", h.name}, {"exit_status", WIFEXITED(status) ? WEXITSTATUS(status) : -1}};
  std::ifstream in(dir / (std::string(h.name) + ".json"));
  const auto report = json::parse(in, nullptr, false);
  Criterion c{std::string("healthy ") + h.name};
  if (report.is_discarded() || !report.contains("scenarios") || !report["scenarios"].is_array() ||
      report["scenarios"].empty()) {
    c.reason = "no report (exit status " + out["exit_status"].dump() + "; see " +
               (dir / (std::string(h.name) + ".log")).string() + ")";
    criteria.push_back(c);
    return out;
  }
  const ScenarioFigures s = scenario_figures(report["scenarios"][0]);
  const auto received = s.events.received.value_or(0);
  const auto lost = s.events.lost.value_or(0);
  std::uint64_t errors = 0;
  for (const auto& [kind, n] : s.errors) errors += n;
  // A run without latency (no event) has no p99: -1, which fails the criterion.
  const auto& lat = s.latency_us.corrected;
  const double p99_ms = lat && lat->p99 ? *lat->p99 / 1e3 : -1;
  out.update({{"events_received", received},
              {"events_lost", lost},
              {"errors", s.errors},
              {"p99_ms", p99_ms}});
  c.pass = out["exit_status"] == 0 && received > 0 && lost == 0 && errors == 0 && p99_ms >= 0 &&
           p99_ms <= o.p99_bound_ms;
  char buf[200];
  std::snprintf(buf, sizeof buf, "%llu events, %llu lost, %llu errors, p99 %.2f ms (bound %.0f ms)",
                static_cast<unsigned long long>(received), static_cast<unsigned long long>(lost),
                static_cast<unsigned long long>(errors), p99_ms, o.p99_bound_ms);
  c.reason = buf;
  criteria.push_back(c);
  return out;
}

json samples_json(const std::vector<SoakSample>& series) {
  json out = json::array();
  for (const auto& s : series) {
    out.push_back({{"t_s", s.t_s}, {"rss_bytes", s.rss_bytes}, {"fds", s.fds}, {"cpu_s", s.cpu_s}});
  }
  return out;
}

/// What the sampler saw of one server, judged: fds back to baseline, RSS near its warm level,
/// a clean exit.
struct ServerRecord {
  const ServerSpec* spec = nullptr;
  SoakSample baseline, warm, final;  ///< before any client, at the end of warm-up, after the run
  std::vector<SoakSample> series;    ///< every second
  double warm_s = 0;                 ///< when `warm` was taken
  int exit_status = -1;              ///< waitpid() status after SIGTERM
};

json judge_server(const SoakOptions& o, const ServerRecord& r, std::vector<Criterion>& criteria) {
  std::uint64_t max_rss = 0, max_fds = 0;
  for (const auto& s : r.series) {
    max_rss = std::max(max_rss, s.rss_bytes);
    max_fds = std::max(max_fds, s.fds);
  }
  const std::string name = r.spec->name;
  criteria.push_back({name + " fds back to baseline", r.final.fds <= r.baseline.fds + o.fd_slack,
                      std::to_string(r.final.fds) + " after the run, " +
                          std::to_string(r.baseline.fds) + " before any client (peak " +
                          std::to_string(max_fds) + ", slack " + std::to_string(o.fd_slack) + ")"});
  const auto bound =
      r.warm.rss_bytes +
      static_cast<std::uint64_t>(std::max(static_cast<double>(r.warm.rss_bytes) * o.rss_slack_ratio,
                                          o.rss_slack_mb * (1 << 20)));
  criteria.push_back({name + " RSS returns to its warm level", r.final.rss_bytes <= bound,
                      mib(r.final.rss_bytes) + " after the run, warm " + mib(r.warm.rss_bytes) +
                          " (bound " + mib(bound) + ", peak " + mib(max_rss) + ")"});
  const bool clean = WIFEXITED(r.exit_status) && WEXITSTATUS(r.exit_status) == 0;
  criteria.push_back({name + " exits cleanly on SIGTERM", clean,
                      WIFEXITED(r.exit_status)
                          ? "exit status " + std::to_string(WEXITSTATUS(r.exit_status)) +
                                (clean ? "" : " (a sanitizer report or a crash; see stderr)")
                          : "killed by signal " + std::to_string(WTERMSIG(r.exit_status))});
  const double cpu = r.series.empty() ? 0 : r.series.back().cpu_s - r.series.front().cpu_s;
  return {
      {"name", name},
      {"transport", r.spec->transport},
      {"args", r.spec->args},
      {"baseline", {{"rss_bytes", r.baseline.rss_bytes}, {"fds", r.baseline.fds}}},
      {"warm", {{"t_s", r.warm_s}, {"rss_bytes", r.warm.rss_bytes}, {"fds", r.warm.fds}}},
      {"final", {{"rss_bytes", r.final.rss_bytes}, {"fds", r.final.fds}}},
      {"peak", {{"rss_bytes", max_rss}, {"fds", max_fds}}},
      {"rss_drift_bytes_per_min", rss_slope_per_min(r.series, r.warm_s)},
      {"cpu_s", cpu},
      {"exit_status", WIFEXITED(r.exit_status) ? json(WEXITSTATUS(r.exit_status)) : json(nullptr)},
      {"samples", samples_json(r.series)}};
}

void sleep_until(Clock::time_point t) {
  while (Clock::now() < t) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

/// Judges every criterion, prints each with its reason, writes the report; true when all pass.
bool judge_and_write(const SoakOptions& o, const std::vector<ServerRecord>& records,
                     const std::vector<int>& load_status, const FaultClients& faults,
                     const fs::path& dir) {
  std::vector<Criterion> criteria;
  json healthy = json::array(), server_json = json::array();
  for (std::size_t i = 0; i < kHealthy.size(); ++i) {
    healthy.push_back(judge_healthy(o, kHealthy[i], load_status[i], dir, criteria));
  }
  for (const auto& r : records) server_json.push_back(judge_server(o, r, criteria));
  criteria.push_back(
      {"faults answered as required", faults.unexpected() == 0,
       std::to_string(faults.unexpected()) + " unexpected reactions in " + faults.counts().dump()});
  bool pass = true;
  json criteria_json = json::array();
  for (const auto& c : criteria) {
    pass &= c.pass;
    std::fprintf(stderr, "%s  %s: %s\n", c.pass ? "PASS" : "FAIL", c.name.c_str(),
                 c.reason.c_str());
    criteria_json.push_back({{"name", c.name}, {"pass", c.pass}, {"reason", c.reason}});
  }
  const json report = {{"schema", "pushbench-soak/1"},
                       {"created", utc_timestamp()},
                       {"environment", environment_json()},
                       {"options",
                        {{"duration_s", o.duration_s},
                         {"p99_bound_ms", o.p99_bound_ms},
                         {"rss_slack_ratio", o.rss_slack_ratio},
                         {"rss_slack_mb", o.rss_slack_mb},
                         {"fd_slack", o.fd_slack},
                         {"fault_interval_ms", o.fault_interval_ms}}},
                       {"servers", server_json},
                       {"healthy", healthy},
                       {"faults", faults.counts()},
                       {"criteria", criteria_json},
                       {"pass", pass}};
  if (const auto parent = fs::path(o.out).parent_path(); !parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
  }
  std::ofstream(o.out) << report.dump(2) << "\n";
  std::fprintf(stderr, "pushbench soak: %s; report %s\n", pass ? "PASS" : "FAIL", o.out.c_str());
  return pass;
}

}  // namespace

int run_soak(const SoakOptions& o) {
  const auto dir = fs::temp_directory_path() / ("pushbench-soak-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::vector<std::unique_ptr<ServerProcess>> servers;
  std::vector<ServerRecord> records(kServers.size());
  try {
    for (const auto& s : kServers) {
      servers.push_back(
          std::make_unique<ServerProcess>(o.server_binary, s.transport, 1, o.server_cpus, s.args));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pushbench soak: %s\n", e.what());
    return 2;
  }
  std::vector<pid_t> pids;
  for (auto& s : servers) pids.push_back(s->pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (std::size_t i = 0; i < servers.size(); ++i) {
    records[i].spec = &kServers[i];
    records[i].baseline = sample_soak(pids[i]).value_or(SoakSample{});
  }
  const auto t0 = Clock::now();
  SoakSampler sampler(pids);
  sampler.start();
  FaultClients faults(servers[0]->port(), servers[1]->port(), o.fault_interval_ms);
  faults.start();
  LoadGroups loads;
  for (const auto& h : kHealthy) loads.add(spawn_healthy(o, h, servers[h.server]->port(), dir));
  std::fprintf(stderr, "pushbench soak: %u s, %zu servers, %zu healthy loads, faults every %u ms\n",
               o.duration_s, servers.size(), loads.size(), o.fault_interval_ms);
  const double warm_s = std::clamp(o.duration_s / 5.0, 3.0, 30.0);
  sleep_until(t0 +
              std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warm_s)));
  for (std::size_t i = 0; i < servers.size(); ++i) {
    records[i].warm = sample_soak(pids[i]).value_or(SoakSample{});
    records[i].warm_s = warm_s;
  }
  sleep_until(t0 + std::chrono::seconds(o.duration_s));
  faults.stop();
  const auto load_status = loads.reap_all(Clock::now() + std::chrono::seconds(60));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the servers see every close
  sampler.stop();
  for (std::size_t i = 0; i < servers.size(); ++i) {
    records[i].final = sample_soak(pids[i]).value_or(SoakSample{});
    records[i].series = sampler.series(i);
    records[i].exit_status = servers[i]->terminate();
  }
  const bool pass = judge_and_write(o, records, load_status, faults, dir);
  if (pass) fs::remove_all(dir);
  return pass ? 0 : 1;
}

}  // namespace pushbench::loadgen
