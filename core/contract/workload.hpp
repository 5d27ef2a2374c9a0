#pragma once
// The per-stream workload contract between a load generator and a server.
//
// A client asks for a stream with a query string on /sse and /ws (or the raw handshake line):
//   rate=<events/s>&size=<bytes>&payload=json|text|random|file&count=<n>|duration=<s>&topic=<name>
//   &keepalive=<s>&stream=<id>&last_seq=<n>&drop_after=<s>&retry=<ms>&echo=1&epoch=<ns>
// Any server that honours these parameters can be measured by pushbench. Numbers are written
// without exponents (rate=100000, never 1e+05).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/contract/event.hpp"

namespace pushbench {

/// What one stream (one SSE response, one WebSocket, one raw connection) should deliver.
struct StreamSpec {
  double rate = 100;                     ///< events per second, open loop, (0, 1e6]
  std::size_t size = 256;                ///< event data bytes, [0, max_event_bytes]
  PayloadKind payload = PayloadKind::json;
  std::optional<std::uint64_t> count;    ///< stop after this many events (then end the stream)
  std::optional<double> duration_s;      ///< stop after this many seconds (then end the stream)
  std::optional<std::string> topic;      ///< subscribe to a broadcast topic instead of a private stream
  std::optional<double> keepalive_s;     ///< send a keep-alive (SSE comment, WebSocket ping) this
                                         ///< often, in seconds, [0.01, 3600]
  std::optional<std::string> stream_id;  ///< a resumable stream's identity (1-64 characters): a
                                         ///< reconnect with the same id continues its schedule
  std::optional<std::uint64_t> last_seq; ///< resume after this event (WebSocket and raw; SSE
                                         ///< sends the Last-Event-ID header instead)
  std::optional<double> drop_after_s;    ///< fault injection: the server drops the connection
                                         ///< this many seconds after it began, (0, 86400]
  std::optional<std::uint64_t> retry_ms; ///< SSE: the `retry:` reconnection time sent first
  std::optional<std::int64_t> epoch_ns;  ///< the schedule grid chosen by the load generator
                                         ///< (realtime ns since the Unix epoch): events are due
                                         ///< at epoch + k / rate, and the stream's event 0 is the
                                         ///< first grid point at or after the server begins it;
                                         ///< without it, event 0 is due when the server begins
  bool echo = false;                     ///< chat / request-reply: the server paces no events;
                                         ///< each message the client sends (a WebSocket message,
                                         ///< or POST /send?stream=<id> for SSE) comes back as an
                                         ///< event on this stream; `rate` is the client's send rate
  // Server-side resume state, set by the server, never sent as query parameters.
  std::optional<std::int64_t> start_ns;  ///< the resumed stream's original start (realtime ns)
  std::uint64_t first_seq = 0;           ///< the first event to send

  static constexpr std::size_t max_event_bytes = 1 << 20;
  static constexpr double max_rate = 1e6;

  /// Parses a query string (without '?'); an error message on bad or unknown parameters.
  static std::variant<StreamSpec, std::string> parse_query(std::string_view query);
  /// The canonical query string for this spec; parse_query(to_query()) == *this.
  std::string to_query() const;

  /// Intended time of event 0 for a stream the server begins at `now_ns`: the first point of the
  /// `epoch_ns` grid at or after `now_ns`, or `now_ns` itself without a grid.
  std::int64_t first_due_ns(std::int64_t now_ns) const;

  /// Nanoseconds between intended send times: event n is due at start + n * period_ns().
  std::int64_t period_ns() const { return static_cast<std::int64_t>(1e9 / rate); }
  /// Intended time of event `seq` in a stream that started at `start_ns`.
  std::int64_t intended_ns(std::int64_t start_ns, std::uint64_t seq) const {
    return start_ns + static_cast<std::int64_t>(seq) * period_ns();
  }
  bool operator==(const StreamSpec&) const = default;
};

/// Splits "a=1&b=2" and percent-decodes keys and values; calls f(key, value) for each pair.
/// Returns false on a malformed escape.
template <typename F>
bool for_each_query_param(std::string_view query, F&& f);

/// Percent-decodes `s` ('+' becomes a space); nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view s);
/// Percent-encodes everything but unreserved characters.
/// A number as the wire contract writes it: the shortest decimal that reads back as `v`, never
/// with an exponent ("100000", "0.001").
std::string format_number(double v);
std::string url_encode(std::string_view s);

/// The first line a raw-TCP client sends: "PUSHBENCH/1 <query>\n".
std::string raw_handshake_line(const StreamSpec& spec);
/// The query of a raw handshake line (without the line end); nullopt if it is not one.
std::optional<std::string_view> parse_raw_handshake(std::string_view line);

template <typename F>
bool for_each_query_param(std::string_view query, F&& f) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    auto key = url_decode(part.substr(0, eq));
    auto value = url_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
    if (!key || !value) return false;
    f(*key, *value);
  }
  return true;
}

}  // namespace pushbench
