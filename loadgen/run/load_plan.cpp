#include "loadgen/run/load_plan.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>

#include "core/base/clock.hpp"
#include "core/measure/sysinfo.hpp"
#include "core/net/tls.hpp"
#include "loadgen/run/url_workload.hpp"

namespace pushbench::loadgen {

namespace {

using namespace std::chrono;

[[noreturn]] void fail(const std::string& message) {
  throw std::runtime_error(message);
}

/// Publish mode: the subscribers' URL is sent as given (a broker's subscriber location) and the
/// load generator's one published stream is every subscriber's, in time mode.
void check_publish_mode(LoadConfig& config, RunPlan& plan) {
  if (config.publish_url.empty()) return;
  if (config.chat || config.resume || config.spec.topic || config.spec.count ||
      config.spec.keepalive_s || config.connect_rate > 0 ||
      !transport_info(plan.target.transport).http) {
    fail(
        "--publish-url publishes one stream to SSE or WebSocket subscribers in time mode (no "
        "--chat, --resume, --topic, --count, --keepalive, --connect-rate or tcp://)");
  }
  plan.publish = true;
  config.add_workload_query = false;
  plan.session.add_workload_query = false;
}

/// The workloads' switches (chat, resume, slow consumer, browser cap, storm) and the
/// combinations they forbid.
void plan_workload(LoadConfig& config, RunPlan& plan, const ShardSpec& shard) {
  if (config.spec.duration_s && (config.chat || config.resume)) {
    fail("a duration in the URL does not combine with --chat or --resume");
  }
  if (config.max_connections_per_origin > 0 && config.connect_rate > 0) {
    fail("--max-connections-per-origin and --connect-rate do not combine");
  }
  // A shard opens its part of the browser model's cap, as the workers split theirs.
  plan.max_connections_per_origin = shard_slice(config.max_connections_per_origin, shard).count;
  if (config.max_connections_per_origin > 0 && plan.max_connections_per_origin == 0) {
    fail("--max-connections-per-origin " + std::to_string(config.max_connections_per_origin) +
         " is below the shard count: a shard would get no connection");
  }
  if (config.slow_fraction < 0 || config.slow_fraction >= 1 || !(config.slow_read_bps > 0)) {
    fail("--slow-fraction must be in [0, 1) and --slow-read-bps positive");
  }
  plan.slow_fraction = config.slow_fraction;
  plan.slow_read_bps = config.slow_read_bps;
  plan.resume = config.resume;
  plan.clock_offset_ns = static_cast<std::int64_t>(config.clock_offset_us.value_or(0) * 1000);
  plan.chat = config.chat;
  if (config.chat) {
    plan.spec.echo = true;
    if (config.resume || config.spec.topic || plan.session.streams > 1 || config.spec.count ||
        !transport_info(plan.target.transport).http) {
      fail(
          "--chat runs private SSE or WebSocket streams, one per connection, in time mode (no "
          "--resume, --topic, --streams or --count)");
    }
  }
  check_publish_mode(config, plan);
  plan.reconnect_delay = milliseconds(static_cast<std::int64_t>(config.reconnect_ms));
  if (config.resume && (config.spec.topic || plan.session.streams > 1)) {
    fail("--resume applies to private streams, one per connection (no --topic, no --streams)");
  }
  if (config.spec.payload == PayloadKind::file && config.verify_payload && !config.payload_lines) {
    fail("--verify-payload with payload=file needs --payload-file");
  }
}

/// The run's timing: count mode, the connect storm's rate, time-outs.
void plan_timing(const LoadConfig& config, RunPlan& plan) {
  // Streams that end by themselves within the run (count, or a URL's duration) are waited for.
  plan.count_mode =
      config.spec.count.has_value() ||
      (config.spec.duration_s && *config.spec.duration_s <= config.warmup_s + config.duration_s);
  plan.connect_rate = config.connect_rate;
  if (config.connect_rate < 0 ||
      (config.connect_rate > 0 &&
       config.connections / config.connect_rate > config.warmup_s + config.duration_s)) {
    fail("--connect-rate too low: " + std::to_string(config.connections) +
         " connections need more than warm-up + duration to open");
  }
  plan.connect_timeout = duration_cast<nanoseconds>(duration<double>(config.connect_timeout_s));
  plan.drain = duration_cast<nanoseconds>(duration<double>(config.drain_s));
}

boost::asio::ip::tcp::endpoint resolve(const Target& target) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto results = resolver.resolve(target.host, std::to_string(target.port), ec);
  if (ec || results.empty()) fail("cannot resolve '" + target.host + "': " + ec.message());
  return results.begin()->endpoint();
}

/// This process's share of the connections, its threads, and the descriptors they need.
void plan_size(PreparedLoad& p) {
  const LoadConfig& config = p.config;
  p.slice = shard_slice(std::max(1u, config.connections), p.shard);
  if (p.slice.count == 0) {
    fail("--shard " + std::to_string(p.shard.index) + "/" + std::to_string(p.shard.count) + ": " +
         std::to_string(config.connections) +
         " connections leave this shard none (use fewer shards)");
  }
  p.connections = static_cast<unsigned>(p.slice.count);
  p.threads = std::clamp(config.threads, 1u, p.connections);
  // Browser model: the cap is split over the workers, each getting at least one connection.
  if (p.plan.max_connections_per_origin > 0) {
    p.threads =
        std::min<unsigned>(p.threads, static_cast<unsigned>(p.plan.max_connections_per_origin));
  }
  if (p.plan.busy_poll) {
    // The publisher's thread (publish mode) needs a CPU too.
    const unsigned cpus = allowed_cpus(), others = p.plan.publish ? 1 : 0;
    if (p.threads + others > cpus) {
      fail("--busy-poll with " + std::to_string(p.threads) + " worker threads" +
           (others ? std::string(" and a publisher") : std::string()) + " on " +
           std::to_string(cpus) +
           " CPU(s): each spinning worker needs a CPU of its own, or the workers take turns "
           "and latency includes the scheduler's time slices (use fewer --threads, or more "
           "CPUs)");
    }
  }
  p.subscriptions = std::size_t{p.connections} * p.plan.session.streams;
  p.run_subscriptions = std::size_t{std::max(1u, config.connections)} * p.plan.session.streams;
  p.fd_limit = raise_fd_limit();
  if (p.connections + 64 > p.fd_limit) {
    fail(std::to_string(p.connections) +
         " connections exceed this process's file descriptor "
         "limit (" +
         std::to_string(p.fd_limit) + "); raise the hard limit (ulimit -Hn)");
  }
}

}  // namespace

std::optional<std::string> check_target(const Target& target, HttpVersion http,
                                        const std::string& ca_file) {
  const TransportInfo& info = transport_info(target.transport);
  if ((http == HttpVersion::h2 && !info.http2) || (target.tls && !info.tls)) {
    return std::string(info.scheme) + ":// is the cleartext raw baseline: no HTTP/2, no TLS";
  }
  if (!ca_file.empty() && !target.tls) return "--cacert needs an https:// or wss:// URL";
  return std::nullopt;
}

std::shared_ptr<boost::asio::ssl::context> client_tls(const Target& target, HttpVersion http,
                                                      bool tls12, const std::string& ca_file) {
  if (!target.tls) return nullptr;
  return tls::make_client_context({http == HttpVersion::h2 ? "h2" : "http/1.1"}, tls12, ca_file);
}

PreparedLoad prepare_load(const LoadConfig& requested) {
  auto parsed = Target::parse(requested.url);
  if (auto* err = std::get_if<std::string>(&parsed)) fail(*err);
  PreparedLoad p;
  RunPlan& plan = p.plan;
  plan.target = std::get<Target>(std::move(parsed));
  // The server follows the URL's workload parameters: the run (and its report) must too.
  p.config = requested;
  LoadConfig& config = p.config;
  if (auto err = apply_url_workload(plan.target.query, config.cli_workload_keys, config.spec)) {
    fail(*err);
  }
  plan.spec = config.spec;
  plan.session.add_workload_query = config.add_workload_query;
  p.shard = config.shard.value_or(ShardSpec{});
  if (p.shard.sharded() && !config.seed && !config.start_at_ns) {
    fail(
        "--shard needs --seed (or --start-at), the same for every shard, so that the shards "
        "name and seed their streams as one run would");
  }
  plan.session.seed =
      config.seed.value_or(static_cast<std::uint64_t>(config.start_at_ns.value_or(realtime_ns())));
  plan.verify_payload = config.verify_payload;
  plan.delayed_acks = config.delayed_acks;
  plan.busy_poll = config.busy_poll;
  plan.payload_lines = config.payload_lines;
  plan.session.compression = config.compression;
  plan.session.http = config.http;
  plan.session.streams = std::max<std::size_t>(1, config.streams);
  if (auto err = check_target(plan.target, config.http, config.ca_file)) fail(*err);
  if (plan.session.streams > 1 && config.http != HttpVersion::h2) {
    fail("--streams above 1 needs --http 2 (HTTP/1.1 carries one stream per connection)");
  }
  plan_workload(config, plan, p.shard);
  plan.tls = client_tls(plan.target, config.http, config.tls12, config.ca_file);
  if (auto err = check_compression(config.compression.algorithm, plan.target.transport)) {
    fail(*err);
  }
  plan_timing(config, plan);
  plan.endpoint = resolve(plan.target);
  plan_size(p);
  return p;
}

}  // namespace pushbench::loadgen
