// The typed shard merge (loadgen/report/shard_merge_typed): every figure of fully measured shards
// is merged by a rule (none is left null), counts add, per-event figures are over the merged
// events, and the server's figures come from the shard that sampled it.
#include "loadgen/report/shard_merge_typed.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <tuple>

namespace pushbench::loadgen {
namespace {

/// A shard that measured everything: `k` scales its counts and varies its ratios,
/// `sampled_server` says whether it sampled the server.
ScenarioFigures shard(std::uint64_t k, bool sampled_server) {
  const auto summary = summary_or_null(Summary{k * 10, 1, 2, 2, 3, 4, 5, 6, 7});
  ScenarioFigures f{
      .name = "g-ws",
      .group = "g",
      .transport = "ws",
      .http_version = "1.1",
      .tls = false,
      .schedule = {.phase = "spread", .seed = 7, .server_timer_slack_us = 100},
      .events = {.expected = k * 100,
                 .received = k * 90,
                 .lost = k * 10,
                 .duplicated = k,
                 .out_of_order = k},
      .throughput = {.events_per_s = k * 9.0,
                     .payload_bytes_per_s = k * 90.0,
                     .wire_bytes_per_s = k * 100.0},
      .wire = {.bytes_received = k * 1000,
               .bytes_sent = k * 10,
               .segments_received = k * 5,
               .bytes_per_event = 1000.0 / (80 + 20 * k),  // k (80 + 20 k) events on the wire
               .segments_sent = k * 3},
      .latency_us = {summary, summary},
      .connect_us = summary,
      .first_event_us = summary,
      .server = {},
      .loadgen = {.cpu_s = k * 0.5,
                  .cpu_ns_per_event = 0,
                  .wakeups_per_event = k == 1 ? 2.0 : 5.0,
                  .threads = 1,
                  .saturated = k == 2,
                  .max_thread_busy = k * 0.2,
                  .acks = std::string("delayed"),
                  .wait = std::string("block"),
                  .worker_cpus = std::to_string(k)},
      .errors = {{"connect_refused", k}},
      .warnings = {"w" + std::to_string(k)}};
  if (sampled_server) {
    f.server = {.pid = 42,
                .cpu_s = 0.9,
                .cpu_ns_per_event = 1,
                .rss_bytes_idle = 1000,
                .rss_bytes_peak = 5000,
                .rss_bytes_per_connection = 1,
                .rss_bytes_per_stream = 1,
                .rss_anon_bytes_idle = 800,
                .rss_anon_bytes_end = 2400,
                .rss_anon_bytes_per_connection = 1,
                .rss_anon_bytes_per_stream = 1,
                .wakeups_per_event = 3.0};
  }
  return f;
}

ShardMergeInputs inputs() {
  const auto merged = summary_or_null(Summary{30, 1, 2, 2, 3, 4, 5, 6, 7});
  return {.latency_us = {merged, merged},
          .connect_us = merged,
          .first_event_us = merged,
          .connections = 8.0,
          .subscriptions = 16.0};
}

TEST(ShardMergeTyped, EveryFigureOfMeasuredShardsHasARule) {
  const ScenarioFigures m = merge_shard_typed({shard(1, true), shard(2, false)}, inputs());
  for (const std::string_view path : figure_paths()) {
    EXPECT_TRUE(figure_value(m, path).has_value()) << path << " is not merged";
  }
  // Every typed field, numbers or not: nothing in the merged sections is null or empty.
  nlohmann::json j;
  to_json(j, m);
  const std::function<void(const nlohmann::json&, const std::string&)> walk =
      [&](const nlohmann::json& v, const std::string& at) {
        EXPECT_FALSE(v.is_null()) << at << " is not merged";
        EXPECT_FALSE(v.is_object() && v.empty()) << at << " is empty";
        if (v.is_object())
          for (const auto& [k, sub] : v.items()) walk(sub, at + "." + k);
      };
  walk(j, "");
  EXPECT_EQ(m.name, "g-ws");
  EXPECT_EQ(m.group, "g");
  EXPECT_EQ(m.transport, "ws");
  EXPECT_EQ(m.http_version, "1.1");
  EXPECT_EQ(m.tls, false);
  EXPECT_EQ(m.schedule.phase, "spread");
  EXPECT_EQ(m.loadgen.saturated, true) << "any shard's saturation is the run's";
}

TEST(ShardMergeTyped, CountsAddAndPerEventFiguresAreOverTheMergedEvents) {
  const ScenarioFigures m = merge_shard_typed({shard(1, true), shard(2, false)}, inputs());
  EXPECT_EQ(m.events.expected, 300u);
  EXPECT_EQ(m.events.received, 270u);
  EXPECT_EQ(m.events.lost, 30u);
  EXPECT_DOUBLE_EQ(*m.throughput.events_per_s, 27.0);
  EXPECT_EQ(m.wire.bytes_received, 3000u);
  EXPECT_EQ(m.wire.segments_sent, 9u);
  EXPECT_DOUBLE_EQ(*m.wire.bytes_per_event, 3000.0 / (100 + 240))
      << "over both shards' wire events";
  EXPECT_DOUBLE_EQ(*m.loadgen.cpu_s, 1.5);
  EXPECT_DOUBLE_EQ(*m.loadgen.cpu_ns_per_event, 1.5e9 / 270);
  EXPECT_DOUBLE_EQ(*m.loadgen.wakeups_per_event, 4.0) << "(2*90 + 5*180) / 270, not shard 0's";
  EXPECT_EQ(m.loadgen.threads, 2u);
  EXPECT_DOUBLE_EQ(*m.loadgen.max_thread_busy, 0.4);
  EXPECT_EQ(m.errors.at("connect_refused"), 3u);
  EXPECT_EQ(m.warnings, (std::vector<std::string>{"shard 0: w1", "shard 1: w2"}));
  EXPECT_EQ(m.latency_us, inputs().latency_us) << "summaries come from the merged histograms";
  EXPECT_EQ(m.connect_us, inputs().connect_us);
}

TEST(ShardMergeTyped, TheServerIsTheSamplingShardsOverTheMergedTotals) {
  const ScenarioFigures m = merge_shard_typed({shard(1, false), shard(2, true)}, inputs());
  EXPECT_EQ(m.server.pid, 42);
  EXPECT_DOUBLE_EQ(*m.server.cpu_s, 0.9);
  EXPECT_DOUBLE_EQ(*m.server.cpu_ns_per_event, 0.9e9 / 270);
  // Shard 1 saw 3 wake-ups for each of its 180 events: 540 wake-ups served 270 events.
  EXPECT_DOUBLE_EQ(*m.server.wakeups_per_event, 2.0);
  EXPECT_DOUBLE_EQ(*m.server.rss_bytes_per_connection, 4000.0 / 8);
  EXPECT_DOUBLE_EQ(*m.server.rss_bytes_per_stream, 4000.0 / 16);
  EXPECT_DOUBLE_EQ(*m.server.rss_anon_bytes_per_connection, 1600.0 / 8);
  EXPECT_DOUBLE_EQ(*m.server.rss_anon_bytes_per_stream, 1600.0 / 16);
}

TEST(ShardMergeTyped, AFigureOneShardLacksIsNullNotPartial) {
  ScenarioFigures a = shard(1, false), b = shard(2, false);
  b.events.expected.reset();
  b.loadgen.wakeups_per_event.reset();
  const ScenarioFigures m = merge_shard_typed({a, b}, inputs());
  EXPECT_FALSE(m.events.expected) << "a partial sum would understate what was asked";
  EXPECT_FALSE(m.loadgen.wakeups_per_event);
  EXPECT_FALSE(m.server.pid) << "no shard sampled the server";
  EXPECT_FALSE(m.server.cpu_ns_per_event);
  EXPECT_FALSE(m.server.rss_bytes_per_connection);
  EXPECT_FALSE(m.server.rss_anon_bytes_per_stream);
}

TEST(ShardMergeTyped, AShardWithoutEventsLeavesWakeupsUnknown) {
  ScenarioFigures a = shard(1, true), b = shard(2, false);
  a.events.received = 0;  // its connections failed: it wrote no per-event figures
  a.loadgen.wakeups_per_event.reset();
  a.server.wakeups_per_event.reset();
  const ScenarioFigures m = merge_shard_typed({a, b}, inputs());
  EXPECT_EQ(m.events.received, 180u);
  EXPECT_FALSE(m.loadgen.wakeups_per_event) << "a partial sum would understate them";
  EXPECT_FALSE(m.server.wakeups_per_event) << "the sampling shard's count is unknown";
  EXPECT_TRUE(m.loadgen.cpu_ns_per_event) << "CPU seconds are known without events";
}

// The load generator's policies (ACKs, waiting): the shards' when they agree, else unknown.
TEST(ShardMergeTyped, APolicyIsTheShardsOnlyWhenTheyAgree) {
  const std::tuple<Figure<std::string> LoadgenFigures::*, const char*, const char*> policies[] = {
      {&LoadgenFigures::acks, "delayed", "kernel"}, {&LoadgenFigures::wait, "block", "busy_poll"}};
  for (const auto& [member, common, other] : policies) {
    ScenarioFigures a = shard(1, false), b = shard(2, false);
    EXPECT_EQ(merge_shard_typed({a, b}, inputs()).loadgen.*member, common);
    b.loadgen.*member = std::string(other);
    EXPECT_FALSE(merge_shard_typed({a, b}, inputs()).loadgen.*member) << common << ": mixed";
    (b.loadgen.*member).reset();
    EXPECT_FALSE(merge_shard_typed({a, b}, inputs()).loadgen.*member)
        << common << ": a shard that did not say";
  }
}

TEST(ShardMergeTyped, BusyPolledShardsHaveNoCpuPerEvent) {
  ScenarioFigures a = shard(1, false), b = shard(2, false);
  a.loadgen.wait = b.loadgen.wait = std::string("busy_poll");
  const auto m = merge_shard_typed({a, b}, inputs());
  EXPECT_FALSE(m.loadgen.cpu_ns_per_event) << "spinning is not a cost per event";
  EXPECT_DOUBLE_EQ(*m.loadgen.cpu_s, 1.5) << "the CPU spent is still given";
}

// Each shard pinned its spinning workers on its own host: the merge lists them in shard order,
// a ';' between shards, and says nothing when one shard did not pin (a list without it would
// look complete).
TEST(ShardMergeTyped, WorkerCpusAreTheShardsInOrderOnlyWhenEveryShardPinned) {
  ScenarioFigures a = shard(1, false), b = shard(2, false);
  a.loadgen.worker_cpus = std::string("1");
  b.loadgen.worker_cpus = std::string("0,3");
  EXPECT_EQ(merge_shard_typed({a, b}, inputs()).loadgen.worker_cpus, "1;0,3");
  EXPECT_EQ(merge_shard_typed({b, a}, inputs()).loadgen.worker_cpus, "0,3;1");
  b.loadgen.worker_cpus.reset();
  EXPECT_FALSE(merge_shard_typed({a, b}, inputs()).loadgen.worker_cpus);
  EXPECT_FALSE(merge_shard_typed({b, a}, inputs()).loadgen.worker_cpus);
}

TEST(ShardMergeTyped, NoShardsIsAnError) {
  EXPECT_THROW(merge_shard_typed({}, inputs()), std::invalid_argument);
}

}  // namespace
}  // namespace pushbench::loadgen
