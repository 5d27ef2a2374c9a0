#pragma once
// Suite scenarios with `"client": "chromium"`: the subscriptions are opened by headless
// Chromium (`pushbench browser`) instead of the load generator.
#include <atomic>
#include <string>

#include <nlohmann/json.hpp>

#include "loadgen/suite/runner.hpp"

namespace pushbench::loadgen {

/// Checks a parsed chromium scenario (no raw, no HTTP/2 without TLS, no proxy, find-max, chat,
/// slow consumers or connect storms) and adds the server flags it needs (--no-compression for
/// compression "none": the browser always offers compression). Throws std::runtime_error.
void prepare_browser_scenario(SuiteScenario& sc);

/// Runs `sc` for one transport against our server at `url` with Chromium: `connections`
/// subscriptions (x `streams`), the scenario's workload, resume and compression.
nlohmann::json run_browser_scenario(const SuiteScenario& sc, const std::string& url,
                                    const std::string& transport,
                                    const std::atomic<bool>* interrupted);

}  // namespace pushbench::loadgen
