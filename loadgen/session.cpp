#include "loadgen/session.hpp"

#include "loadgen/h2_session.hpp"
#include "loadgen/raw_session.hpp"
#include "loadgen/sse_session.hpp"
#include "loadgen/ws_session.hpp"

namespace pushbench::loadgen {

std::unique_ptr<Session> make_session(const Target& target, const StreamSpec& spec,
                                      const SessionOptions& options, SessionHandler& handler) {
  if (options.http == HttpVersion::h2 && target.protocol != Protocol::raw) {
    return std::make_unique<H2Session>(target, spec, options, handler);
  }
  switch (target.protocol) {
    case Protocol::sse: return std::make_unique<SseSession>(target, spec, options, handler);
    case Protocol::ws: return std::make_unique<WsSession>(target, spec, options, handler);
    case Protocol::raw: return std::make_unique<RawSession>(spec, options, handler);
  }
  return nullptr;
}

}  // namespace pushbench::loadgen
