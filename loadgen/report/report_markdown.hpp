#pragma once
// A report as GitHub-flavoured markdown, for a pull-request comment.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// The side-by-side transport table of `report` (core/report.schema.json): a header (tool version,
/// git sha, CPU model, start time, suite), then per scenario group (first-seen order) a table with
/// one column per scenario, headed by its transport (by its name when the group repeats a
/// transport), and the group's warnings listed below it. Missing or null figures read "n/a".
/// Never throws on malformed input.
std::string report_markdown(const nlohmann::json& report);

/// `text` made safe inside a markdown table cell, list item or heading: markdown punctuation
/// (including `|`) is backslash-escaped and line breaks become spaces.
std::string markdown_escape(std::string_view text);

}  // namespace pushbench::loadgen
