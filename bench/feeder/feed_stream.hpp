#pragma once
// One stream of the feeder (bench/feeder): its handshake and its paced events, as bytes.
//
// The feeder is a reference sender, not a server: it serves private paced streams of the
// workload contract over HTTP/1.1 cleartext (SSE, WebSocket) and raw TCP with the bytes
// pushbench-server writes (one chunk per SSE event, one frame per WebSocket message), and
// nothing else, so that its cost per event is the encoding and a share of a large write.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/contract/workload.hpp"

namespace pushbench::feeder {

/// The wire format of the streams a feeder serves.
enum class Framing { sse, ws, raw };

/// A handshake is complete: the response to write first and the stream it asked for.
struct Accepted {
  std::string response;  ///< the handshake's response (empty for raw)
  StreamSpec spec;       ///< the stream, validated
};

/// A handshake the feeder refuses: the response that says why, then the connection closes.
struct Rejected {
  std::string response;  ///< an HTTP 400/404 response, or raw's "ERROR <reason>\n"
  std::string reason;    ///< the reason alone, for the feeder's log
};

/// More bytes are needed before the handshake can be judged.
struct NeedMore {};

using HandshakeResult = std::variant<NeedMore, Accepted, Rejected>;

/// Largest handshake (request line and headers, or raw's line) the feeder reads.
constexpr std::size_t kMaxHandshakeBytes = 8192;

/// Judges the bytes a client has sent so far, at realtime `now_ns`. Streams with a topic, echo,
/// resume, keep-alives, fault injection, a retry, a payload file or an epoch more than a day from
/// `now_ns` are refused (the feeder paces private streams only), as are handshakes longer than
/// kMaxHandshakeBytes and bytes that cannot begin one ("GET " for SSE and WebSocket, raw's
/// "PUSHBENCH/1 "; a TLS ClientHello is refused at its first byte). A wrong path gets 404.
HandshakeResult parse_handshake(Framing framing, std::string_view in, std::int64_t now_ns);

/// A stream's schedule and position, and its encoder.
class FeedStream {
 public:
  /// The stream begins at `now_ns` (realtime): event 0 is due at spec.first_due_ns(now_ns).
  FeedStream(Framing framing, StreamSpec spec, std::int64_t now_ns);

  /// Appends every event due at or before `now_ns`, each with its intended time as `ts` and
  /// `now_ns` as `st` (the time the batch is made: the caller reads the clock once a batch),
  /// until `out` holds `max_bytes` or more; when the stream's count or duration is reached, appends
  /// the stream's end (SSE's last chunk, a WebSocket close frame; nothing for raw) and ended()
  /// holds.
  void append_due(std::string& out, std::int64_t now_ns, std::size_t max_bytes);
  /// True once the stream's end is in `out`.
  bool ended() const noexcept { return ended_; }
  /// Events appended so far.
  std::uint64_t sent() const noexcept { return next_seq_; }

 private:
  void append_event(std::string& out, std::int64_t due_ns, std::int64_t now_ns);
  void append_end(std::string& out);

  Framing framing_;             ///< the wire format
  StreamSpec spec_;             ///< what the client asked for
  std::int64_t start_ns_;       ///< intended time of event 0 (realtime ns)
  std::int64_t end_ns_;         ///< no event is due at or after it (the duration's end)
  std::uint64_t count_;         ///< events in the stream (no limit: UINT64_MAX)
  std::uint64_t next_seq_ = 0;  ///< the next event to append
  bool ended_ = false;          ///< the stream's end is appended
  std::string data_;            ///< scratch: one event's data
};

}  // namespace pushbench::feeder
