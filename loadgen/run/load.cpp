#include "loadgen/run/load.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/measure/sysinfo.hpp"
#include "git_sha.hpp"
#include "loadgen/report/verdict.hpp"
#include "loadgen/run/load_execute.hpp"
#include "loadgen/run/load_plan.hpp"
#include "loadgen/run/load_verdicts.hpp"
#include "loadgen/run/scenario_json.hpp"

namespace pushbench::loadgen {

Phase effective_phase(const LoadConfig& config) {
  if (!config.add_workload_query) return Phase::server;  // the URL is sent as given
  if (config.phase) return *config.phase;
  return config.connect_rate > 0 || config.spec.keepalive_s ? Phase::server : Phase::spread;
}

nlohmann::json run_load(const LoadConfig& requested) {
  PreparedLoad prepared = prepare_load(requested);
  const LoadMeasurements measured = execute_load(prepared);
  const LoadFigures figures = load_figures(prepared, measured);
  return scenario_json(prepared, measured, figures, load_warnings(prepared, measured, figures));
}

nlohmann::json make_report(nlohmann::json scenarios, const std::string& command,
                           const std::optional<std::string>& suite, const std::string& started_at) {
  nlohmann::json report = {
      {"schema_version", 1},
      {"tool",
       {{"name", "pushbench"}, {"version", PUSHBENCH_VERSION}, {"git_sha", PUSHBENCH_GIT_SHA}}},
      {"environment", environment_json()},
      {"started_at", started_at},
      {"finished_at", utc_timestamp()},
      {"command", command},
      {"suite", suite ? nlohmann::json(*suite) : nlohmann::json(nullptr)},
      {"scenarios", std::move(scenarios)}};
  report["verdicts"] = group_verdicts(report);
  return report;
}

void write_report(const nlohmann::json& report, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write report to '" + path + "'");
  out << report.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write report to '" + path + "'");
}

}  // namespace pushbench::loadgen
