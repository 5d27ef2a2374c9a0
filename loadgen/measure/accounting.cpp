#include "loadgen/measure/accounting.hpp"

#include "loadgen/measure/server_stats.hpp"

namespace pushbench::loadgen {

namespace {

std::string text_of(const nlohmann::json& doc, const char* key) {
  if (!doc.contains(key)) return "(none)";
  return doc[key].is_string() ? doc[key].get<std::string>() : doc[key].dump();
}

}  // namespace

std::optional<std::string> stats_mismatch(const nlohmann::json& before, const nlohmann::json& after,
                                          Transport protocol, std::optional<pid_t> server_pid) {
  for (const auto* doc : {&before, &after}) {
    if (text_of(*doc, "server") != "pushbench-server") {
      return "/stats did not come from pushbench-server (server: " + text_of(*doc, "server") + ")";
    }
    if (text_of(*doc, "transport") != to_string(protocol)) {
      return "/stats belongs to a '" + text_of(*doc, "transport") + "' server, not this '" +
             std::string(to_string(protocol)) + "' run (a proxy routes /stats elsewhere?)";
    }
    if (!(*doc)["pid"].is_number_integer()) return "/stats names no server pid";
    if (server_pid && (*doc)["pid"].get<std::int64_t>() != *server_pid) {
      return "/stats belongs to pid " + text_of(*doc, "pid") + ", not the measured server pid " +
             std::to_string(*server_pid);
    }
  }
  if (before["pid"] != after["pid"]) {
    return "/stats answered from pid " + text_of(before, "pid") + " before the run and pid " +
           text_of(after, "pid") + " after it";
  }
  return std::nullopt;
}

void add_accounting(nlohmann::json& scenario, nlohmann::json& warnings,
                    const std::optional<nlohmann::json>& before,
                    const std::optional<nlohmann::json>& after, Transport protocol,
                    std::optional<pid_t> server_pid, std::int64_t received) {
  nlohmann::json counters = nullptr;
  if (before && after) {
    if (auto why = stats_mismatch(*before, *after, protocol, server_pid)) {
      warnings.push_back("server counters omitted: " + *why);
    } else {
      counters = counter_deltas(*before, *after);
      counters.erase("pid");  // an identity, not a counter
    }
  }
  const bool sent_known = counters.is_object() && counters.contains("events_sent");
  const nlohmann::json sent = sent_known ? counters["events_sent"] : nlohmann::json(nullptr);
  nlohmann::json in_flight = nullptr;
  if (sent_known) {
    const std::int64_t diff = sent.get<std::int64_t>() - received;
    in_flight = diff;
    if (diff < 0) {
      warnings.push_back("impossible accounting: the clients received " + std::to_string(received) +
                         " events but the server counted " +
                         std::to_string(sent.get<std::int64_t>()) +
                         " sent: its counters are not (only) this run's");
    }
  }
  scenario["server_counters"] = counters;
  scenario["accounting"] = {
      {"server_sent", sent}, {"received", received}, {"in_flight_or_dropped", in_flight}};
}

}  // namespace pushbench::loadgen
