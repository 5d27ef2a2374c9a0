// Fuzzes the workload query the servers parse from every /sse and /ws request target
// (StreamSpec::parse_query, for_each_query_param, url_decode).
// Invariants: (1) a query that parses gives a spec inside the documented bounds, and
// parse_query(spec.to_query()) gives the same spec back; (2) url_decode(url_encode(s)) == s for
// any bytes; (3) parsing is a pure function (the same input twice, the same result).
#include "core/contract/workload.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using pushbench::StreamSpec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = pushbench::fuzz::as_view(data, size);
  const auto parsed = StreamSpec::parse_query(in);
  if (const auto* spec = std::get_if<StreamSpec>(&parsed)) {
    FUZZ_CHECK(spec->rate > 0 && spec->rate <= StreamSpec::max_rate);
    FUZZ_CHECK(spec->size <= StreamSpec::max_event_bytes);
    if (spec->keepalive_s) FUZZ_CHECK(*spec->keepalive_s >= 0.01 && *spec->keepalive_s <= 3600);
    if (spec->stream_id) FUZZ_CHECK(!spec->stream_id->empty() && spec->stream_id->size() <= 64);
    if (spec->drop_after_s) FUZZ_CHECK(*spec->drop_after_s > 0 && *spec->drop_after_s <= 86400);
    FUZZ_CHECK(spec->period_ns() > 0);
    const auto again = StreamSpec::parse_query(spec->to_query());
    const auto* back = std::get_if<StreamSpec>(&again);
    FUZZ_CHECK(back != nullptr);
    FUZZ_CHECK(*back == *spec);
  } else {
    FUZZ_CHECK(!std::get<std::string>(parsed).empty());  // an error says why
    FUZZ_CHECK(std::get<std::string>(StreamSpec::parse_query(in)) == std::get<std::string>(parsed));
  }
  const auto decoded = pushbench::url_decode(pushbench::url_encode(in));
  FUZZ_CHECK(decoded && *decoded == in);
  std::size_t pairs = 0;
  pushbench::for_each_query_param(in, [&](const std::string&, const std::string&) { ++pairs; });
  FUZZ_CHECK(pairs <= in.size());
  return 0;
}
