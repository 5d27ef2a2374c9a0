#pragma once
// Request routing shared by HTTP/1.1 and HTTP/2: which resource a request target names and the
// stream it asks for. What is done with a routed request is servers/carrier/dispatch.hpp; the WebSocket
// handshake checks stay with each protocol.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/contract/workload.hpp"
#include "servers/stream/context.hpp"

namespace pushbench::server {

/// A request target this server serves.
struct Route {
  enum class Kind {
    health,    ///< /health: {"ok":true}
    stats,     ///< /stats: the server's counters
    page,      ///< /browser: the browser client's page (core/contract/browser_page.html)
    stream,    ///< /sse or /ws (the configured transport): an event stream
    complete,  ///< a resumed stream that has nothing left to send (SSE: 204 No Content)
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
/// for invalid stream parameters or ones this server cannot serve. A resumable stream
/// (`stream=<id>`) resumes after `last_event_id` (SSE's Last-Event-ID header, when a number) or
/// the query's last_seq; 503 when too many resumable streams are remembered.
std::variant<Route, RouteError> route_request(ThreadContext& ctx, std::string_view target,
                                              std::string_view last_event_id = {});

/// Resolves a resumable stream (`stream=<id>`) of a Kind::stream route in place; Kind::complete
/// when nothing is left to send. Called by route_request(), and by the raw transport.
std::optional<RouteError> resume_stream(ThreadContext& ctx, Route& route,
                                        std::string_view last_event_id);

/// POST /send?stream=<id> with `body`: delivers the message as an event of that request-reply
/// stream (chat for SSE clients). Returns the HTTP status: 204 delivered, 404 no such stream, 400
/// no stream id, 413 a body above max_message_bytes.
int deliver_message(ThreadContext& ctx, std::string_view target, std::string body);

/// True when `target`'s path is /send.
bool is_send_target(std::string_view target);

/// The body of a health, stats or page route.
std::string route_body(const ThreadContext& ctx, Route::Kind kind);
/// Its Content-Type.
std::string_view route_content_type(Route::Kind kind);

}  // namespace pushbench::server
