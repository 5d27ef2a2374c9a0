#pragma once
// What a group's comparison means, in one line per figure: which transport is best and by how
// much, and whether repetitions separate the runs (the rule `compare` uses).
#include <string>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// One verdict object per scenario group with two or more scenarios, in report order:
/// {"group", "conditions": {"phase", "server_cpus", "loadgen_cpus", "runs"},
///  "figures": [{"figure", "label", "unit", "best",
///               "entries": [{"transport", "value", "ratio", "noise"}]}]}.
/// `value` is in `unit`; `ratio` = value / best's value; `noise` is "best" for the best entry,
/// "separated" when both scenarios' repetitions list two or more values and the ranges do not
/// overlap, "within noise" when they overlap, and "single run" without repetitions. Figures a
/// scenario lacks (null) are left out; a figure present in fewer than two scenarios is skipped,
/// and so is a group left with no figure.
nlohmann::json group_verdicts(const nlohmann::json& report);

/// The verdict lines of one group (from group_verdicts), each starting with `indent`.
std::string format_verdict(const nlohmann::json& verdict, const std::string& indent);

}  // namespace pushbench::loadgen
