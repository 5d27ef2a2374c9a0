// Fuzzes the raw transport's first line ("PUSHBENCH/1 <query>\n") as the raw server reads it:
// parse_raw_handshake, then StreamSpec::parse_query on what it returns.
// Invariants: a line that parses is a view into the input; a spec read from it, written back
// with raw_handshake_line(), parses again to the same spec.
#include "core/contract/workload.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using pushbench::StreamSpec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = pushbench::fuzz::as_view(data, size);
  const auto query = pushbench::parse_raw_handshake(in);
  if (!query) return 0;
  FUZZ_CHECK(query->data() >= in.data() && query->data() + query->size() <= in.data() + in.size());
  const auto parsed = StreamSpec::parse_query(*query);
  const auto* spec = std::get_if<StreamSpec>(&parsed);
  if (!spec) return 0;
  auto line = pushbench::raw_handshake_line(*spec);
  FUZZ_CHECK(!line.empty() && line.back() == '\n');
  line.pop_back();
  const auto again_query = pushbench::parse_raw_handshake(line);
  FUZZ_CHECK(again_query.has_value());
  const auto again = StreamSpec::parse_query(*again_query);
  FUZZ_CHECK(std::holds_alternative<StreamSpec>(again) && std::get<StreamSpec>(again) == *spec);
  return 0;
}
