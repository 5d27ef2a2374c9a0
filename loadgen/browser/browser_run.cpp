#include "loadgen/browser/browser_run.hpp"

#include <chrono>
#include <random>
#include <stdexcept>

#include "core/base/clock.hpp"
#include "core/net/tls.hpp"
#include "loadgen/browser/browser_chromium.hpp"
#include "loadgen/browser/browser_collector.hpp"
#include "loadgen/browser/browser_report.hpp"
#include "loadgen/browser/browser_tls.hpp"
#include "loadgen/measure/server_stats.hpp"
#include "loadgen/run/url_workload.hpp"

namespace pushbench::loadgen {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStatsTimeout = std::chrono::milliseconds(2000);
constexpr unsigned kMaxSubscriptions = 1000;

std::string random_token() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  static constexpr char hex[] = "0123456789abcdef";
  std::string t;
  for (int i = 0; i < 16; ++i) t += hex[gen() % 16];
  return t;
}

/// Checks what a browser can do with `config` and `target`; throws the reason it cannot.
void check_config(const BrowserConfig& config, const Target& target) {
  if (!transport_info(target.transport).http) {
    throw std::runtime_error(
        "a browser speaks EventSource (http://, https://) and WebSocket "
        "(ws://, wss://) only, not " +
        target.url);
  }
  if (config.subscriptions == 0 || config.subscriptions > kMaxSubscriptions) {
    throw std::runtime_error("--subscriptions must be 1.." + std::to_string(kMaxSubscriptions));
  }
  if (config.http && *config.http != "1.1" && *config.http != "2") {
    throw std::runtime_error("--http must be 1.1 or 2");
  }
  if (config.http == "2" && !target.tls) {
    throw std::runtime_error(
        "browsers speak HTTP/2 only over TLS (no h2c): use an https:// or "
        "wss:// URL with --http 2");
  }
  if (!(config.duration_s > 0) || config.duration_s > 3600 || config.warmup_s < 0 ||
      config.warmup_s > 600 || config.drain_s < 0 || config.drain_s > 60 || config.idle_s < 0 ||
      config.idle_s > 60) {
    throw std::runtime_error(
        "--duration must be in (0, 3600], --warmup in [0, 600], --drain in "
        "[0, 60], --idle in [0, 60] seconds");
  }
}

/// The Chromium flags of this run: HTTP version and, for loopback TLS, our certificate only.
std::vector<std::string> chromium_flags(const BrowserConfig& config, const Target& target) {
  std::vector<std::string> flags;
  if (target.tls && config.http == "1.1") flags.push_back("--disable-http2");
  if (target.tls && is_loopback_host(target.host)) {
    std::string error;
    const auto spki = peer_spki_sha256(target.host, target.port, error);
    if (!spki) throw std::runtime_error(error);
    flags.push_back("--ignore-certificate-errors-spki-list=" + *spki);
  }
  return flags;
}

/// The subscriptions' URLs: the target with the workload query (and a stream id to resume).
std::vector<std::string> stream_urls(const BrowserConfig& config, const Target& target,
                                     const StreamSpec& spec, const std::string& token) {
  const auto scheme = target.url.substr(0, target.url.find("://"));
  std::vector<std::string> urls;
  for (unsigned i = 0; i < config.subscriptions; ++i) {
    StreamSpec s = spec;
    if (config.resume) s.stream_id = "pb" + token.substr(0, 8) + "-" + std::to_string(i);
    urls.push_back(scheme + "://" + target.host_header() + target.request_target(s, true));
  }
  return urls;
}

/// Our server's GET /stats (over HTTP/1.1, TLS unverified); nullopt when not answered.
std::optional<nlohmann::json> server_stats(const Target& target) {
  return fetch_server_stats(target, target.tls ? tls::make_client_context({"http/1.1"}) : nullptr,
                            kStatsTimeout);
}

/// Waits for the page's message `type`, sampling the browser for the phase messages into `obs`.
/// Throws on the page's error message, Chromium's exit, Ctrl-C or the deadline.
nlohmann::json await(const std::string& type, Clock::time_point deadline,
                     BrowserCollector& collector, ChromiumProcess& chromium,
                     const BrowserConfig& config, BrowserObservation& obs, Clock::time_point t0) {
  while (true) {
    if (config.interrupted && config.interrupted->load()) {
      throw std::runtime_error("interrupted");
    }
    const auto slice = std::min(deadline, Clock::now() + std::chrono::milliseconds(200));
    auto msg = collector.next_message(slice);
    if (!msg) {
      if (!chromium.running()) {
        throw std::runtime_error("chromium exited before the page sent '" + type +
                                 "'; its log "
                                 "ends: " +
                                 chromium.log_tail(600));
      }
      if (Clock::now() >= deadline) {
        throw std::runtime_error("the page sent no '" + type +
                                 "' in time (it did not load, or a "
                                 "CORS, TLS or mixed-content error stopped it: " +
                                 obs.page_url + ")");
      }
      continue;
    }
    const auto got = msg->value("type", "");
    const TimedSample now{std::chrono::duration<double>(Clock::now() - t0).count(),
                          chromium.sample()};
    if (got == "error") throw std::runtime_error("the page failed: " + msg->value("message", "?"));
    if (got == "ready") obs.ready = now;
    if (got == "open") obs.open = now;
    if (got == "window_start") obs.window_start = now;
    if (got == "window_end") obs.window_end = now;
    if (got == "idle_start") obs.idle_start = now;
    if (got == "idle_end") obs.idle_end = now;
    if (got == type) return *msg;
  }
}

}  // namespace

nlohmann::json run_browser(const BrowserConfig& given) {
  BrowserConfig config = given;
  auto parsed = Target::parse(config.url);
  if (auto* err = std::get_if<std::string>(&parsed)) throw std::runtime_error(*err);
  BrowserObservation obs;
  obs.target = std::get<Target>(parsed);
  check_config(config, obs.target);
  obs.spec = config.spec;
  if (auto err = apply_url_workload(obs.target.query, config.cli_workload_keys, obs.spec)) {
    throw std::runtime_error(*err);
  }
  // A server that drops connections (the URL's drop_after too) is a resume run.
  if (obs.spec.drop_after_s) config.resume = true;
  if (obs.spec.retry_ms) config.retry_ms = static_cast<double>(*obs.spec.retry_ms);
  if (!obs.spec.epoch_ns) obs.spec.epoch_ns = realtime_ns();  // one grid for every subscription
  const bool count_mode = obs.spec.count.has_value();
  const auto token = random_token();
  const nlohmann::json page_config = {
      {"mode", to_string(obs.target.transport)},
      {"urls", stream_urls(config, obs.target, obs.spec, token)},
      {"count", count_mode ? nlohmann::json(*obs.spec.count) : nlohmann::json(nullptr)},
      {"settle_ms", config.settle_s * 1e3},
      {"idle_ms", config.idle_s * 1e3},
      {"warmup_ms", count_mode ? 0.0 : config.warmup_s * 1e3},
      {"duration_ms", config.duration_s * 1e3},
      {"drain_ms", config.drain_s * 1e3},
      {"reconnect", config.resume},
      {"retry_ms", config.retry_ms}};
  obs.flags = chromium_flags(config, obs.target);  // first: its TLS probe is not counted
  BrowserCollector collector(page_config, token);
  const auto stats = server_stats(obs.target);
  const bool ours = stats && stats->is_object() && stats->value("server", "") == "pushbench-server";
  const bool from_origin =
      config.page == PageSource::origin || (config.page == PageSource::automatic && ours);
  if (from_origin) obs.stats_before = stats;
  obs.page_source = from_origin ? "origin" : "harness";
  const std::string query = "?collector=" + url_encode(collector.origin()) + "&token=";
  obs.page_url = from_origin ? std::string(obs.target.tls ? "https" : "http") + "://" +
                                   obs.target.host_header() + "/browser" + query
                             : collector.origin() + "/page" + query;
  const auto t0 = Clock::now();
  ChromiumProcess chromium(config.chromium.empty() ? default_chromium_binary() : config.chromium,
                           obs.page_url + token, obs.flags);
  const auto secs = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  await("ready", t0 + secs(config.load_timeout_s + config.settle_s), collector, chromium, config,
        obs, t0);
  const double run_s = config.idle_s + (count_mode ? 0 : config.warmup_s) + config.duration_s +
                       config.drain_s + config.idle_s + 15;
  obs.result = await("result", Clock::now() + secs(run_s), collector, chromium, config, obs, t0);
  chromium.stop();
  if (from_origin) obs.stats_after = server_stats(obs.target);
  try {
    return browser_scenario(config, obs);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("the page's result is malformed: ") + e.what());
  }
}

}  // namespace pushbench::loadgen
