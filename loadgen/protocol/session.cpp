#include "loadgen/protocol/session.hpp"

#include "loadgen/protocol/h2_session.hpp"
#include "loadgen/protocol/raw_session.hpp"
#include "loadgen/protocol/sse_session.hpp"
#include "loadgen/protocol/ws_session.hpp"

namespace pushbench::loadgen {

std::unique_ptr<Session> make_session(const Target& target, const StreamSpec& stream_spec,
                                      const SessionOptions& options, SessionHandler& handler) {
  // A reconnect resumes after the last event: EventSource's Last-Event-ID header on SSE over
  // HTTP/1.1, the last_seq parameter elsewhere (WebSocket handshakes carry no custom header).
  StreamSpec spec = stream_spec;
  const bool last_event_id_header =
      target.transport == Transport::sse && options.http == HttpVersion::h1;
  if (options.resume_after && !last_event_id_header) spec.last_seq = options.resume_after;
  if (options.http == HttpVersion::h2 && transport_info(target.transport).http2) {
    return std::make_unique<H2Session>(target, spec, options, handler);
  }
  switch (target.transport) {
    case Transport::sse: return std::make_unique<SseSession>(target, spec, options, handler);
    case Transport::ws: return std::make_unique<WsSession>(target, spec, options, handler);
    case Transport::raw: return std::make_unique<RawSession>(spec, options, handler);
  }
  return nullptr;
}

}  // namespace pushbench::loadgen
