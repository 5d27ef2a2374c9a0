#pragma once
// What happens to a request once its header is complete, whichever HTTP version carried it:
// POST /send, /health and /stats, a finished resumed stream, the method check, and the hand-off
// to the transport's stream. Each carrier (HttpSession for HTTP/1.1, H2Connection for HTTP/2)
// supplies the request as a RequestHead and answers through a RequestCarrier; what differs
// between the versions (the WebSocket handshake: Upgrade or extended CONNECT) stays with them.
#include <optional>
#include <string>
#include <string_view>

#include "core/codec/deflate.hpp"
#include "core/contract/workload.hpp"
#include "servers/stream/context.hpp"

namespace pushbench::server {

/// The parts of a request the dispatch reads (views into the carrier's parsed request).
struct RequestHead {
  std::string_view method;           ///< "GET", "POST", "CONNECT", ...
  std::string_view target;           ///< path and query
  std::string_view last_event_id;    ///< Last-Event-ID header (empty when absent)
  std::string_view accept_encoding;  ///< Accept-Encoding header (empty when absent)
  std::string* body = nullptr;       ///< the request body (POST /send); moved from
  bool body_too_large = false;       ///< the body exceeded max_message_bytes (HTTP/2; HTTP/1.1
                                     ///< refuses it while reading)
};

/// How a carrier answers a dispatched request.
class RequestCarrier {
 public:
  virtual ~RequestCarrier() = default;
  /// A complete response: `status` with `body` of `content_type` (none when empty). `keep_open`:
  /// the connection may carry the client's next request (HTTP/1.1 keep-alive; HTTP/2 ignores it).
  virtual void respond(int status, std::string_view content_type, std::string body,
                       bool keep_open) = 0;
  /// A refused request: `status` with a one-line plain-text reason (counted as a bad request).
  virtual void respond_error(int status, std::string reason) = 0;
  /// Starts an SSE stream (the method is checked already); `coding`: the negotiated content
  /// coding, nullopt for identity.
  virtual void start_sse(StreamSpec spec, std::optional<compress::Format> coding) = 0;
  /// Checks the carrier's WebSocket handshake and starts a WebSocket stream, or refuses.
  virtual void start_ws(StreamSpec spec) = 0;
};

/// Answers `req` through `carrier`: exactly one of its calls is made.
void dispatch_request(ThreadContext& ctx, const RequestHead& req, RequestCarrier& carrier);

}  // namespace pushbench::server
