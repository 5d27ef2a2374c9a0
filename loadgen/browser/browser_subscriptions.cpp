// The per-subscription accounting of a browser run (see browser_report.hpp).
#include <cmath>
#include <map>
#include <stdexcept>

#include "core/measure/histogram.hpp"
#include "loadgen/browser/browser_report.hpp"

namespace pushbench::loadgen {

namespace {

using nlohmann::json;

/// Events a subscription should have delivered in the page's window.
std::uint64_t expected_events(const BrowserObservation& obs) {
  if (obs.spec.count) return *obs.spec.count;
  const double start = obs.result.value("window_start_ms", 0.0) * 1e6;
  const double end = obs.result.value("window_end_ms", 0.0) * 1e6;
  const auto epoch = static_cast<double>(*obs.spec.epoch_ns);
  const auto period = static_cast<double>(obs.spec.period_ns());
  if (period <= 0 || end <= start) return 0;
  const auto k = [&](double t) { return std::ceil((t - epoch) / period); };
  return static_cast<std::uint64_t>(std::max(0.0, k(end) - k(start)));
}

/// The HTTP version of the report: what the subscriptions (else the page) used.
Figure<std::string> http_version(const std::map<std::string, std::uint64_t>& protocols,
                                 const json& page) {
  std::string p = protocols.size() == 1 ? protocols.begin()->first
                                        : (page.is_string() ? page.get<std::string>() : "");
  if (p == "h2") return "2";
  if (p == "http/1.1") return "1.1";
  return std::nullopt;
}

/// Compression as negotiated in an upgrade's handshake (WebSocket: the extensions) or as
/// declared (EventSource).
json compression(const BrowserConfig& config, bool upgrade,
                 const std::map<std::string, std::uint64_t>& extensions,
                 std::vector<std::string>& warnings) {
  if (!upgrade) {
    return {{"algorithm", config.compression.value_or("none")},
            {"evidence", "declared: a page cannot see an EventSource's Content-Encoding"}};
  }
  bool deflate = false;
  for (const auto& [e, n] : extensions)
    deflate |= e.find("permessage-deflate") != std::string::npos;
  const std::string got = deflate ? "permessage-deflate" : "none";
  if (config.compression && *config.compression != got) {
    warnings.push_back("compression: expected " + *config.compression +
                       ", the WebSockets "
                       "negotiated " +
                       got);
  }
  return {{"algorithm", got}, {"evidence", "WebSocket.extensions"}};
}

Summary summary_of(const std::vector<double>& us) {
  LatencyHistogram h;
  for (double v : us) h.record(static_cast<std::int64_t>(v * 1e3));
  return h.summary_us();
}

/// Sums of the page's per-subscription entries.
struct Tally {
  std::uint64_t received = 0, dup = 0, ooo = 0, reconnects = 0;
  unsigned opened = 0, starved = 0, waited = 0;
  std::map<std::string, std::uint64_t> protocols, extensions, errors;
  std::vector<double> connect_us, first_us;  ///< from the page's opening of the subscriptions
  json ids = json::array();                  ///< Last-Event-ID / last_seq values resumed after

  /// Adds one entry `s`; `open_at`/`window_start`: when the page opened them / the window began.
  void add(const json& s, double open_at, double window_start) {
    const std::uint64_t got = s.value("received", 0ULL);
    received += got;
    dup += s.value("duplicated", 0ULL);
    ooo += s.value("out_of_order", 0ULL);
    reconnects += s.value("reconnects", 0ULL);
    const bool open = s.value("opened", false) && s["open_ms"].is_number();
    opened += open;
    starved += got == 0;
    if (open) connect_us.push_back((s["open_ms"].get<double>() - open_at) * 1e3);
    // Waited: not open when the window began (count mode, no warm-up: never opened).
    if (!open || (window_start > open_at && s["open_ms"].get<double>() > window_start)) ++waited;
    if (s["first_event_ms"].is_number())
      first_us.push_back((s["first_event_ms"].get<double>() - open_at) * 1e3);
    // "" when the browser hides it (a cross-origin resource without Timing-Allow-Origin).
    if (s["protocol"].is_string() && !s["protocol"].get<std::string>().empty())
      ++protocols[s["protocol"].get<std::string>()];
    if (s["extensions"].is_string()) ++extensions[s["extensions"].get<std::string>()];
    for (const auto& e : s.value("errors", json::array()))
      if (e.is_string()) ++errors[e.get<std::string>()];
    for (const auto& id : s.value("last_event_ids", json::array()))
      if (ids.size() < 32 && id.is_string()) ids.push_back(id);
  }
};

/// The page, its clock and what the subscriptions negotiated.
json chromium_section(const BrowserObservation& obs, const Tally& t) {
  const auto& r = obs.result;
  return {{"user_agent", r.value("user_agent", "")},
          {"page_source", obs.page_source},
          {"page_url", obs.page_url},
          {"page_protocol", r["page_protocol"]},
          {"flags", obs.flags},
          {"clock",
           {{"source",
             "performance.timeOrigin + performance.now() (CLOCK_REALTIME at "
             "navigation, then monotonic)"},
            {"granularity_us", r.value("clock_granularity_ms", 0.0) * 1e3},
            {"cross_origin_isolated", r.value("cross_origin_isolated", false)},
            {"note",
             "Chromium coarsens performance.now() (100 us unless the page is "
             "cross-origin isolated, then 5 us); latencies below the granularity "
             "are not resolved"}}},
          {"protocols", t.protocols},
          {"websocket_extensions", t.extensions},
          {"subscriptions_opened", t.opened},
          {"subscriptions_starved", t.starved},
          {"reconnects", t.reconnects},
          {"last_event_ids_sent", t.ids}};
}

}  // namespace

json browser_subscriptions(const BrowserConfig& config, const BrowserObservation& obs,
                           BrowserTotals& totals, std::vector<std::string>& warnings) {
  const auto& r = obs.result;
  // Opened by an upgrade (WebSocket): its extensions say the compression, and browsers do not
  // count it among an origin's 6 HTTP/1.1 connections.
  const bool upgrade = transport_info(obs.target.transport).upgrade;
  const std::uint64_t expected = expected_events(obs);
  const double open_at = r.value("open_at_ms", 0.0), window_start = r.value("window_start_ms", 0.0);
  Tally t;
  json list = json::array();
  for (const auto& s : r.value("subscriptions", json::array())) {
    t.add(s, open_at, window_start);
    const std::uint64_t got = s.value("received", 0ULL);
    json entry = s;
    entry["expected"] = expected;
    entry["lost"] = expected > got ? expected - got : 0;
    entry["starved"] = got == 0;
    list.push_back(std::move(entry));
  }

  if (t.opened == 0) {
    throw std::runtime_error("no subscription opened: " +
                             (t.errors.empty()
                                  ? "EventSource/WebSocket failed to connect (" +
                                        std::to_string(t.reconnects) + " reconnection attempts)"
                                  : t.errors.begin()->first) +
                             " (" + obs.target.url + ")");
  }
  const auto version = http_version(t.protocols, r["page_protocol"]);
  const double granularity_us = r.value("clock_granularity_ms", 0.0) * 1e3;
  const Summary connect = summary_of(t.connect_us);
  totals = {.received = t.received,
            .expected = expected * config.subscriptions,
            .duplicated = t.dup,
            .out_of_order = t.ooo,
            .opened = t.opened,
            .http_version = version,
            .compression = compression(config, upgrade, t.extensions, warnings),
            .connect_us = connect,
            .first_event_us = summary_of(t.first_us),
            .errors = t.errors,
            .browser = {{"max_connections_per_origin", version == "1.1" && !upgrade ? 6 : 0},
                        {"subscriptions", config.subscriptions},
                        {"subscriptions_waited", t.waited},
                        {"subscriptions_starved", t.starved},
                        {"wait_us", to_json(connect)}},
            .chromium = chromium_section(obs, t)};
  if (t.waited > 0 && window_start > open_at) {
    warnings.push_back(std::to_string(t.waited) +
                       " subscription(s) were not open when the window "
                       "began (the browser's connection limits or handshake pacing): the events "
                       "due before they opened count as lost");
  }
  if (granularity_us > 50) {
    warnings.push_back("the browser's clock granularity is " + std::to_string(granularity_us) +
                       " us: latencies below it are not resolved");
  }
  return list;
}

}  // namespace pushbench::loadgen
