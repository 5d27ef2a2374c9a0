// `pushbench merge`: repetitions of one build as one report, or the shards of one run.
#include <iostream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "loadgen/cli/command.hpp"
#include "loadgen/report/repeat.hpp"
#include "loadgen/report/shard_merge.hpp"
#include "loadgen/report/verdict.hpp"
#include "loadgen/run/load.hpp"

namespace pushbench::loadgen::cli {

namespace {

/// The merge options as typed.
struct MergeArgs {
  std::vector<std::string> reports;  ///< reports to merge as repetitions
  std::vector<std::string> shards;   ///< --shards: the shard reports of one run
  std::string out;                   ///< --out
};

int merge_shard_reports(const MergeArgs& a) {
  if (!a.reports.empty()) {
    throw std::runtime_error("merge: give reports to merge as repetitions, or --shards, not both");
  }
  std::vector<ShardReport> shards;
  for (const auto& f : a.shards) shards.push_back({f, read_report(f)});
  const auto merged = merge_shards(shards);
  write_report(merged, a.out);
  std::cout << "merged " << shards.size() << " shards (" << merged["scenarios"].size()
            << " scenarios) into " << a.out << "\n";
  return 0;
}

int run_merge_command(const MergeArgs& a) {
  if (!a.shards.empty()) return merge_shard_reports(a);
  std::vector<nlohmann::json> reports;
  for (const auto& f : a.reports) reports.push_back(read_report(f));
  auto merged = merge_reports(reports);
  merged["verdicts"] = group_verdicts(merged);
  write_report(merged, a.out);
  std::cout << "merged " << reports.size() << " reports (" << merged["scenarios"].size()
            << " scenarios) into " << a.out << "\n";
  return 0;
}

}  // namespace

Subcommand add_merge_command(CLI::App& app) {
  auto* mrg = app.add_subcommand(
      "merge", "single-run reports of one build as one report with repetitions (median, MAD)");
  auto a = std::make_shared<MergeArgs>();
  mrg->add_option("reports", a->reports, "two or more reports of the same suite and commit")
      ->expected(0, -1);
  mrg->add_option("--shards", a->shards,
                  "instead: the reports of the N shards of one run (load --shard K/N), merged "
                  "into the single run's report (bins add, percentiles recomputed)")
      ->expected(1, -1);
  mrg->add_option("-o,--out", a->out, "merged report path")->required();
  return {mrg, [a](const std::string&) { return run_merge_command(*a); }};
}

}  // namespace pushbench::loadgen::cli
