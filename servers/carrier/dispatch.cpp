#include "servers/carrier/dispatch.hpp"

#include "servers/codec/content_coding.hpp"
#include "servers/carrier/route.hpp"

namespace pushbench::server {

namespace {

void dispatch_send(ThreadContext& ctx, const RequestHead& req, RequestCarrier& carrier) {
  if (req.method != "POST") return carrier.respond_error(405, "/send takes POST");
  if (req.body_too_large) return carrier.respond_error(413, "message exceeds max_message_bytes");
  const int status =
      deliver_message(ctx, req.target, req.body ? std::move(*req.body) : std::string());
  if (status == 204) return carrier.respond(204, {}, {}, true);  // the chat client's next POST
  carrier.respond_error(status, status == 404   ? "no open echo stream with that id"
                                : status == 413 ? "message exceeds max_message_bytes"
                                                : "POST /send?stream=<id> with a message body");
}

}  // namespace

void dispatch_request(ThreadContext& ctx, const RequestHead& req, RequestCarrier& carrier) {
  if (is_send_target(req.target)) return dispatch_send(ctx, req, carrier);
  auto routed = route_request(ctx, req.target, req.last_event_id);
  if (auto* err = std::get_if<RouteError>(&routed)) {
    return carrier.respond_error(err->status, std::move(err->reason));
  }
  auto& route = std::get<Route>(routed);
  switch (route.kind) {
    case Route::Kind::health:
    case Route::Kind::stats:
    case Route::Kind::page:
      return carrier.respond(200, route_content_type(route.kind), route_body(ctx, route.kind),
                             false);
    case Route::Kind::complete:
      // Nothing left to send: a stream that is a response answers 204, which tells an
      // EventSource not to reconnect. An upgraded stream (WebSocket) is still opened and
      // closes when its (empty) stream ends.
      if (!transport_info(ctx.config->transport).upgrade) {
        return carrier.respond(204, {}, {}, false);
      }
      break;
    case Route::Kind::stream:
      break;
  }
  if (transport_info(ctx.config->transport).upgrade) return carrier.start_ws(std::move(route.spec));
  if (req.method != "GET") return carrier.respond_error(405, "only GET is allowed here");
  std::optional<compress::Format> coding;
  if (ctx.config->compression) coding = choose_content_coding(req.accept_encoding);
  carrier.start_sse(std::move(route.spec), coding);
}

}  // namespace pushbench::server
