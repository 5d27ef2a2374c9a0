#include "loadgen/run/load_execute.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/measure/cpu_affinity.hpp"
#include "loadgen/measure/server_stats.hpp"
#include "loadgen/run/progress.hpp"
#include "loadgen/run/worker.hpp"

namespace pushbench::loadgen {

namespace {

using namespace std::chrono;

constexpr auto kStatsTimeout = milliseconds(1000);

/// A process's peak RSS over the run: the kernel's own mark (reset at the start, read at the
/// end; it lags the true peak by the kernel's per-thread RSS caching at most, and no thread
/// wakes up for it), else, when the mark cannot be reset (another user's process), sampled every
/// 20 ms on a thread of its own. One load generator per server: a reset erases another's peak.
class PeakRss {
 public:
  explicit PeakRss(std::optional<pid_t> pid) : pid_(pid) {
    if (!pid_) return;
    kernel_mark_ = reset_peak_rss(*pid_);
    if (kernel_mark_) return;
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        if (auto rss = sample_rss(*pid_)) peak_.store(std::max(peak_.load(), *rss));
        std::this_thread::sleep_for(milliseconds(20));
      }
    });
  }
  ~PeakRss() { stop(); }
  /// The peak so far (the sampler stops); nullopt when nothing was measured: no process, or
  /// the kernel's mark, which dies with it, could not be read because the process was gone.
  std::optional<std::uint64_t> stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (kernel_mark_) {
      if (auto mark = peak_rss(*pid_)) peak_.store(std::max(peak_.load(), *mark));
    }
    if (peak_.load() == 0) return std::nullopt;
    return peak_.load();
  }

 private:
  std::optional<pid_t> pid_;
  bool kernel_mark_ = false;  ///< reset_peak_rss worked: VmHWM is the run's peak
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> peak_{0};
};

/// Under busy-poll, where each thread spins: worker i on the i-th CPU of this thread's mask (the
/// plan refused more workers than CPUs), the publisher on the CPUs left, so that no two spinning
/// threads take turns on one CPU whatever the scheduler would do. Nothing is pinned otherwise.
struct CpuAssignment {
  std::vector<int> workers;    ///< worker i's CPU; empty: the workers are not pinned
  std::vector<int> publisher;  ///< the publisher's CPUs; empty: it runs where this thread may
};

CpuAssignment assign_cpus(bool busy_poll, std::size_t workers) {
  if (!busy_poll) return {};
  const std::vector<int> mask = affinity_cpu_list();
  // An unreadable mask (empty) or one smaller than the plan's CPU count: not pinned, warned.
  if (mask.size() < workers) return {};
  const auto split = mask.begin() + static_cast<std::ptrdiff_t>(workers);
  return {{mask.begin(), split}, {split, mask.end()}};
}

/// Both processes' counters at one edge of the window.
struct EdgeSample {
  std::int64_t realtime_ns = 0;
  std::int64_t self_cpu_ns = 0;
  std::uint64_t self_wakeups = 0;
  std::optional<ProcessSample> server;
};

EdgeSample sample_edge(std::optional<pid_t> server_pid) {
  EdgeSample s;
  s.realtime_ns = realtime_ns();
  s.self_cpu_ns = process_cpu_ns();
  s.self_wakeups = self_voluntary_switches();
  if (server_pid) s.server = sample_process(*server_pid);
  return s;
}

/// Places the schedule and the window on the run's start.
void anchor_plan(PreparedLoad& p, const RunStart& start) {
  RunPlan& plan = p.plan;
  const LoadConfig& config = p.config;
  plan.anchor = start.anchor;
  // The whole run's subscriptions (every shard's): stream i has the same phase in any shard.
  plan.schedule = Schedule{effective_phase(config), config.phase_seed, plan.anchor.realtime,
                           plan.spec.period_ns(), p.run_subscriptions};
  const auto warmup_ns = static_cast<std::int64_t>(config.warmup_s * 1e9);
  const auto duration_ns = static_cast<std::int64_t>(config.duration_s * 1e9);
  plan.window_start_ns = plan.anchor.realtime + warmup_ns;
  plan.window_end_ns = plan.count_mode ? std::numeric_limits<std::int64_t>::max()
                                       : plan.window_start_ns + duration_ns;
  plan.hard_deadline =
      plan.anchor.steady + nanoseconds(warmup_ns + duration_ns) + plan.drain + plan.connect_timeout;
  plan.progress = static_cast<bool>(config.progress);
}

std::vector<std::unique_ptr<Worker>> make_workers(const PreparedLoad& p) {
  std::vector<std::unique_ptr<Worker>> workers;
  std::size_t next_id = p.slice.first;  // ids are global: shards name streams as one run would
  const unsigned threads = p.threads;
  for (unsigned t = 0; t < threads; ++t) {
    const std::size_t n = p.connections / threads + (t < p.connections % threads ? 1 : 0);
    const std::size_t cap = p.plan.max_connections_per_origin;
    const std::size_t max_open = cap == 0 ? 0 : cap / threads + (t < cap % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(p.plan, next_id, n, max_open));
    next_id += n;
  }
  return workers;
}

}  // namespace

LoadMeasurements execute_load(PreparedLoad& p) {
  const LoadConfig& config = p.config;
  const RunPlan& plan = p.plan;
  LoadMeasurements m;
  // Idle server figures and the server's own counters (our servers' /stats), before anything
  // connects.
  if (config.server_pid) m.server_idle = sample_process(*config.server_pid);
  m.stats_before = fetch_server_stats(plan.target, plan.tls, kStatsTimeout);

  m.start = begin_run(config.start_at_ns);  // --start-at: waits for the instant
  anchor_plan(p, m.start);
  auto workers = make_workers(p);
  // With progress, the main thread reports while it waits (it still wakes at the same moments).
  std::optional<ProgressReporter> progress;
  if (config.progress) progress.emplace(plan, workers, config.duration_s, config.progress);
  const auto wait_until = [&progress](SteadyClock::time_point t) {
    progress ? progress->wait_until(t) : std::this_thread::sleep_until(t);
  };
  std::optional<Publisher> publisher;
  if (plan.publish) publisher.emplace(plan, config.publish_url);
  PeakRss rss(config.server_pid);
  const CpuAssignment cpus = assign_cpus(plan.busy_poll, workers.size());
  if (publisher) publisher->start(cpus.publisher);
  std::vector<char> pinned(workers.size(), 0);  // each thread writes its own element
  std::vector<std::thread> pool;
  for (std::size_t i = 0; i < workers.size(); ++i)
    pool.emplace_back([&, i] {
      if (!cpus.workers.empty()) pinned[i] = pin_this_thread({cpus.workers[i]});
      workers[i]->run();
      if (progress) progress->worker_exited();
    });

  // The main thread samples both sides at the window's edges (in count mode, after the join).
  wait_until(plan.anchor.steady_at(plan.window_start_ns));
  const EdgeSample begin = sample_edge(config.server_pid);
  EdgeSample end;
  if (!plan.count_mode) {
    wait_until(plan.anchor.steady_at(plan.window_end_ns));
    end = sample_edge(config.server_pid);
  }
  if (progress) progress->wait_finished();
  for (auto& t : pool) t.join();
  if (publisher) m.published = publisher->join();
  if (plan.busy_poll) {
    const bool all = !cpus.workers.empty() && std::ranges::all_of(pinned, [](char c) { return c; });
    if (all) m.worker_cpus = cpus.workers;
    if (publisher && !cpus.publisher.empty() && !publisher->pinned()) {
      m.publisher_unpinned = cpus.publisher;
    }
  }
  if (plan.count_mode) end = sample_edge(config.server_pid);
  m.server_rss_peak = rss.stop();
  if (m.stats_before) m.stats_after = fetch_server_stats(plan.target, plan.tls, kStatsTimeout);

  for (auto& w : workers) m.total.merge(w->stats());
  m.window_end_observed_ns = end.realtime_ns;
  m.window_s = std::max(1e-9, static_cast<double>(end.realtime_ns - plan.window_start_ns) / 1e9);
  m.self_cpu_s = static_cast<double>(end.self_cpu_ns - begin.self_cpu_ns) / 1e9;
  m.self_wakeups = end.self_wakeups - begin.self_wakeups;
  m.server_start = begin.server;
  m.server_end = end.server;
  return m;
}

}  // namespace pushbench::loadgen
