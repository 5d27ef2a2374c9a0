// Fuzzes what `pushbench compare`, `merge` and `report` do with a report file: JSON parsing, then
// compare_reports / format_compare (documented never to throw), merge_reports (documented to
// throw only std::runtime_error), report_markdown and comparison_table.
// Invariants: (1) a report compared with itself has no regression and no improvement, and every
// scenario is matched; (2) format_compare's JSON output parses; (3) merging a report with itself
// either fails with a reason or gives a report with as many scenarios.
#include "loadgen/report/compare.hpp"
#include "loadgen/report/repeat.hpp"
#include "loadgen/report/report_markdown.hpp"
#include "loadgen/report/table.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace loadgen = pushbench::loadgen;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = pushbench::fuzz::as_view(data, size);
  const json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  // main.cpp's read_report: an object with "scenarios", else a clear error.
  if (j.is_discarded() || !j.is_object() || !j.contains("scenarios")) return 0;

  loadgen::CompareOptions o;
  const auto self = loadgen::compare_reports(j, j, o);
  FUZZ_CHECK(!self.regressed());
  for (const auto& d : self.deltas) FUZZ_CHECK(!d.regressed && !d.improved);
  FUZZ_CHECK(self.only_in_base.size() == self.only_in_new.size());
  for (auto format : {loadgen::CompareFormat::text, loadgen::CompareFormat::markdown,
                      loadgen::CompareFormat::json}) {
    o.format = format;
    const auto text = loadgen::format_compare(self, o);
    if (format == loadgen::CompareFormat::json) {
      FUZZ_CHECK(!json::parse(text, nullptr, false).is_discarded());
    }
  }
  const json empty = {{"scenarios", json::array()}};
  (void)loadgen::compare_reports(j, empty, o);
  (void)loadgen::compare_reports(empty, j, o);

  try {
    const auto merged = loadgen::merge_reports({j, j});
    FUZZ_CHECK(merged["scenarios"].size() == j["scenarios"].size());
  } catch (const std::runtime_error&) {
    // A bad merge names its reason; other exception types escape and crash the target.
  }
  // `pushbench report` prints std::exception messages as errors; only crashes matter here.
  try {
    (void)loadgen::report_markdown(j);
  } catch (const std::exception&) {
  }
  try {
    (void)loadgen::comparison_table(j);
  } catch (const std::exception&) {
  }
  return 0;
}
