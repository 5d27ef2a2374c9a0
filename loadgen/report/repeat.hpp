#pragma once
// `--repeat N` and `pushbench merge`: one scenario run N times, summarised as median and MAD per
// figure.
#include <vector>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// Median of `v` (mean of the middle two for an even count); 0 when empty.
double median(std::vector<double> v);
/// Median absolute deviation of `v` from its median; 0 when empty.
double median_absolute_deviation(const std::vector<double>& v);

/// Summarises runs of one scenario: returns the representative run (the median run by corrected
/// p99, else by events/s, the worse of the middle two for an even count, a run without the figure
/// counting as the worst; a real run, not a blend), its warnings extended with what the other runs
/// saw ("run K of N: lost X of Y events" and their own warnings, K counted from 1), with a
/// "repetitions" object added:
/// {"runs": N, "representative_run": i (0-based), "<figure path>": {"median", "mad", "values":
/// [...]}} for every compared figure present in at least one run. `runs` must not be empty; one
/// run is returned unchanged.
nlohmann::json summarize_repetitions(const std::vector<nlohmann::json>& runs);

/// `pushbench merge`: single-run reports of one build (e.g. runs interleaved with another build's,
/// so that both see the same drift of a shared machine) as one report whose scenarios carry
/// "repetitions", as if run with --repeat. Scenarios are matched by name, in the first report's
/// order; the result is the first report with its scenarios replaced, started_at/finished_at
/// widened and "merged_from": [{"started_at", "git_sha"}...]. Throws std::runtime_error naming the
/// problem when there are fewer than two reports, a report has no scenarios or another number of
/// them than report 1, a scenario has no name, is missing from one or already has repetitions,
/// names repeat, or the reports come from different commits.
nlohmann::json merge_reports(const std::vector<nlohmann::json>& reports);

}  // namespace pushbench::loadgen
