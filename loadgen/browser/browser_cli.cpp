#include "loadgen/browser/browser_cli.hpp"

#include <atomic>
#include <csignal>
#include <iostream>

#include "core/measure/sysinfo.hpp"
#include "loadgen/run/load.hpp"

namespace pushbench::loadgen {

namespace {

std::atomic<bool> g_interrupted{false};

void add_workload_options(CLI::App* b, BrowserCommand& cmd) {
  auto& c = cmd.config;
  b->add_option("--rate,-r", c.spec.rate, "events/s per subscription")
      ->capture_default_str()
      ->check(CLI::Range(0.001, StreamSpec::max_rate));
  b->add_option("--size,-s", c.spec.size, "event data bytes")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, StreamSpec::max_event_bytes));
  b->add_option("--payload", cmd.payload, "json | text | random")
      ->capture_default_str()
      ->check(CLI::IsMember({"json", "text", "random"}));
  b->add_option("--count", c.spec.count,
                "each subscription ends after N events (the run ends when all have them, "
                "--duration is then a cap and there is no warm-up)");
  b->add_option("--drop-after", c.spec.drop_after_s,
                "fault injection: the server drops each connection after S seconds (implies "
                "--resume)")
      ->check(CLI::Range(0.001, 86400.0));
  b->add_option("--retry-ms", c.spec.retry_ms,
                "EventSource: the server's `retry:`; WebSocket: the page's reconnection delay")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{60000}));
  b->add_flag("--resume", c.resume,
              "named streams: EventSource reconnects by itself with Last-Event-ID, the page "
              "reopens a WebSocket with last_seq");
}

}  // namespace

std::unique_ptr<BrowserCommand> add_browser_command(CLI::App& app) {
  auto cmd = std::make_unique<BrowserCommand>();
  auto* b = app.add_subcommand("browser",
                               "headless Chromium as the client: what EventSource and "
                               "WebSocket deliver and cost inside a browser");
  cmd->app = b;
  auto& c = cmd->config;
  b->add_option("--url", c.url,
                "http(s)://host:port/sse (EventSource) or ws(s)://host:port/ws "
                "(WebSocket); its query's workload parameters win")
      ->required();
  b->add_option("--subscriptions,-n", c.subscriptions, "EventSources or WebSockets the page opens")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000u));
  b->add_option("--http", c.http, "1.1 | 2 (2 only over TLS; default: what the browser negotiates)")
      ->check(CLI::IsMember({"1.1", "2"}));
  b->add_option("--duration,-d", c.duration_s, "measurement window, seconds")
      ->capture_default_str();
  b->add_option("--warmup,-w", c.warmup_s, "excluded from every figure, seconds")
      ->capture_default_str();
  b->add_option("--drain", c.drain_s, "wait this long after the window for in-window events")
      ->capture_default_str();
  b->add_option("--settle", c.settle_s, "after the page loaded, before the baseline, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60.0));
  b->add_option("--load-timeout", c.load_timeout_s, "the page must load within this, seconds")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 120.0));
  b->add_option("--idle", c.idle_s, "idle page before subscribing: the cost baseline, seconds")
      ->capture_default_str();
  b->add_option("--compression", c.compression,
                "the compression the run expects (the browser always offers gzip/deflate and "
                "permessage-deflate; a WebSocket run that negotiates otherwise is a warning)")
      ->check(CLI::IsMember({"none", "gzip", "deflate", "permessage-deflate"}));
  b->add_option("--page", cmd->page,
                "auto | origin (GET /browser of the target) | harness "
                "(the collector serves it; the target needs CORS)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "origin", "harness"}));
  b->add_option("--chromium", c.chromium,
                "the Chromium binary (default $PUSHBENCH_CHROMIUM, "
                "/usr/lib/chromium/chromium, chromium)");
  b->add_option("--name", c.name, "scenario name");
  b->add_option("--group", c.group, "scenario group");
  b->add_option("--out,-o", cmd->out, "write the report here (default: print it as JSON)");
  add_workload_options(b, *cmd);
  return cmd;
}

int run_browser_command(BrowserCommand& cmd, const std::string& command_line) {
  auto& c = cmd.config;
  c.spec.payload = *parse_payload_kind(cmd.payload);
  c.page = cmd.page == "origin"    ? PageSource::origin
           : cmd.page == "harness" ? PageSource::harness
                                   : PageSource::automatic;
  if (c.spec.drop_after_s) c.resume = true;
  if (c.spec.retry_ms) c.retry_ms = static_cast<double>(*c.spec.retry_ms);
  for (const auto& [option, key] :
       std::initializer_list<std::pair<const char*, const char*>>{{"--rate", "rate"},
                                                                  {"--size", "size"},
                                                                  {"--payload", "payload"},
                                                                  {"--count", "count"},
                                                                  {"--drop-after", "drop_after"},
                                                                  {"--retry-ms", "retry"}}) {
    if (cmd.app->count(option) > 0) c.cli_workload_keys.insert(key);
  }
  // Ctrl-C / SIGTERM: the run stops within 200 ms and Chromium's process group is killed.
  g_interrupted = false;
  c.interrupted = &g_interrupted;
  auto on_signal = [](int) { g_interrupted = true; };
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    const std::string started = utc_timestamp();
    auto scenario = run_browser(c);
    nlohmann::json scenarios = nlohmann::json::array({std::move(scenario)});
    auto report = make_report(std::move(scenarios), command_line, std::nullopt, started);
    if (cmd.out.empty()) {
      std::cout << report.dump(2) << "\n";
    } else {
      write_report(report, cmd.out);
      const auto& s = report["scenarios"][0];
      std::cout << "browser: " << s["events"]["received"] << " of " << s["events"]["expected"]
                << " events; report: " << cmd.out << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pushbench: browser: " << e.what() << "\n";
    return g_interrupted ? 130 : 1;
  }
}

}  // namespace pushbench::loadgen
