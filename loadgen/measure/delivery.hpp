#pragma once
// What the clients were actually delivered, and by whom: the real event size (the `size`
// parameter is a floor below the event header) and the proxies the responses passed through.
#include <nlohmann/json.hpp>

#include "core/contract/workload.hpp"
#include "loadgen/measure/stats.hpp"

namespace pushbench::loadgen {

/// Adds `workload.payload_bytes_delivered` (mean data bytes per in-window event, null without
/// events), `workload.count_per_stream` and `workload.stream_duration_s` (null unless asked
/// for), and `proxy_evidence` {via, server: the distinct response header values seen} to
/// `scenario`; warns when events were larger than `spec.size` (size below the header).
void add_delivery(nlohmann::json& scenario, const StreamSpec& spec, const WorkerStats& total);

}  // namespace pushbench::loadgen
