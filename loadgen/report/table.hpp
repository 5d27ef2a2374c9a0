#pragma once
// The side-by-side comparison table of a report: one block per scenario group, one column per
// transport.
#include <string>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// Plain-text table of `report` for a terminal.
std::string comparison_table(const nlohmann::json& report);

}  // namespace pushbench::loadgen
