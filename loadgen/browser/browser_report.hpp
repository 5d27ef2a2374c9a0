#pragma once
// The report scenario of a browser run: the page's result and the harness's /proc samples in the
// load report's shape (core/report.schema.json), with `client: "chromium"`.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/measure/histogram.hpp"
#include "loadgen/browser/browser_chromium.hpp"
#include "loadgen/browser/browser_run.hpp"
#include "loadgen/protocol/target.hpp"
#include "loadgen/report/scenario_model.hpp"

namespace pushbench::loadgen {

/// A /proc sample of the browser taken when a page message arrived.
struct TimedSample {
  double at_s = 0;        ///< steady-clock seconds since the browser started
  ChromiumSample sample;  ///< the group's CPU and memory then
};

/// What the harness observed around the page's result.
struct BrowserObservation {
  Target target;                   ///< the parsed URL
  std::string page_url;            ///< where the page was loaded from (without the token)
  std::string page_source;         ///< "origin" or "harness"
  StreamSpec spec;                 ///< what every subscription asked for (no stream id)
  std::vector<std::string> flags;  ///< the extra Chromium flags of this run
  TimedSample ready, open, window_start, window_end;  ///< at the page's phase messages
  TimedSample idle_start, idle_end;  ///< the idle page after the run (the CPU baseline)
  nlohmann::json result;             ///< the page's result message
  std::optional<nlohmann::json> stats_before, stats_after;  ///< our server's /stats
  std::vector<std::string> warnings;                        ///< gathered during the run
};

/// What the scenario sums from the page's per-subscription entries.
struct BrowserTotals {
  std::uint64_t received = 0;        ///< events every subscription received, duplicates excluded
  std::uint64_t expected = 0;        ///< events the window promised them all
  std::uint64_t duplicated = 0;      ///< events received more than once
  std::uint64_t out_of_order = 0;    ///< events whose seq went backwards
  unsigned opened = 0;               ///< subscriptions that opened
  Figure<std::string> http_version;  ///< "1.1", "2", or null when the browser hid it
  nlohmann::json compression;        ///< the report's compression section
  Summary connect_us;      ///< from the page's opening of the subscriptions to each one's open
  Summary first_event_us;  ///< from the page's opening of the subscriptions to each first event
  std::map<std::string, std::uint64_t> errors;  ///< the page's errors, counted by text
  nlohmann::json browser;                       ///< the report's 6-per-origin section
  nlohmann::json chromium;  ///< the page, its clock and what the subscriptions negotiated
};

/// The per-subscription list of the report, and in `totals` what the scenario sums from it.
/// Throws std::runtime_error when no subscription opened (with the page's reason when it has one).
nlohmann::json browser_subscriptions(const BrowserConfig& config, const BrowserObservation& obs,
                                     BrowserTotals& totals, std::vector<std::string>& warnings);

/// The scenario JSON (throws like browser_subscriptions()).
nlohmann::json browser_scenario(const BrowserConfig& config, const BrowserObservation& obs);

}  // namespace pushbench::loadgen
