#pragma once
// `pushbench load`: one run written as one scenario of a report (core/report.schema.json).
#include <nlohmann/json.hpp>

#include "loadgen/run/load_execute.hpp"
#include "loadgen/run/load_plan.hpp"
#include "loadgen/run/load_verdicts.hpp"

namespace pushbench::loadgen {

/// The scenario object: what was asked (workload, schedule, compression), what happened (events,
/// throughput, wire, latency, server, loadgen, errors), each workload's own section, the
/// server's accounting and `warnings` (which the accounting may extend).
nlohmann::json scenario_json(const PreparedLoad& p, const LoadMeasurements& m, const LoadFigures& f,
                             nlohmann::json warnings);

}  // namespace pushbench::loadgen
