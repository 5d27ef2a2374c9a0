#pragma once
// `--repeat N`: one scenario run N times, summarised as median and MAD per figure.
#include <vector>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// Median of `v` (mean of the middle two for an even count); 0 when empty.
double median(std::vector<double> v);
/// Median absolute deviation of `v` from its median; 0 when empty.
double median_absolute_deviation(const std::vector<double>& v);

/// Summarises runs of one scenario: returns the representative run (the one whose corrected p99,
/// else events/s, is the median; a real run, not a blend) with a "repetitions" object added:
/// {"runs": N, "representative_run": i, "<figure path>": {"median", "mad", "values": [...]}} for
/// every compared figure present in at least one run. `runs` must not be empty; one run is
/// returned unchanged.
nlohmann::json summarize_repetitions(const std::vector<nlohmann::json>& runs);

}  // namespace pushbench::loadgen
