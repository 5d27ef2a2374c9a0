#pragma once
// The wire contract of a benchmark event (see README, "Wire contract").
//
// Every event's data is UTF-8 text that starts with {"seq":<uint64>,"ts":<int64> — seq counts from
// 0 per stream, ts is the intended send time (CLOCK_REALTIME ns) — optionally followed by
// ,"st":<int64>, the time the publisher actually produced it, then payload padding up to `size`
// bytes. The padding is a pure function of (kind, seq, size), so a receiver can verify every byte.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pushbench {

/// What the padding of an event looks like; it decides how compressible events are.
enum class PayloadKind {
  json,    ///< ticker-like JSON records with repeated keys (realistic, compressible)
  text,    ///< English-like words (compressible)
  random,  ///< base64 of pseudo-random bytes (close to incompressible)
  file,    ///< a user's own sample messages (PayloadLines), cycled by seq; `size` is ignored
};

/// A user's sample messages, one per line (no CR/LF), for PayloadKind::file.
using PayloadLines = std::vector<std::string>;

/// Reads non-empty lines of `path` (CR/LF stripped); an error message when unreadable or empty.
std::variant<PayloadLines, std::string> read_payload_lines(const std::string& path);

/// Parses "json" | "text" | "random" | "file".
std::optional<PayloadKind> parse_payload_kind(std::string_view s);
/// The canonical name of `k`.
std::string_view to_string(PayloadKind k);
/// Every payload kind's spelling ("json", "text", "random", "file").
std::vector<std::string> payload_kind_names();

/// The fields a receiver extracts from an event's data.
struct EventHeader {
  std::uint64_t seq = 0;            ///< position in the stream, from 0
  std::int64_t ts = 0;              ///< intended send time, ns since the epoch (CLOCK_REALTIME)
  std::optional<std::int64_t> st;   ///< actual production time when the publisher sent it
};

/// Parses the contract prefix of `data`; nullopt when `data` does not follow the contract.
std::optional<EventHeader> parse_event_header(std::string_view data) noexcept;

/// Appends one event's data to `out`: the header, then padding so that the data is exactly `size`
/// bytes long when `size` is larger than the minimal event (otherwise the minimal event). The result
/// is a valid JSON object without CR or LF. For PayloadKind::file, the header is followed by
/// ,"msg":<line> where line = (*lines)[seq % lines->size()] — embedded as is when it is valid JSON,
/// else as a JSON string — and `lines` must be non-null and non-empty.
void append_event_data(std::string& out, const EventHeader& h, PayloadKind kind, std::size_t size,
                       const PayloadLines* lines = nullptr);

/// True when `data` is exactly what append_event_data() produces for its own header, `kind`,
/// `size` and `lines`: a byte-for-byte check of a received (e.g. decompressed) event.
bool verify_event_data(std::string_view data, PayloadKind kind, std::size_t size,
                       const PayloadLines* lines = nullptr);

}  // namespace pushbench
