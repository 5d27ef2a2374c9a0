#pragma once
// Request routing shared by HTTP/1.1 and HTTP/2: which resource a request target names and the
// stream it asks for; the method and upgrade checks stay with each protocol.
#include <string>
#include <string_view>
#include <variant>

#include "core/workload.hpp"
#include "servers/server.hpp"

namespace pushbench::server {

/// A request target this server serves.
struct Route {
  enum class Kind {
    health,  ///< /health: {"ok":true}
    stats,   ///< /stats: the server's counters
    stream,  ///< /sse or /ws (the configured transport): an event stream
  };
  Kind kind = Kind::health;
  StreamSpec spec;  ///< the validated stream parameters (Kind::stream)
};

/// Why a request target is refused: the HTTP status and a one-line reason.
struct RouteError {
  int status = 400;
  std::string reason;
};

/// Routes `target` (path and query): 404 for unknown paths or the other transport's path, 400
/// for invalid stream parameters or ones this server cannot serve.
std::variant<Route, RouteError> route_request(const ServerConfig& config, std::string_view target);

/// The JSON body of a health or stats route.
std::string route_body(const ThreadContext& ctx, Route::Kind kind);

}  // namespace pushbench::server
