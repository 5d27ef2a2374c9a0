#include <gtest/gtest.h>

#include "loadgen/run/find_max.hpp"

namespace pushbench::loadgen {
namespace {

/// A fake step: p99 grows with the offered rate; the loadgen saturates above `saturate_at`.
nlohmann::json fake_step(const LoadConfig& c, double saturate_at = 1e12) {
  const double offered = c.spec.rate * c.connections;
  return {{"workload", {{"kind", "stream"}, {"rate_per_stream", c.spec.rate}}},
          {"loadgen", {{"saturated", offered > saturate_at}}},
          {"errors", nlohmann::json::object()},
          {"events", {{"lost", 0}}},
          {"latency_us", {{"corrected", {{"p99", offered / 10}}}}},  // 10 ms at 100k ev/s
          {"throughput", {{"events_per_s", offered}}},
          {"warnings", nlohmann::json::array()}};
}

/// A base load of `connections` streams at `rate` events/s each.
LoadConfig base_load(unsigned connections, double rate) {
  LoadConfig c;
  c.connections = connections;
  c.spec.rate = rate;
  return c;
}

/// Doubling steps against a 10 ms p99 bound.
FindMaxOptions doubling() {
  FindMaxOptions o;
  o.p99_bound_ms = 10;
  o.step_factor = 2;
  return o;
}

TEST(FindMax, StopsAtTheLatencyBound) {
  const LoadConfig c = base_load(100, 100);  // 10k ev/s: p99 1 ms
  const FindMaxOptions o = doubling();
  const auto r = find_max(c, o, [](const LoadConfig& l) { return fake_step(l); });
  // 10k, 20k, 40k, 80k pass; 160k gives p99 16 ms, twice.
  EXPECT_EQ(r["find_max"]["max_sustainable_events_per_s"], 80000.0);
  EXPECT_EQ(r["find_max"]["max_sustainable_rate_per_stream"], 800.0);
  EXPECT_EQ(r["find_max"]["steps"].size(), 6u);
  EXPECT_TRUE(r["find_max"]["steps"][5]["retry"].get<bool>());
  EXPECT_EQ(r["workload"]["kind"], "find-max");
  EXPECT_NE(r["find_max"]["stopped_because"].get<std::string>().find("p99"), std::string::npos);
}

TEST(FindMax, OneNoisyStepDoesNotEndTheSearch) {
  const LoadConfig c = base_load(100, 100);
  const FindMaxOptions o = doubling();
  int calls = 0;
  // The second step's first run is disturbed (p99 far above the bound); its retry is clean.
  const auto r = find_max(c, o, [&](const LoadConfig& l) {
    auto s = fake_step(l);
    if (++calls == 2) s["latency_us"]["corrected"]["p99"] = 1e6;
    return s;
  });
  EXPECT_EQ(r["find_max"]["max_sustainable_events_per_s"], 80000.0);
  const auto& steps = r["find_max"]["steps"];
  ASSERT_GE(steps.size(), 3u);
  EXPECT_FALSE(steps[1]["sustainable"].get<bool>());
  EXPECT_TRUE(steps[2]["retry"].get<bool>());
  EXPECT_TRUE(steps[2]["sustainable"].get<bool>());
}

TEST(FindMax, LoadgenSaturationIsNamedAndNoneSustainableIsAWarning) {
  LoadConfig c;
  c.connections = 10;
  c.spec.rate = 100;
  FindMaxOptions o;
  o.step_factor = 2;
  auto r = find_max(c, o, [](const LoadConfig& l) { return fake_step(l, 3000); });
  EXPECT_EQ(r["find_max"]["max_sustainable_events_per_s"], 2000.0);
  EXPECT_NE(r["find_max"]["stopped_because"].get<std::string>().find("load generator"),
            std::string::npos);
  o.p99_bound_ms = 0.01;
  r = find_max(c, o, [](const LoadConfig& l) { return fake_step(l); });
  EXPECT_TRUE(r["find_max"]["max_sustainable_events_per_s"].is_null());
  EXPECT_FALSE(r["warnings"].empty());
  o.step_factor = 1;
  EXPECT_THROW(find_max(c, o, [](const LoadConfig& l) { return fake_step(l); }),
               std::runtime_error);
}

TEST(FindMax, EachStepSaysHowBusyEachSideWas) {
  const LoadConfig c = base_load(10, 1000);
  FindMaxOptions o = doubling();
  o.max_steps = 2;
  int calls = 0;
  const auto r = find_max(c, o, [&](const LoadConfig& l) {
    auto s = fake_step(l);
    if (++calls == 2) {  // the second step was sampled; the first was not
      s["server"] = {{"cpu_ns_per_event", 900.0}};
      s["loadgen"]["cpu_ns_per_event"] = 600.0;
      s["loadgen"]["max_thread_busy"] = 0.42;
    }
    return s;
  });
  const auto& steps = r["find_max"]["steps"];
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_TRUE(steps[0]["server_cpu_ns_per_event"].is_null());
  EXPECT_TRUE(steps[0]["loadgen_max_thread_busy"].is_null());
  EXPECT_EQ(steps[1]["server_cpu_ns_per_event"], 900.0);
  EXPECT_EQ(steps[1]["loadgen_cpu_ns_per_event"], 600.0);
  EXPECT_EQ(steps[1]["loadgen_max_thread_busy"], 0.42);
}

}  // namespace
}  // namespace pushbench::loadgen
