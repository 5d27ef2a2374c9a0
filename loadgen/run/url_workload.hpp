#pragma once
// Workload parameters written in a URL's query: the server is asked for those, so the run's
// StreamSpec (and with it the report and the expected event counts) must describe them.
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/contract/workload.hpp"

namespace pushbench::loadgen {

/// The workload query keys the load generator reconciles with its own options (rate, size,
/// payload, count, duration, topic, keepalive, drop_after, retry). `stream`, `last_seq` and
/// `echo` belong to the resume and chat modes, which set them per connection.
const std::set<std::string>& url_workload_keys();

/// Copies the workload parameters present in `query` (a URL's query, without '?') into `spec`.
/// `explicit_keys` names the parameters the user also gave as command-line options: one whose
/// value differs from the URL's is an error, as is a malformed value of a known key. Keys that
/// are not workload parameters (a foreign server's own) are left alone. Returns the error
/// message, or nullopt on success.
std::optional<std::string> apply_url_workload(std::string_view query,
                                              const std::set<std::string>& explicit_keys,
                                              StreamSpec& spec);

}  // namespace pushbench::loadgen
