#pragma once
// The report scenario of a browser run: the page's result and the harness's /proc samples in the
// load report's shape (core/report.schema.json), with `client: "chromium"`.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/browser/browser_chromium.hpp"
#include "loadgen/browser/browser_run.hpp"
#include "loadgen/protocol/target.hpp"

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
  TimedSample ready, open, window_start, window_end;        ///< at the page's phase messages
  TimedSample idle_start, idle_end;  ///< the idle page after the run (the CPU baseline)
  nlohmann::json result;                                    ///< the page's result message
  std::optional<nlohmann::json> stats_before, stats_after;  ///< our server's /stats
  std::vector<std::string> warnings;                        ///< gathered during the run
};

/// The per-subscription list of the report, and in `totals` what the scenario sums from it:
/// received, expected, duplicated, out_of_order, opened, http_version, compression, connect_us,
/// first_event_us, errors, browser (the 6-per-origin view) and chromium (page, clock, protocols).
/// Throws std::runtime_error when no subscription opened (with the page's reason when it has one).
nlohmann::json browser_subscriptions(const BrowserConfig& config, const BrowserObservation& obs,
                                     nlohmann::json& totals, std::vector<std::string>& warnings);

/// The scenario JSON (throws like browser_subscriptions()).
nlohmann::json browser_scenario(const BrowserConfig& config, const BrowserObservation& obs);

}  // namespace pushbench::loadgen
