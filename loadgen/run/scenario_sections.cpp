#include "loadgen/run/scenario_sections.hpp"

#include <string>

namespace pushbench::loadgen {

namespace {

using json = nlohmann::json;

json optional_json(const auto& v) {
  return v ? json(*v) : json(nullptr);
}

/// What holding connections costs the server, per connection and second of the window.
json idle_json(const json& server, const PreparedLoad& p, const LoadMeasurements& m) {
  const auto& cpu = server["cpu_s"];
  const std::uint64_t held = m.total.connections_established;
  return {{"keepalive_s", *p.config.spec.keepalive_s},
          {"connections_held", held},
          {"fd_limit", p.fd_limit},
          {"server_cpu_s_per_connection_per_s",
           cpu.is_number() && held ? json(cpu.get<double>() / held / m.window_s) : json(nullptr)}};
}

json chat_json(const PreparedLoad& p, const WorkerStats& t) {
  // An upgraded stream (WebSocket) carries the client's messages itself.
  const bool upgrade = transport_info(p.plan.target.transport).upgrade;
  return {{"send_rate_per_client", p.config.spec.rate},
          {"messages_sent", t.messages_sent},
          {"post_connections", t.post_connections},
          {"posts_answered", t.posts_answered},
          {"posts_resent", t.posts_resent},
          {"message_path", upgrade ? "websocket message"
                           : p.config.http == HttpVersion::h2
                               ? "POST stream on the same HTTP/2 connection"
                               : "POST on a second HTTP/1.1 connection"}};
}

json resume_json(const PreparedLoad& p, const WorkerStats& t) {
  json disconnects = json::object();
  for (const auto& [k, v] : t.disconnects) disconnects[k] = v;
  return {{"drop_after_s", optional_json(p.config.spec.drop_after_s)},
          {"retry_ms", optional_json(p.config.spec.retry_ms)},
          {"reconnect_ms", p.config.reconnect_ms},
          {"reconnects", t.reconnects},
          {"disconnects", disconnects},
          {"recovery_us", to_json(t.resume_recovery.summary_us())}};
}

json storm_json(const PreparedLoad& p, const WorkerStats& t) {
  const double span_s = static_cast<double>(t.last_established_ns - t.first_connect_ns) / 1e9;
  const std::uint64_t established = t.connections_established;
  return {{"target_connects_per_s", p.config.connect_rate},
          {"achieved_connects_per_s", established > 1 && span_s > 0
                                          ? json(static_cast<double>(established - 1) / span_s)
                                          : json(nullptr)},
          {"established", established},
          {"failed", p.connections - established},
          {"first_connect_ns", t.first_connect_ns},
          {"last_established_ns", t.last_established_ns}};
}

json slow_consumer_json(const PreparedLoad& p, const WorkerStats& t) {
  const bool streams = p.plan.slow_streams();
  return {{"fraction", p.config.slow_fraction},
          {"read_bps", p.config.slow_read_bps},
          {"unit", streams ? "stream" : "connection"},
          {"slow_connections", t.slow_connections},
          {"healthy_connections", (streams ? p.subscriptions : p.connections) - t.slow_connections},
          {"slow_events_received", t.slow_events},
          {"slow_latency_us", to_json(t.latency_slow.summary_us())},
          {"slow_connections_closed_by_server", t.slow_connections_closed_by_server}};
}

}  // namespace

void add_workload_sections(json& s, const PreparedLoad& p, const LoadMeasurements& m) {
  const LoadConfig& c = p.config;
  const WorkerStats& t = m.total;
  if (c.spec.keepalive_s) s["idle"] = idle_json(s["server"], p, m);
  if (c.chat) s["chat"] = chat_json(p, t);
  if (c.resume) {
    s["resume"] = resume_json(p, t);
    s["histograms"]["resume_recovery"] = t.resume_recovery.bins_json();
  }
  if (c.shard) {
    s["shard"] = {{"index", p.shard.index},
                  {"count", p.shard.count},
                  {"first_connection", p.slice.first},
                  {"connections", p.slice.count},
                  {"connections_total", std::max(1u, c.connections)},
                  {"seed", p.plan.session.seed}};
  }
  if (p.plan.max_connections_per_origin > 0) {
    s["browser"] = {{"max_connections_per_origin", p.plan.max_connections_per_origin},
                    {"subscriptions", p.subscriptions},
                    {"subscriptions_waited", t.subscriptions_waited},
                    {"subscriptions_starved", t.subscriptions_starved},
                    {"wait_us", to_json(t.subscription_wait.summary_us())}};
    s["histograms"]["subscription_wait"] = t.subscription_wait.bins_json();
  }
  if (c.connect_rate > 0) s["storm"] = storm_json(p, t);
  if (c.slow_fraction > 0) {
    s["slow_consumer"] = slow_consumer_json(p, t);
    s["histograms"]["latency_slow"] = t.latency_slow.bins_json();
  }
}

}  // namespace pushbench::loadgen
