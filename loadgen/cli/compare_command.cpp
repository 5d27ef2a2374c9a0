// `pushbench compare BASE NEW`: figure-by-figure deltas; exit 1 on a regression, 2 on an error.
#include <iostream>
#include <memory>
#include <stdexcept>

#include "loadgen/cli/command.hpp"
#include "loadgen/report/compare.hpp"

namespace pushbench::loadgen::cli {

namespace {

/// The compare options as typed.
struct CompareArgs {
  std::string base;               ///< baseline report path
  std::string fresh;              ///< new report path
  std::string threshold = "10%";  ///< --threshold, "10%" or "0.1"
  std::string format = "text";    ///< --format text|markdown|json
  CompareOptions options;         ///< --mad-factor; threshold and format once parsed
};

int run_compare_command(CompareArgs& a) {
  auto& co = a.options;
  const auto t = parse_threshold(a.threshold);
  if (!t) {
    throw std::runtime_error("--threshold must look like 10% or 0.1, got '" + a.threshold + "'");
  }
  co.threshold = *t;
  co.format = a.format == "markdown" ? CompareFormat::markdown
              : a.format == "json"   ? CompareFormat::json
                                     : CompareFormat::text;
  const auto result = compare_reports(read_report(a.base), read_report(a.fresh), co);
  std::cout << format_compare(result, co);
  return result.regressed() ? 1 : 0;
}

}  // namespace

Subcommand add_compare_command(CLI::App& app) {
  auto* cmp = app.add_subcommand("compare",
                                 "figure-by-figure deltas of two reports; exit 1 on a regression");
  auto a = std::make_shared<CompareArgs>();
  cmp->add_option("base", a->base, "baseline report")->required();
  cmp->add_option("new", a->fresh, "new report")->required();
  cmp->add_option("--threshold", a->threshold,
                  "relative change that counts as a regression, e.g. 10%")
      ->capture_default_str();
  cmp->add_option("--mad-factor", a->options.mad_factor,
                  "with repetitions, changes within this many MADs are noise")
      ->capture_default_str();
  cmp->add_option("--format", a->format, "text | markdown | json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  return {cmp, [a](const std::string&) { return run_compare_command(*a); }, 2};
}

}  // namespace pushbench::loadgen::cli
