#pragma once
// Suite matrices: a compact way to write the cartesian product of scenario parameters.
#include <string_view>

#include <nlohmann/json.hpp>

namespace pushbench::loadgen {

/// Expands the optional "matrix" array of a suite document. Each element
///   {"group": "stream-{connections}c-{size}B", "axes": {"connections": [1, 10], "size": [64]},
///    "fixed": {"rate": 100}, "exclude": [{"connections": 1, "size": 64}]}
/// yields one scenario per combination of axis values (the first axis varies slowest, the last
/// fastest, in the document's key order), skipping a combination when every key of some exclude
/// object equals the scenario's value. A scenario is {"group": ..., fixed..., axes...}; each
/// `{key}` in the group template becomes that key's value (fixed or axis; numbers with no
/// trailing ".0", strings as-is). Returns the document without "matrix" and with "scenarios" = the
/// original scenarios followed by the expanded ones (at the position of the first of
/// "scenarios" / "matrix"); a document without "matrix" is returned
/// unchanged. Throws std::runtime_error naming the element on: a non-array matrix or scenarios,
/// a non-object element, an unknown element key, a missing or non-string group template, empty
/// or non-object axes, a non-array or empty axis, a non-scalar axis value, "transports" or
/// "group" as an axis, "group" as a fixed key, a key both fixed and an axis, a malformed exclude,
/// an unknown or unterminated placeholder, a resulting group name equal to another scenario's, or
/// more than 10000 expanded scenarios in all.
///
/// Key order: nlohmann::json sorts object keys, so this overload expands axes in alphabetical
/// order. To expand them in the order written, parse the file with nlohmann::ordered_json and use
/// the ordered_json overload, or expand_suite_text().
nlohmann::json expand_suite(const nlohmann::json& doc);

/// As above, expanding axes in the order they are written in `doc`.
nlohmann::ordered_json expand_suite(const nlohmann::ordered_json& doc);

/// Parses suite file contents with key order preserved, expands them (axes in written order) and
/// returns the result as nlohmann::json for parse_suite(). Throws nlohmann::json::parse_error on
/// malformed JSON and std::runtime_error as expand_suite().
nlohmann::json expand_suite_text(std::string_view text);

}  // namespace pushbench::loadgen
