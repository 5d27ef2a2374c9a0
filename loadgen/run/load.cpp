#include "loadgen/run/load.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "core/measure/sysinfo.hpp"
#include "git_sha.hpp"
#include "core/net/tls.hpp"
#include "loadgen/measure/accounting.hpp"
#include "loadgen/measure/delivery.hpp"
#include "loadgen/run/publisher.hpp"
#include "loadgen/measure/server_stats.hpp"
#include "loadgen/run/start_at.hpp"
#include "loadgen/run/url_workload.hpp"
#include "loadgen/report/verdict.hpp"
#include "loadgen/run/worker.hpp"

namespace pushbench::loadgen {

namespace {

using namespace std::chrono;

/// Samples a process's RSS every 20 ms on a thread of its own, keeping the peak (RSS only: the
/// thread shares the machine with the workers).
class PeakRssSampler {
 public:
  explicit PeakRssSampler(std::optional<pid_t> pid) : pid_(pid) {
    if (!pid_) return;
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        if (auto rss = sample_rss(*pid_)) peak_.store(std::max(peak_.load(), *rss));
        std::this_thread::sleep_for(milliseconds(20));
      }
    });
  }
  ~PeakRssSampler() { stop(); }
  std::uint64_t stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return peak_.load();
  }

 private:
  std::optional<pid_t> pid_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> peak_{0};
};

nlohmann::json nullable(std::optional<double> v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

/// `amount` per received event, or null without events.
nlohmann::json per_event(double amount, std::uint64_t events) {
  return events ? nlohmann::json(amount / static_cast<double>(events)) : nlohmann::json(nullptr);
}

/// Publish mode: the subscribers' URL is sent as given (a broker's subscriber location) and the
/// load generator's one published stream is every subscriber's, in time mode.
void check_publish_mode(LoadConfig& config, RunPlan& plan) {
  if (config.publish_url.empty()) return;
  if (config.chat || config.resume || config.spec.topic || config.spec.count ||
      config.spec.keepalive_s || config.connect_rate > 0 ||
      plan.target.transport == Transport::raw) {
    throw std::runtime_error("--publish-url publishes one stream to SSE or WebSocket subscribers "
                             "in time mode (no --chat, --resume, --topic, --count, "
                             "--keepalive, --connect-rate or tcp://)");
  }
  plan.publish = true;
  config.add_workload_query = false;
  plan.session.add_workload_query = false;
}

}  // namespace

Phase effective_phase(const LoadConfig& config) {
  if (!config.add_workload_query) return Phase::server;  // the URL is sent as given
  if (config.phase) return *config.phase;
  return config.connect_rate > 0 || config.spec.keepalive_s ? Phase::server : Phase::spread;
}

nlohmann::json run_load(const LoadConfig& requested) {
  auto parsed = Target::parse(requested.url);
  if (auto* err = std::get_if<std::string>(&parsed)) throw std::runtime_error(*err);
  RunPlan plan;
  plan.target = std::get<Target>(std::move(parsed));
  // The server follows the URL's workload parameters: the run (and its report) must too.
  LoadConfig config = requested;
  if (auto err = apply_url_workload(plan.target.query, config.cli_workload_keys, config.spec)) {
    throw std::runtime_error(*err);
  }
  if (config.spec.duration_s && (config.chat || config.resume)) {
    throw std::runtime_error("a duration in the URL does not combine with --chat or --resume");
  }
  plan.spec = config.spec;
  plan.session.add_workload_query = config.add_workload_query;
  const ShardSpec shard = config.shard.value_or(ShardSpec{});
  if (shard.sharded() && !config.seed && !config.start_at_ns) {
    throw std::runtime_error("--shard needs --seed (or --start-at), the same for every shard, so "
                             "that the shards name and seed their streams as one run would");
  }
  plan.session.seed = config.seed.value_or(
      static_cast<std::uint64_t>(config.start_at_ns.value_or(realtime_ns())));
  plan.verify_payload = config.verify_payload;
  plan.payload_lines = config.payload_lines;
  plan.session.compression = config.compression;
  plan.session.http = config.http;
  plan.session.streams = std::max<std::size_t>(1, config.streams);
  if ((config.http == HttpVersion::h2 && !transport_info(plan.target.transport).http2) ||
      (plan.target.tls && !transport_info(plan.target.transport).tls)) {
    throw std::runtime_error("tcp:// is the cleartext raw baseline: no HTTP/2, no TLS");
  }
  if (plan.session.streams > 1 && config.http != HttpVersion::h2) {
    throw std::runtime_error("--streams above 1 needs --http 2 (HTTP/1.1 carries one stream per "
                             "connection)");
  }
  if (config.max_connections_per_origin > 0 && config.connect_rate > 0) {
    throw std::runtime_error("--max-connections-per-origin and --connect-rate do not combine");
  }
  // A shard opens its part of the browser model's cap, as the workers below split theirs.
  plan.max_connections_per_origin = shard_slice(config.max_connections_per_origin, shard).count;
  if (config.max_connections_per_origin > 0 && plan.max_connections_per_origin == 0) {
    throw std::runtime_error("--max-connections-per-origin " +
                             std::to_string(config.max_connections_per_origin) +
                             " is below the shard count: a shard would get no connection");
  }
  if (config.slow_fraction < 0 || config.slow_fraction >= 1 || !(config.slow_read_bps > 0)) {
    throw std::runtime_error("--slow-fraction must be in [0, 1) and --slow-read-bps positive");
  }
  plan.slow_fraction = config.slow_fraction;
  plan.slow_read_bps = config.slow_read_bps;
  plan.resume = config.resume;
  plan.clock_offset_ns = static_cast<std::int64_t>(config.clock_offset_us.value_or(0) * 1000);
  plan.chat = config.chat;
  if (config.chat) {
    plan.spec.echo = true;
    if (config.resume || config.spec.topic || plan.session.streams > 1 || config.spec.count ||
        plan.target.transport == Transport::raw) {
      throw std::runtime_error("--chat runs private SSE or WebSocket streams, one per connection, "
                               "in time mode (no --resume, --topic, --streams or --count)");
    }
  }
  check_publish_mode(config, plan);
  plan.reconnect_delay = std::chrono::milliseconds(static_cast<std::int64_t>(config.reconnect_ms));
  if (config.resume && (config.spec.topic || plan.session.streams > 1)) {
    throw std::runtime_error("--resume applies to private streams, one per connection (no "
                             "--topic, no --streams)");
  }
  if (!config.ca_file.empty() && !plan.target.tls) {
    throw std::runtime_error("--cacert needs an https:// or wss:// URL");
  }
  if (plan.target.tls) {
    plan.tls = tls::make_client_context(
        {config.http == HttpVersion::h2 ? "h2" : "http/1.1"}, config.tls12, config.ca_file);
  }
  if (auto err = check_compression(config.compression.algorithm, plan.target.transport)) {
    throw std::runtime_error(*err);
  }
  if (config.spec.payload == PayloadKind::file && config.verify_payload && !config.payload_lines) {
    throw std::runtime_error("--verify-payload with payload=file needs --payload-file");
  }
  // Streams that end by themselves within the run (count, or a URL's duration) are waited for.
  plan.count_mode =
      config.spec.count.has_value() ||
      (config.spec.duration_s && *config.spec.duration_s <= config.warmup_s + config.duration_s);
  plan.connect_rate = config.connect_rate;
  if (config.connect_rate < 0 ||
      (config.connect_rate > 0 &&
       config.connections / config.connect_rate > config.warmup_s + config.duration_s)) {
    throw std::runtime_error("--connect-rate too low: " + std::to_string(config.connections) +
                             " connections need more than warm-up + duration to open");
  }
  plan.connect_timeout = duration_cast<nanoseconds>(duration<double>(config.connect_timeout_s));
  plan.drain = duration_cast<nanoseconds>(duration<double>(config.drain_s));
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::resolver resolver(ioc);
    boost::system::error_code ec;
    auto results = resolver.resolve(plan.target.host, std::to_string(plan.target.port), ec);
    if (ec || results.empty()) {
      throw std::runtime_error("cannot resolve '" + plan.target.host + "': " + ec.message());
    }
    plan.endpoint = results.begin()->endpoint();
  }
  const ShardSlice slice = shard_slice(std::max(1u, config.connections), shard);
  if (slice.count == 0) {
    throw std::runtime_error("--shard " + std::to_string(shard.index) + "/" +
                             std::to_string(shard.count) + ": " +
                             std::to_string(config.connections) +
                             " connections leave this shard none (use fewer shards)");
  }
  const auto connections = static_cast<unsigned>(slice.count);
  unsigned threads = std::clamp(config.threads, 1u, connections);
  // Browser model: the cap is split over the workers, each getting at least one connection.
  if (plan.max_connections_per_origin > 0) {
    threads = std::min<unsigned>(threads, static_cast<unsigned>(plan.max_connections_per_origin));
  }
  const std::size_t subscriptions = std::size_t{connections} * plan.session.streams;
  const std::uint64_t fd_limit = raise_fd_limit();
  if (connections + 64 > fd_limit) {
    throw std::runtime_error(std::to_string(connections) +
                             " connections exceed this process's file descriptor limit (" +
                             std::to_string(fd_limit) + "); raise the hard limit (ulimit -Hn)");
  }

  // Idle server figures before anything connects.
  std::optional<ProcessSample> server_idle;
  if (config.server_pid) server_idle = sample_process(*config.server_pid);
  // The server's own counters (our servers' /stats), to account for every event it sent.
  constexpr auto kStatsTimeout = milliseconds(1000);
  const auto stats_before = fetch_server_stats(plan.target, plan.tls, kStatsTimeout);

  const RunStart start = begin_run(config.start_at_ns);  // --start-at: waits for the instant
  plan.anchor = start.anchor;
  // The whole run's subscriptions (every shard's): stream i has the same phase in any shard.
  const std::size_t run_subscriptions =
      std::size_t{std::max(1u, config.connections)} * plan.session.streams;
  plan.schedule = Schedule{effective_phase(config), config.phase_seed, plan.anchor.realtime,
                           plan.spec.period_ns(), run_subscriptions};
  const auto warmup_ns = static_cast<std::int64_t>(config.warmup_s * 1e9);
  const auto duration_ns = static_cast<std::int64_t>(config.duration_s * 1e9);
  plan.window_start_ns = plan.anchor.realtime + warmup_ns;
  plan.window_end_ns =
      plan.count_mode ? std::numeric_limits<std::int64_t>::max() : plan.window_start_ns + duration_ns;
  plan.hard_deadline = plan.anchor.steady + nanoseconds(warmup_ns + duration_ns) + plan.drain +
                       plan.connect_timeout;
  plan.progress = static_cast<bool>(config.progress);

  std::vector<std::unique_ptr<Worker>> workers;
  std::size_t next_id = slice.first;  // ids are global: shards name streams as one run would
  for (unsigned t = 0; t < threads; ++t) {
    const std::size_t n = connections / threads + (t < connections % threads ? 1 : 0);
    const std::size_t cap = plan.max_connections_per_origin;
    const std::size_t max_open = cap == 0 ? 0 : cap / threads + (t < cap % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(plan, next_id, n, max_open));
    next_id += n;
  }
  // With progress, the main thread reports while it waits (it still wakes at the same moments).
  std::optional<ProgressReporter> progress;
  if (config.progress) progress.emplace(plan, workers, config.duration_s, config.progress);
  const auto wait_until = [&progress](SteadyClock::time_point t) {
    progress ? progress->wait_until(t) : std::this_thread::sleep_until(t);
  };
  std::optional<Publisher> publisher;
  if (plan.publish) publisher.emplace(plan, config.publish_url);
  PeakRssSampler rss(config.server_pid);
  if (publisher) publisher->start();
  std::vector<std::thread> pool;
  for (auto& w : workers) pool.emplace_back([&w, &progress] {
    w->run();
    if (progress) progress->worker_exited();
  });

  // The main thread samples CPU of both sides at the window's edges.
  wait_until(plan.anchor.steady_at(plan.window_start_ns));
  const std::int64_t self_cpu_start = process_cpu_ns();
  const std::uint64_t self_wakeups_start = self_voluntary_switches();
  std::optional<ProcessSample> server_start;
  if (config.server_pid) server_start = sample_process(*config.server_pid);
  std::int64_t window_end_observed = 0;
  std::int64_t self_cpu_end = 0;
  std::uint64_t self_wakeups_end = 0;
  std::optional<ProcessSample> server_end;
  if (!plan.count_mode) {
    wait_until(plan.anchor.steady_at(plan.window_end_ns));
    window_end_observed = realtime_ns();
    self_cpu_end = process_cpu_ns();
    self_wakeups_end = self_voluntary_switches();
    if (config.server_pid) server_end = sample_process(*config.server_pid);
  }
  if (progress) progress->wait_finished();
  for (auto& t : pool) t.join();
  const PublishStats* published = publisher ? &publisher->join() : nullptr;
  if (plan.count_mode) {
    window_end_observed = realtime_ns();
    self_cpu_end = process_cpu_ns();
    self_wakeups_end = self_voluntary_switches();
    if (config.server_pid) server_end = sample_process(*config.server_pid);
  }
  const std::uint64_t server_peak = rss.stop();
  const auto stats_after =
      stats_before ? fetch_server_stats(plan.target, plan.tls, kStatsTimeout) : std::nullopt;

  WorkerStats total;
  for (auto& w : workers) total.merge(w->stats());

  // --- Figures ---
  const double window_s =
      std::max(1e-9, static_cast<double>(window_end_observed - plan.window_start_ns) / 1e9);
  const bool contract = total.foreign_events == 0;
  const std::uint64_t events = total.events_received - total.duplicated;
  const double events_per_s = static_cast<double>(events) / window_s;
  const double self_cpu_s = static_cast<double>(self_cpu_end - self_cpu_start) / 1e9;
  const double max_busy =
      std::clamp(static_cast<double>(total.busy_ns) / 1e9 / window_s, 0.0, 1.0);
  const bool saturated = max_busy > 0.9;

  nlohmann::json warnings = nlohmann::json::array();
  if (saturated) {
    warnings.push_back("loadgen saturated: a worker thread was busy " +
                       std::to_string(static_cast<int>(max_busy * 100)) +
                       "% of the window; figures may measure the load generator, not the "
                       "server (add --threads or lower the load)");
  }
  if (!contract) {
    warnings.push_back("the server's events do not follow the seq/ts contract: latency and loss "
                       "are unavailable, throughput is measured");
  }
  std::uint64_t error_total = 0;
  for (const auto& [k, v] : total.errors) error_total += v;
  if (error_total > 0) {
    std::string text = std::to_string(error_total) + " connection error(s); see errors";
    for (const auto& [kind, cause] : total.error_causes) text += "; " + kind + ": " + cause;
    warnings.push_back(std::move(text));
  }
  if (config.compression.algorithm != Compression::none &&
      total.compressed_connections < total.connections_established) {
    warnings.push_back(std::to_string(total.connections_established -
                                      total.compressed_connections) +
                       " connection(s) were not compressed: the server declined " +
                       std::string(to_string(config.compression.algorithm)));
  }
  const bool same_host = plan.endpoint.address().is_loopback();
  if (!same_host && !config.clock_offset_us) {
    warnings.push_back("the server is on another host: latency assumes both clocks agree; "
                       "measure the offset and pass --clock-offset-us");
  }
  if (total.subscriptions_starved > 0) {
    warnings.push_back(std::to_string(total.subscriptions_starved) + " of " +
                       std::to_string(subscriptions) +
                       " subscriptions never got a connection (browser model: " +
                       std::to_string(plan.max_connections_per_origin) +
                       " connections per origin)");
  }
  if (contract && total.events_unique > total.events_expected) {
    warnings.push_back("received " + std::to_string(total.events_unique) +
                       " distinct in-window events but the schedule asked for expected " +
                       std::to_string(total.events_expected) +
                       ": the server sends more than was asked (another rate or count?)");
  }
  const std::uint64_t never_tried =
      total.subscriptions_starved / std::max<std::size_t>(1, plan.session.streams);
  if (total.connections_established + never_tried < connections) {
    warnings.push_back(std::to_string(connections - never_tried - total.connections_established) + " of " +
                       std::to_string(connections) + " connections were never established");
  }

  nlohmann::json server = {{"pid", nullptr},
                           {"cpu_s", nullptr},
                           {"cpu_ns_per_event", nullptr},
                           {"rss_bytes_idle", nullptr},
                           {"rss_bytes_peak", nullptr},
                           {"rss_bytes_per_connection", nullptr},
                           {"rss_bytes_per_stream", nullptr},
                           {"wakeups_per_event", nullptr}};
  if (config.server_pid) {
    server["pid"] = *config.server_pid;
    if (server_start && server_end) {
      const double cpu = server_end->cpu_s - server_start->cpu_s;
      server["cpu_s"] = cpu;
      server["cpu_ns_per_event"] = nullable(events ? std::optional<double>(cpu * 1e9 / events)
                                                   : std::nullopt);
      // Live threads only: a thread that exited in the window can make the sum go down.
      if (server_end->voluntary_switches >= server_start->voluntary_switches) {
        server["wakeups_per_event"] = per_event(
            static_cast<double>(server_end->voluntary_switches - server_start->voluntary_switches),
            events);
      }
      const double busy = cpu / window_s;
      if (busy > 0.9) {
        warnings.push_back("server CPU was " + std::to_string(static_cast<int>(busy * 100)) +
                           "% of one core: the server is the bottleneck");
      }
    }
    if (server_idle) {
      server["rss_bytes_idle"] = server_idle->rss_bytes;
      const std::uint64_t peak = std::max(server_peak, server_idle->rss_bytes);
      server["rss_bytes_peak"] = peak;
      server["rss_bytes_per_connection"] =
          static_cast<double>(peak - server_idle->rss_bytes) / connections;
      server["rss_bytes_per_stream"] =
          static_cast<double>(peak - server_idle->rss_bytes) / subscriptions;
    }
  }

  const std::uint64_t lost =
      contract && total.events_expected > total.events_unique
          ? total.events_expected - total.events_unique
          : 0;
  const std::string transport(to_string(plan.target.transport));
  const std::string group =
      !config.group.empty()
          ? config.group
          : "stream-" + std::to_string(std::max(1u, config.connections)) + "x" +
                std::to_string(static_cast<long long>(config.spec.rate)) + "/s-" +
                std::to_string(config.spec.size) + "B-" + std::string(to_string(config.spec.payload));

  nlohmann::json compression = config.compression_details;
  compression["algorithm"] = to_string(config.compression.algorithm);
  compression["negotiated_connections"] = total.compressed_connections;
  if (config.compression.algorithm == Compression::permessage_deflate) {
    compression["requested_server_max_window_bits"] = config.compression.window_bits;
    compression["requested_no_context_takeover"] = config.compression.no_context_takeover;
  }
  nlohmann::json scenario = {
      {"name", config.name.empty() ? group + "-" + transport : config.name},
      {"group", group},
      {"transport", transport},
      {"url", config.url},
      {"http_version", !transport_info(plan.target.transport).http ? nlohmann::json(nullptr)
                       : config.http == HttpVersion::h2       ? nlohmann::json("2")
                                                              : nlohmann::json("1.1")},
      {"tls", plan.target.tls},
      {"compression", compression},
      {"schedule",
       {{"phase", to_string(plan.schedule.phase)},
        {"seed", plan.schedule.seed},
        {"server_timer_slack_us", config.server_timer_slack_us
                                      ? nlohmann::json(*config.server_timer_slack_us)
                                      : nlohmann::json(nullptr)}}},
      {"clock",
       {{"same_host", same_host},
        {"offset_us", config.clock_offset_us ? nlohmann::json(*config.clock_offset_us)
                                             : nlohmann::json(nullptr)}}},
      {"workload",
       {{"kind", plan.publish                   ? "publish"
                 : config.chat                    ? "chat"
                 : config.slow_fraction > 0       ? "slow-consumer"
                 : config.resume                  ? "resume"
                 : config.connect_rate > 0        ? "storm"
                 : config.spec.keepalive_s    ? "idle"
                 : config.spec.topic          ? "broadcast"
                                              : "stream"},
        {"connections", connections},
        {"streams_per_connection", plan.session.streams},
        {"subscriptions", subscriptions},
        {"tcp_connections", total.connections_established},
        {"rate_per_stream", config.spec.rate},
        {"payload_bytes", config.spec.size},
        {"payload_kind", contract ? std::string(to_string(config.spec.payload)) : "other"},
        {"duration_s", window_s},
        {"warmup_s", config.warmup_s},
        {"topic", config.spec.topic ? nlohmann::json(*config.spec.topic) : nlohmann::json(nullptr)}}},
      {"events",
       {{"expected", contract ? nlohmann::json(total.events_expected) : nlohmann::json(nullptr)},
        {"received", events},
        {"lost", lost},
        {"duplicated", total.duplicated},
        {"out_of_order", total.out_of_order}}},
      {"throughput",
       {{"events_per_s", events_per_s},
        {"payload_bytes_per_s", static_cast<double>(total.payload_bytes) / window_s},
        {"wire_bytes_per_s", static_cast<double>(total.wire.bytes_received) / window_s}}},
      {"wire",
       {{"bytes_received", total.wire.bytes_received},
        {"bytes_sent", total.wire.bytes_acked},
        {"segments_received", total.wire.segments_in},
        {"bytes_per_event",
         total.wire_events ? nlohmann::json(static_cast<double>(total.wire.bytes_received) /
                                            static_cast<double>(total.wire_events))
                           : nlohmann::json(nullptr)}}},
      {"latency_us",
       {{"corrected", to_json(total.latency_corrected.summary_us())},
        {"uncorrected", to_json(total.latency_uncorrected.summary_us())}}},
      {"connect_us", to_json(total.connect.summary_us())},
      {"first_event_us", to_json(total.first_event.summary_us())},
      {"server", server},
      {"loadgen",
       {{"cpu_s", self_cpu_s},
        {"cpu_ns_per_event",
         events ? nlohmann::json(self_cpu_s * 1e9 / static_cast<double>(events))
                : nlohmann::json(nullptr)},
        {"wakeups_per_event",
         per_event(static_cast<double>(self_wakeups_end - self_wakeups_start), events)},
        {"threads", threads},
        {"saturated", saturated},
        {"max_thread_busy", max_busy}}},
      {"errors", total.errors},
      {"error_causes", total.error_causes},
      {"warnings", warnings},
      {"histograms",
       {{"latency_corrected", total.latency_corrected.bins_json()},
        {"latency_uncorrected", total.latency_uncorrected.bins_json()},
        {"connect", total.connect.bins_json()},
        {"first_event", total.first_event.bins_json()}}},
  };
  if (config.spec.keepalive_s) {
    // What holding connections costs the server, per connection and second of the window.
    const auto cpu = scenario["server"]["cpu_s"];
    scenario["idle"] = {
        {"keepalive_s", *config.spec.keepalive_s},
        {"connections_held", total.connections_established},
        {"fd_limit", fd_limit},
        {"server_cpu_s_per_connection_per_s",
         cpu.is_number() && total.connections_established
             ? nlohmann::json(cpu.get<double>() / total.connections_established / window_s)
             : nlohmann::json(nullptr)}};
  }
  if (config.chat) {
    scenario["chat"] = {
        {"send_rate_per_client", config.spec.rate},
        {"messages_sent", total.messages_sent},
        {"post_connections", total.post_connections},
        {"posts_answered", total.posts_answered},
        {"posts_resent", total.posts_resent},
        {"message_path", plan.target.transport == Transport::ws ? "websocket message"
                         : config.http == HttpVersion::h2    ? "POST stream on the same HTTP/2 connection"
                                                             : "POST on a second HTTP/1.1 connection"}};
  }
  if (config.resume) {
    nlohmann::json disconnects = nlohmann::json::object();
    for (const auto& [k, v] : total.disconnects) disconnects[k] = v;
    scenario["resume"] = {
        {"drop_after_s", config.spec.drop_after_s ? nlohmann::json(*config.spec.drop_after_s)
                                                  : nlohmann::json(nullptr)},
        {"retry_ms", config.spec.retry_ms ? nlohmann::json(*config.spec.retry_ms)
                                          : nlohmann::json(nullptr)},
        {"reconnect_ms", config.reconnect_ms},
        {"reconnects", total.reconnects},
        {"disconnects", disconnects},
        {"recovery_us", to_json(total.resume_recovery.summary_us())}};
    scenario["histograms"]["resume_recovery"] = total.resume_recovery.bins_json();
  }
  scenario["clock"].update(clock_facts(start));
  if (config.shard) {
    scenario["shard"] = {{"index", shard.index},
                         {"count", shard.count},
                         {"first_connection", slice.first},
                         {"connections", slice.count},
                         {"connections_total", std::max(1u, config.connections)},
                         {"seed", plan.session.seed}};
  }
  if (plan.max_connections_per_origin > 0) {
    scenario["browser"] = {
        {"max_connections_per_origin", plan.max_connections_per_origin},
        {"subscriptions", subscriptions},
        {"subscriptions_waited", total.subscriptions_waited},
        {"subscriptions_starved", total.subscriptions_starved},
        {"wait_us", to_json(total.subscription_wait.summary_us())}};
    scenario["histograms"]["subscription_wait"] = total.subscription_wait.bins_json();
  }
  if (config.connect_rate > 0) {
    const double span_s =
        static_cast<double>(total.last_established_ns - total.first_connect_ns) / 1e9;
    scenario["storm"] = {
        {"target_connects_per_s", config.connect_rate},
        {"achieved_connects_per_s",
         total.connections_established > 1 && span_s > 0
             ? nlohmann::json(static_cast<double>(total.connections_established - 1) / span_s)
             : nlohmann::json(nullptr)},
        {"established", total.connections_established},
        {"failed", connections - total.connections_established},
        {"first_connect_ns", total.first_connect_ns},
        {"last_established_ns", total.last_established_ns}};
  }
  if (config.slow_fraction > 0) {
    scenario["slow_consumer"] = {
        {"fraction", config.slow_fraction},
        {"read_bps", config.slow_read_bps},
        {"unit", plan.slow_streams() ? "stream" : "connection"},
        {"slow_connections", total.slow_connections},
        {"healthy_connections",
         (plan.slow_streams() ? subscriptions : connections) - total.slow_connections},
        {"slow_events_received", total.slow_events},
        {"slow_latency_us", to_json(total.latency_slow.summary_us())},
        {"slow_connections_closed_by_server", total.slow_connections_closed_by_server}};
    scenario["histograms"]["latency_slow"] = total.latency_slow.bins_json();
  }
  // Every event the server sent is received, or was in flight or dropped when the run ended.
  const auto received = static_cast<std::int64_t>(total.events_total - total.duplicates_total);
  add_accounting(scenario, scenario["warnings"], stats_before, stats_after, plan.target.transport,
                 config.server_pid, received);
  add_delivery(scenario, config.spec, total);
  if (published) add_publish_section(scenario, *published, config.publish_url, subscriptions);
  return scenario;
}

nlohmann::json make_report(nlohmann::json scenarios, const std::string& command,
                           const std::optional<std::string>& suite,
                           const std::string& started_at) {
  nlohmann::json report = {
      {"schema_version", 1},
      {"tool", {{"name", "pushbench"}, {"version", PUSHBENCH_VERSION}, {"git_sha", PUSHBENCH_GIT_SHA}}},
      {"environment", environment_json()},
      {"started_at", started_at},
      {"finished_at", utc_timestamp()},
      {"command", command},
      {"suite", suite ? nlohmann::json(*suite) : nlohmann::json(nullptr)},
      {"scenarios", std::move(scenarios)}};
  report["verdicts"] = group_verdicts(report);
  return report;
}

void write_report(const nlohmann::json& report, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write report to '" + path + "'");
  out << report.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write report to '" + path + "'");
}

}  // namespace pushbench::loadgen
