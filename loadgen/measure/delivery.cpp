#include "loadgen/measure/delivery.hpp"

#include <cmath>

namespace pushbench::loadgen {

void add_delivery(nlohmann::json& scenario, const StreamSpec& spec, const WorkerStats& total) {
  auto& workload = scenario["workload"];
  workload["count_per_stream"] = spec.count ? nlohmann::json(*spec.count) : nlohmann::json(nullptr);
  workload["stream_duration_s"] =
      spec.duration_s ? nlohmann::json(*spec.duration_s) : nlohmann::json(nullptr);
  const std::uint64_t events = total.events_unique + total.foreign_events;
  nlohmann::json delivered = nullptr;
  if (events > 0) {
    const double mean = static_cast<double>(total.payload_bytes) / static_cast<double>(events);
    delivered = mean;
    // The header {"seq":…,"ts":…,"st":…} is never cut: a smaller size is a floor.
    if (total.foreign_events == 0 && spec.payload != PayloadKind::file &&
        mean > static_cast<double>(spec.size) + 0.5) {
      scenario["warnings"].push_back(
          "size " + std::to_string(spec.size) + " is below the event header: events carried " +
          std::to_string(static_cast<long long>(std::llround(mean))) +
          " data bytes on average (see workload.payload_bytes_delivered)");
    }
  }
  workload["payload_bytes_delivered"] = delivered;
  scenario["proxy_evidence"] = {{"via", total.via_seen}, {"server", total.server_seen}};
}

}  // namespace pushbench::loadgen
