#include "servers/carrier/route.hpp"

#include <charconv>

#include "core/contract/browser_page.hpp"
#include "core/base/clock.hpp"
#include "servers/stream/echo_registry.hpp"
#include "servers/stream/event_stream.hpp"
#include "servers/stream/resume_registry.hpp"

namespace pushbench::server {

std::variant<Route, RouteError> route_request(ThreadContext& ctx, std::string_view target,
                                              std::string_view last_event_id) {
  const ServerConfig& config = *ctx.config;
  const auto qpos = target.find('?');
  const auto path = target.substr(0, qpos);
  const auto query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  if (path == "/health") return Route{Route::Kind::health, {}};
  if (path == "/stats") return Route{Route::Kind::stats, {}};
  if (path == "/browser") return Route{Route::Kind::page, {}};
  const auto endpoint = transport_for_path(path);
  if (!endpoint) return RouteError{404, "unknown path"};
  if (*endpoint != config.transport) {
    return RouteError{404, "this server serves the " + std::string(to_string(config.transport)) +
                               " transport only"};
  }
  auto parsed = StreamSpec::parse_query(query);
  if (auto* err = std::get_if<std::string>(&parsed)) return RouteError{400, *err};
  Route route{Route::Kind::stream, std::get<StreamSpec>(std::move(parsed))};
  if (auto err = check_spec(config, route.spec)) return RouteError{400, *err};
  if (auto err = resume_stream(ctx, route, last_event_id)) return *err;
  return route;
}

std::optional<RouteError> resume_stream(ThreadContext& ctx, Route& route,
                                        std::string_view last_event_id) {
  // Echo (chat) streams are named for routing only: they have no schedule to resume.
  if (route.spec.stream_id && !route.spec.echo) {
    if (route.spec.topic) return RouteError{400, "a broadcast subscription cannot be resumed"};
    auto last = route.spec.last_seq;
    std::uint64_t header_seq = 0;
    const auto* end = last_event_id.data() + last_event_id.size();
    if (!last_event_id.empty() &&
        std::from_chars(last_event_id.data(), end, header_seq).ptr == end) {
      last = header_seq;
    }
    switch (ctx.resumes->resolve(route.spec, last, realtime_ns())) {
      case ResumeRegistry::Outcome::stream:
        break;
      case ResumeRegistry::Outcome::complete:
        route.kind = Route::Kind::complete;
        break;
      case ResumeRegistry::Outcome::full:
        return RouteError{503, "too many resumable streams remembered"};
    }
  }
  return std::nullopt;
}

bool is_send_target(std::string_view target) {
  return target.substr(0, target.find('?')) == "/send";
}

int deliver_message(ThreadContext& ctx, std::string_view target, std::string body) {
  if (body.size() > ctx.config->max_message_bytes) return 413;
  const auto q = target.find('?');
  std::string id;
  for_each_query_param(q == std::string_view::npos ? std::string_view{} : target.substr(q + 1),
                       [&](const std::string& k, const std::string& v) {
                         if (k == "stream") id = v;
                       });
  if (id.empty()) return 400;
  return ctx.echoes->deliver(id, std::move(body)) ? 204 : 404;
}

std::string route_body(const ThreadContext& ctx, Route::Kind kind) {
  if (kind == Route::Kind::page) return std::string(browser_page_html());
  return kind == Route::Kind::health ? std::string("{\"ok\":true}\n")
                                     : ctx.server_stats().dump() + "\n";
}

std::string_view route_content_type(Route::Kind kind) {
  return kind == Route::Kind::page ? "text/html; charset=utf-8" : "application/json";
}

}  // namespace pushbench::server
