#pragma once
// The typed figures of one scenario merged over its shards: each field of ScenarioFigures has
// its rule here (a sum, a maximum, the server's shard, or recomputed from the merged totals), and
// the merged figures start blank, so a field added to the model without a rule stays null and
// fails the test that merges fully measured shards and finds no null in the merged sections
// (tests/unit/shard_merge_typed_test.cpp).
#include <optional>
#include <vector>

#include "loadgen/report/scenario_model.hpp"

namespace pushbench::loadgen {

/// What the merge takes from outside the typed figures.
struct ShardMergeInputs {
  LatencyFigures latency_us;                     ///< summaries of the merged latency histograms
  std::optional<SummaryFigures> connect_us;      ///< summary of the merged connect histogram
  std::optional<SummaryFigures> first_event_us;  ///< summary of the merged first-event histogram
  Figure<double> connections;                    ///< the merged workload's connections
  Figure<double> subscriptions;                  ///< the merged workload's subscriptions
};

/// Merges `shards` (ordered by shard index, of one plan). Counts and rates add (null when any
/// shard's is null); per-event figures are recomputed from the merged totals; the server's
/// figures come from the shard that sampled it (the one with a pid); the load generator's
/// saturation is any shard's, its busiest thread the busiest of all; warnings are prefixed with
/// "shard K: ". A wake-up count rebuilt from a shard without events is unknown: the merged
/// figure is then null. Throws std::invalid_argument for no shards.
ScenarioFigures merge_shard_typed(const std::vector<ScenarioFigures>& shards,
                                  const ShardMergeInputs& in);

}  // namespace pushbench::loadgen
