// Incremental parser for the WHATWG "text/event-stream" format (HTML Living Standard,
// "Server-sent events", section "Interpreting an event stream").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace pushbench::sse {

// Errors reported by Parser::feed().
enum class ParseError {
  // A line, excluding its terminator, was longer than the parser's max_line_bytes.
  line_too_long = 1,
};

// The category of ParseError codes; its name() is "sse".
const std::error_category& parse_error_category() noexcept;

// Returns `e` as a std::error_code in parse_error_category().
std::error_code make_error_code(ParseError e) noexcept;

// One dispatched event. The views point into parser-owned buffers and are valid only for the
// duration of the Handler::on_event() call.
struct Event {
  // The `event` field of the block, or "message" when it was absent or empty.
  std::string_view type;
  // The block's data lines joined with '\n' (no trailing '\n').
  std::string_view data;
  // The last event id in force at dispatch; it persists across events until an `id` field
  // changes it, and is empty if none was ever set.
  std::string_view id;
};

// Receives the parser's output. Callbacks run synchronously inside Parser::feed() and must not
// call feed() or reset() on the parser that invoked them.
class Handler {
 public:
  virtual ~Handler() = default;

  // Called for each dispatched event.
  virtual void on_event(const Event& ev) = 0;

  // Called for each valid `retry` field (a non-empty, all-ASCII-digit value) with its value in
  // milliseconds; values that do not fit in 64 bits saturate to UINT64_MAX.
  virtual void on_retry(std::uint64_t ms) {}

  // Called for each comment line (a line starting with ':') with the text after the colon,
  // verbatim (a leading space is not stripped).
  virtual void on_comment(std::string_view text) {}
};

// Turns a byte stream into Handler callbacks. Any split of the stream into feed() calls yields
// the same callbacks in the same order. Not thread-safe.
class Parser {
 public:
  // `handler` must outlive the parser. A line longer than `max_line_bytes` (not counting its
  // terminator or a leading BOM) fails the parser with ParseError::line_too_long.
  explicit Parser(Handler& handler, std::size_t max_line_bytes = 1 << 20);

  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Consumes the next bytes of the stream, invoking callbacks for every complete line. Returns
  // an error once the parser has failed; a failed parser ignores further input until reset().
  // An event is dispatched only by a blank line, never because input has ended.
  std::error_code feed(std::string_view bytes);

  // Prepares for a new stream (a reconnection): drops any partial line, pending data and event
  // type, re-arms BOM detection and clears a failure. Keeps last_event_id(), retry_ms() and
  // events_dispatched(), as a reconnecting client does.
  void reset();

  // The last event id buffer: set by `id` fields, empty until one is seen.
  const std::string& last_event_id() const { return last_event_id_; }

  // The value of the last valid `retry` field, if any.
  std::optional<std::uint64_t> retry_ms() const { return retry_ms_; }

  // Number of on_event() calls made so far.
  std::uint64_t events_dispatched() const { return events_dispatched_; }

 private:
  // Splits BOM-free stream bytes into lines; stops early once failed.
  void consume(std::string_view bytes);
  // Interprets one complete line (without its terminator).
  void process_line(std::string_view line);
  void process_field(std::string_view name, std::string_view value);
  // Handles a blank line.
  void dispatch();
  void fail(ParseError e) { error_ = make_error_code(e); }

  Handler& handler_;
  const std::size_t max_line_bytes_;
  // Start of a line whose terminator has not arrived yet.
  std::string partial_line_;
  // The data buffer: every data line so far in this block, each followed by '\n'.
  std::string data_;
  // The event type buffer; empty means "message".
  std::string type_;
  std::string last_event_id_;
  std::optional<std::uint64_t> retry_ms_;
  std::uint64_t events_dispatched_ = 0;
  // How many leading bytes of the stream matched the UTF-8 BOM so far (held back, not consumed).
  std::size_t bom_matched_ = 0;
  // True once the stream start has been checked for a BOM.
  bool bom_checked_ = false;
  // The previous feed() ended with a CR, so a LF starting the next one completes that CRLF.
  bool skip_lf_ = false;
  // Sticky failure; empty while the parser is healthy.
  std::error_code error_;
};

}  // namespace pushbench::sse

template <>
struct std::is_error_code_enum<pushbench::sse::ParseError> : std::true_type {};
