#pragma once
// The report sections that only some workloads have: idle, chat, resume, shard, browser, storm
// and slow_consumer (each with its histograms).
#include <nlohmann/json.hpp>

#include "loadgen/run/load_execute.hpp"
#include "loadgen/run/load_plan.hpp"

namespace pushbench::loadgen {

/// Adds to scenario `s` the section of each workload the run had; `s` must already hold
/// `server` and `histograms`.
void add_workload_sections(nlohmann::json& s, const PreparedLoad& p, const LoadMeasurements& m);

}  // namespace pushbench::loadgen
