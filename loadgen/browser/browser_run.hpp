#pragma once
// `pushbench browser`: headless Chromium as the client. A page opens N EventSource or WebSocket
// subscriptions against the URL, measures what they deliver, and posts it to a loopback
// collector; the harness adds the browser's own CPU and memory from /proc.
#include <atomic>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/contract/workload.hpp"

namespace pushbench::loadgen {

/// Where the page comes from.
enum class PageSource {
  automatic,  ///< the target's origin when it is our server (GET /stats says so), else harness
  origin,     ///< GET <origin>/browser of the target (same origin: no CORS needed)
  harness,    ///< the collector's GET /page (the target must allow CORS for EventSource)
};

struct BrowserConfig {
  std::string url;                  ///< http(s):// (EventSource) or ws(s):// (WebSocket)
  unsigned subscriptions = 1;       ///< EventSources or WebSockets the page opens
  std::optional<std::string> http;  ///< "1.1" or "2" (2 needs TLS: browsers have no h2c);
                                    ///< nullopt: what the browser negotiates
  double duration_s = 5;            ///< measurement window (a cap on the run in count mode)
  double warmup_s = 1;              ///< excluded from every figure (count mode: none)
  double drain_s = 0.5;             ///< after the window, wait this long for in-window events
  double settle_s = 1.5;            ///< after the page loaded, before the baseline: Chromium's
                                    ///< start-up work dies down
  double idle_s = 1;                ///< idle page before the subscriptions: the cost baseline
  double load_timeout_s = 20;       ///< the page must report ready within this
  std::optional<std::string> compression;  ///< what the run expects to be negotiated (none,
                                           ///< gzip, deflate, permessage-deflate); the browser
                                           ///< always offers its own, so this is checked only
  StreamSpec spec;                         ///< rate, size, payload, count, drop_after, retry, ...
  bool resume = false;                     ///< named streams: reconnect and resume (EventSource by
                                           ///< itself with Last-Event-ID; WebSocket with last_seq)
  double retry_ms = 200;                   ///< WebSocket reconnection delay (resume)
  PageSource page = PageSource::automatic;
  std::string chromium;                     ///< the binary (default_chromium_binary() when empty)
  std::string name;                         ///< scenario name (default: derived)
  std::string group;                        ///< scenario group (default: "browser")
  std::set<std::string> cli_workload_keys;  ///< workload keys the user gave as options
  const std::atomic<bool>* interrupted = nullptr;  ///< set by Ctrl-C/SIGTERM: stop at once
};

/// Runs one browser scenario (see core/report.schema.json, `client: "chromium"`). Throws
/// std::runtime_error for configuration problems and for a page that fails (did not load, CORS,
/// TLS, Chromium crashed, timed out): always within the run's bounded deadline. Chromium is
/// stopped (process group) before it returns or throws.
nlohmann::json run_browser(const BrowserConfig& config);

}  // namespace pushbench::loadgen
