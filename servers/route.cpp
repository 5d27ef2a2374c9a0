#include "servers/route.hpp"

#include "servers/event_stream.hpp"

namespace pushbench::server {

std::variant<Route, RouteError> route_request(const ServerConfig& config, std::string_view target) {
  const auto qpos = target.find('?');
  const auto path = target.substr(0, qpos);
  const auto query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  if (path == "/health") return Route{Route::Kind::health, {}};
  if (path == "/stats") return Route{Route::Kind::stats, {}};
  const bool is_sse = path == "/sse";
  const bool is_ws = path == "/ws";
  if (!is_sse && !is_ws) return RouteError{404, "unknown path"};
  if ((is_sse && config.transport != Transport::sse) ||
      (is_ws && config.transport != Transport::ws)) {
    return RouteError{404, "this server serves the " + std::string(to_string(config.transport)) +
                               " transport only"};
  }
  auto parsed = StreamSpec::parse_query(query);
  if (auto* err = std::get_if<std::string>(&parsed)) return RouteError{400, *err};
  Route route{Route::Kind::stream, std::get<StreamSpec>(std::move(parsed))};
  if (auto err = check_spec(config, route.spec)) return RouteError{400, *err};
  return route;
}

std::string route_body(const ThreadContext& ctx, Route::Kind kind) {
  return kind == Route::Kind::health ? std::string("{\"ok\":true}\n")
                                     : ctx.server->stats_json().dump() + "\n";
}

}  // namespace pushbench::server
