#include "bench/feeder/feed_stream.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/base/text.hpp"
#include "core/codec/sse_encoder.hpp"
#include "core/codec/ws_frame.hpp"
#include "core/codec/ws_handshake.hpp"

namespace pushbench::feeder {

namespace {

constexpr std::string_view kSseHeader =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-cache\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

Rejected http_error(std::string_view status, std::string reason) {
  std::string body = "pushbench-feeder: " + reason + "\n";
  return {"HTTP/1.1 " + std::string(status) +
              "\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body,
          std::move(reason)};
}

Rejected refuse(Framing framing, std::string reason) {
  if (framing == Framing::raw) return {"ERROR " + reason + "\n", std::move(reason)};
  return http_error("400 Bad Request", std::move(reason));
}

/// The value of header `name` in `headers` (the lines after the request line), or empty.
std::string_view header_value(std::string_view headers, std::string_view name) {
  while (!headers.empty()) {
    const auto eol = headers.find("\r\n");
    const auto line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !iequals(line.substr(0, colon), name)) continue;
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return value;
  }
  return {};
}

/// Parses and checks a stream's query: a reason when the feeder does not serve it.
std::variant<StreamSpec, std::string> feedable_spec(std::string_view query, std::int64_t now_ns) {
  auto parsed = StreamSpec::parse_query(query);
  if (auto* err = std::get_if<std::string>(&parsed)) return *err;
  const auto& s = std::get<StreamSpec>(parsed);
  // As pushbench-server: a grid within a day of the clock (and no overflow at its end).
  constexpr std::int64_t kDayNs = 86'400'000'000'000;
  if (s.epoch_ns && (*s.epoch_ns > now_ns + kDayNs || *s.epoch_ns < now_ns - kDayNs)) {
    return std::string("epoch is more than a day away from this feeder's clock");
  }
  if (s.topic || s.echo) return std::string("the feeder serves private paced streams only");
  if (s.stream_id || s.last_seq) return std::string("the feeder does not resume streams");
  if (s.keepalive_s || s.drop_after_s || s.retry_ms) {
    return std::string("the feeder sends no keep-alives, drops and retry fields");
  }
  if (s.payload == PayloadKind::file) return std::string("the feeder has no payload file");
  return parsed;
}

/// True when `in` cannot be the start of `expected`.
bool cannot_begin(std::string_view in, std::string_view expected) {
  const auto n = std::min(in.size(), expected.size());
  return in.substr(0, n) != expected.substr(0, n);
}

HandshakeResult parse_raw(std::string_view in, std::int64_t now_ns) {
  if (cannot_begin(in, "PUSHBENCH/1 ")) {
    return refuse(Framing::raw, "expected 'PUSHBENCH/1 <query>'");
  }
  const auto eol = in.find('\n');
  if (eol == std::string_view::npos) {
    if (in.size() >= kMaxHandshakeBytes) return refuse(Framing::raw, "handshake line too long");
    return NeedMore{};
  }
  const auto query = parse_raw_handshake(in.substr(0, eol));
  if (!query) return refuse(Framing::raw, "expected 'PUSHBENCH/1 <query>'");
  auto spec = feedable_spec(*query, now_ns);
  if (auto* err = std::get_if<std::string>(&spec)) return refuse(Framing::raw, *err);
  return Accepted{{}, std::get<StreamSpec>(std::move(spec))};
}

}  // namespace

HandshakeResult parse_handshake(Framing framing, std::string_view in, std::int64_t now_ns) {
  if (framing == Framing::raw) return parse_raw(in, now_ns);
  if (cannot_begin(in, "GET ")) return refuse(framing, "expected 'GET <target> HTTP/1.1'");
  const auto end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in.size() >= kMaxHandshakeBytes) return refuse(framing, "request header too long");
    return NeedMore{};
  }
  const auto line_end = in.find("\r\n");
  const auto line = in.substr(0, line_end);
  const auto headers = in.substr(line_end + 2, end - line_end);
  const auto sp1 = line.find(' ');
  const auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 <= sp1 || line.substr(0, sp1) != "GET" ||
      line.substr(sp2 + 1) != "HTTP/1.1") {
    return refuse(framing, "expected 'GET <target> HTTP/1.1'");
  }
  const auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto qmark = target.find('?');
  const auto path = target.substr(0, qmark);
  const auto query =
      qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  const std::string_view want = framing == Framing::sse ? "/sse" : "/ws";
  if (path != want) return http_error("404 Not Found", "this feeder serves " + std::string(want));
  if (!header_value(headers, "Last-Event-ID").empty()) {
    return refuse(framing, "the feeder does not resume streams");
  }
  auto spec = feedable_spec(query, now_ns);
  if (auto* err = std::get_if<std::string>(&spec)) return refuse(framing, *err);
  if (framing == Framing::sse) {
    return Accepted{std::string(kSseHeader), std::get<StreamSpec>(std::move(spec))};
  }
  constexpr std::string_view kNoUpgrade =
      "expected a WebSocket upgrade with a valid Sec-WebSocket-Key";
  // As pushbench-server: 426 for a request that is no WebSocket upgrade of version 13.
  if (!iequals(header_value(headers, "Upgrade"), "websocket")) {
    return http_error("426 Upgrade Required", std::string(kNoUpgrade));
  }
  if (header_value(headers, "Sec-WebSocket-Version") != "13") {
    return http_error("426 Upgrade Required",
                      "unsupported Sec-WebSocket-Version (this feeder speaks 13)");
  }
  const auto key = header_value(headers, "Sec-WebSocket-Key");
  if (!ws::is_valid_client_key(key)) return refuse(framing, std::string(kNoUpgrade));
  return Accepted{
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
      "Upgrade\r\nSec-WebSocket-Accept: " +
          ws::accept_key(key) + "\r\n\r\n",
      std::get<StreamSpec>(std::move(spec))};
}

FeedStream::FeedStream(Framing framing, StreamSpec spec, std::int64_t now_ns)
    : framing_(framing),
      spec_(std::move(spec)),
      start_ns_(spec_.first_due_ns(now_ns)),
      end_ns_(spec_.duration_s ? start_ns_ + static_cast<std::int64_t>(*spec_.duration_s * 1e9)
                               : std::numeric_limits<std::int64_t>::max()),
      count_(spec_.count.value_or(std::numeric_limits<std::uint64_t>::max())) {}

void FeedStream::append_due(std::string& out, std::int64_t now_ns, std::size_t max_bytes) {
  while (!ended_ && out.size() < max_bytes) {
    const std::int64_t due = spec_.intended_ns(start_ns_, next_seq_);
    if (next_seq_ >= count_ || due >= end_ns_) {
      append_end(out);
      return;
    }
    if (due > now_ns) return;
    append_event(out, due, now_ns);
  }
}

void FeedStream::append_event(std::string& out, std::int64_t due_ns, std::int64_t now_ns) {
  data_.clear();
  append_event_data(data_, {next_seq_, due_ns, now_ns}, spec_.payload, spec_.size);
  switch (framing_) {
    case Framing::sse: {
      char id[24];
      const auto id_end = std::to_chars(id, id + sizeof id, next_seq_).ptr;
      const std::string_view id_text(id, id_end - id);
      char hex[20];
      const auto hex_end =
          std::to_chars(hex, hex + sizeof hex, sse::encoded_size(data_, id_text), 16).ptr;
      out.append(hex, hex_end).append("\r\n");
      sse::append_event(out, data_, id_text);
      out.append("\r\n");
      break;
    }
    case Framing::ws:
      ws::append_frame(out, ws::Opcode::text, data_);
      break;
    case Framing::raw:
      out.append(data_).push_back('\n');
      break;
  }
  ++next_seq_;
}

void FeedStream::append_end(std::string& out) {
  if (framing_ == Framing::sse) out.append("0\r\n\r\n");
  if (framing_ == Framing::ws) ws::append_frame(out, ws::Opcode::close, ws::close_payload(1000));
  ended_ = true;
}

}  // namespace pushbench::feeder
