// `pushbench report FILE`: one report's side-by-side transport table.
#include <iostream>
#include <memory>

#include "loadgen/cli/command.hpp"
#include "loadgen/report/report_markdown.hpp"
#include "loadgen/report/table.hpp"
#include "loadgen/report/verdict.hpp"

namespace pushbench::loadgen::cli {

namespace {

/// The report options as typed.
struct ReportArgs {
  std::string file;             ///< report JSON
  std::string format = "text";  ///< --format text|markdown|json
};

int run_report_command(const ReportArgs& a) {
  auto report = read_report(a.file);
  if (a.format == "markdown") {
    std::cout << report_markdown(report);
  } else if (a.format == "json") {
    // Derived figures come from here, so that charts draw and need not compute.
    report["verdicts"] = group_verdicts(report);
    std::cout << report.dump(2) << "\n";
  } else {
    std::cout << comparison_table(report);
  }
  return 0;
}

}  // namespace

Subcommand add_report_command(CLI::App& app) {
  auto* rep = app.add_subcommand("report", "print one report's side-by-side transport table");
  auto a = std::make_shared<ReportArgs>();
  rep->add_option("file", a->file, "report JSON")->required();
  rep->add_option("--format", a->format, "text | markdown | json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  return {rep, [a](const std::string&) { return run_report_command(*a); }};
}

}  // namespace pushbench::loadgen::cli
