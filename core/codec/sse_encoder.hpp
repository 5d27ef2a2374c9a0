// Server-side writer for the "text/event-stream" format, the inverse of sse::Parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pushbench::sse {

// Exact number of bytes append_event(out, data, id, type) appends.
std::size_t encoded_size(std::string_view data, std::string_view id, std::string_view type = {});

// Appends one event block to `out`: "event: <type>\n" if `type` is non-empty, "id: <id>\n" if
// `id` is non-empty, one "data: <line>\n" per line of `data` (LF, CR and CRLF all break lines;
// empty `data` gives one empty data line), then the blank line that dispatches it.
// Parsing the output yields exactly `data` with CR and CRLF normalized to LF, `type` (or
// "message" when empty) and `id` (when empty the client keeps its previous last event id).
// Preconditions: `id` and `type` contain no CR or LF, and `id` contains no NUL.
void append_event(std::string& out, std::string_view data, std::string_view id = {},
                  std::string_view type = {});

// Appends ": <text>\n" (e.g. a keep-alive); a multi-line `text` becomes one comment line per
// line, split like append_event() data. The parser reports each with its leading space.
void append_comment(std::string& out, std::string_view text);

// Appends "retry: <ms>\n", asking clients to wait `ms` milliseconds before reconnecting.
void append_retry(std::string& out, std::uint64_t ms);

}  // namespace pushbench::sse
