#pragma once
// The rows both printers show (the terminal table and the Markdown report): one list, in print
// order, each with its label in each printer and how a scenario's cell reads.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/report/scenario_model.hpp"

namespace pushbench::loadgen {

/// One printed row.
struct FigureRow {
  const char* label;           ///< the terminal table's label; null: not in that table
  const char* markdown_label;  ///< the Markdown report's label; null: not in that report
  std::function<std::string(const ScenarioView&)>
      cell;            ///< plain text ("n/a", or "none" for no proxy, when missing)
  bool proxy = false;  ///< a proxy's row: printed only for groups that have a proxy
  bool alarm = false;  ///< a "YES" here is an alarm (bold in Markdown)
};

/// Every row, in print order.
const std::vector<FigureRow>& figure_rows();

/// `v` times `scale` printed with `format`, or "n/a".
std::string format_figure(std::optional<double> v, const char* format, double scale = 1);

}  // namespace pushbench::loadgen
