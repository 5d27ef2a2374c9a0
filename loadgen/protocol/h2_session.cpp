#include "loadgen/protocol/h2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

#include "loadgen/protocol/errors.hpp"
#include "loadgen/protocol/h2_session_callbacks.hpp"
#include "loadgen/protocol/h2_session_stream.hpp"

namespace pushbench::loadgen {

namespace {

constexpr std::size_t kMaxPendingOut = 1 << 20;  // unsent pongs when the server stops reading
constexpr std::int32_t kStreamWindow = 1 << 20;
constexpr std::int32_t kConnectionWindow = 16 << 20;

nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
          value.size(), NGHTTP2_NV_FLAG_NONE};
}

std::string lower_case(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

void H2Session::set_callbacks(nghttp2_session_callbacks* callbacks) {
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, Callbacks::on_frame_send);
}

void H2Session::SessionDeleter::operator()(nghttp2_session* s) const noexcept {
  nghttp2_session_del(s);
}

H2Session::H2Session(const Target& target, const StreamSpec& spec, const SessionOptions& options,
                     SessionHandler& handler)
    : handler_(handler),
      scheme_(target.tls ? "https" : "http"),
      authority_(target.host_header()),
      send_path_(spec.stream_id ? "/send?stream=" + url_encode(*spec.stream_id) : std::string()) {
  const std::size_t count = std::max<std::size_t>(options.streams, 1);
  streams_.reserve(count);
  paths_.reserve(count);
  StreamSpec stream_spec = spec;
  for (std::size_t i = 0; i < count; ++i) {
    auto codec = make_client_codec(target.transport, handler, i, options, kMaxPendingOut);
    if (!codec) throw std::invalid_argument("HTTP/2 carries SSE and WebSocket streams only");
    streams_.push_back(std::make_unique<Stream>(i, std::move(codec)));
    if (i < options.stream_epochs_ns.size()) stream_spec.epoch_ns = options.stream_epochs_ns[i];
    paths_.push_back(target.request_target(stream_spec, options.add_workload_query));
  }
  tunnel_ = streams_.front()->codec->tunnel_protocol();

  nghttp2_session_callbacks* raw_callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&raw_callbacks) != 0) throw std::bad_alloc();
  std::unique_ptr<nghttp2_session_callbacks, void (*)(nghttp2_session_callbacks*)> callbacks(
      raw_callbacks, nghttp2_session_callbacks_del);
  set_callbacks(callbacks.get());
  nghttp2_option* raw_option = nullptr;
  if (nghttp2_option_new(&raw_option) != 0) throw std::bad_alloc();
  std::unique_ptr<nghttp2_option, void (*)(nghttp2_option*)> option(raw_option, nghttp2_option_del);
  if (options.slow_fraction > 0) {
    // The head-of-line workload paces window updates itself.
    nghttp2_option_set_no_auto_window_update(option.get(), 1);
    slow_.emplace(count, options.slow_fraction, options.slow_read_bps);
  }
  nghttp2_session* raw_session = nullptr;
  if (nghttp2_session_client_new2(&raw_session, callbacks.get(), this, option.get()) != 0) {
    throw std::bad_alloc();
  }
  session_.reset(raw_session);
}

H2Session::~H2Session() = default;

std::string H2Session::initial_request() {
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow},
  };
  nghttp2_submit_settings(session_.get(), NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_.get(), NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  // A tunnel waits for the server's SETTINGS to allow extended CONNECT (RFC 8441).
  if (tunnel_.empty()) submit_requests();
  std::string out;
  send_pending(out);
  return out;
}

void H2Session::submit_requests() {
  requests_submitted_ = true;
  std::vector<nghttp2_nv> nva;
  if (!tunnel_.empty()) {
    nva = {make_nv(":method", "CONNECT"), make_nv(":protocol", tunnel_),
           make_nv(":scheme", scheme_), make_nv(":path", paths_[0]),
           make_nv(":authority", authority_)};
  } else {
    nva = {make_nv(":method", "GET"), make_nv(":scheme", scheme_),
           make_nv(":authority", authority_), make_nv(":path", paths_[0])};
  }
  // HTTP/2 field names are lower case (RFC 9113 8.2.1); every stream sends the same fields.
  std::vector<std::string> names;
  const auto& fields = streams_.front()->codec->request_fields();
  names.reserve(fields.size());
  for (const auto& [name, value] : fields) {
    names.push_back(lower_case(name));
    nva.push_back(make_nv(names.back(), value));
  }
  // Every request is the same but for its :path (the stream's own schedule epoch).
  constexpr std::size_t kPathIndex = 3;
  for (auto& st : streams_) {
    nva[kPathIndex] = make_nv(":path", paths_[st->index]);
    nghttp2_data_provider body{};
    body.source.ptr = st.get();
    body.read_callback = Callbacks::read_tunnel;
    const auto id = nghttp2_submit_request(session_.get(), nullptr, nva.data(), nva.size(),
                                           tunnel_.empty() ? nullptr : &body, st.get());
    if (id < 0) {
      fail_stream(*st, LoadErrc::protocol_error);
      continue;
    }
    st->id = id;
    st->local_ended = tunnel_.empty();
  }
}

void H2Session::accept_headers(Stream& st) {
  if (st.refused) return;  // trailers after a refusal
  if (st.status >= 100 && st.status < 200) {
    st.status = 0;
    st.content_type.clear();
    st.content_encoding.clear();
    st.extensions.clear();
    return;
  }
  ResponseHead head;
  head.status = st.status;
  head.http2 = true;
  head.content_type = st.content_type;
  head.content_encoding = st.content_encoding;
  head.websocket_extensions = st.extensions;
  if (auto ec = st.codec->on_response(head)) {
    if (ec != LoadErrc::http_status) return fail_stream(st, ec);
    // Refused: the first line of the body says why (our servers: one plain-text line).
    st.refused = ec;
    return;
  }
  if (st.codec->finished()) {
    st.finished = true;  // 204: the server has nothing for this stream
    return;
  }
  st.accepted = true;
  if (!established_) {
    established_ = true;
    compressed_ = st.codec->compressed();
    handler_.on_established();
  }
}

void H2Session::on_data(Stream& st, std::string_view data) {
  if (st.refused && !st.done()) return on_refused_body(st, data);
  if (!st.accepted || st.done()) return;
  const auto queued = st.pending_out.size();
  if (auto ec = st.codec->on_body(data, st.pending_out)) return fail_stream(st, ec);
  if (st.codec->finished()) st.finished = true;
  // Control replies (pong, close) go out on the stream's request body.
  if (st.pending_out.size() != queued) nghttp2_session_resume_data(session_.get(), st.id);
}

void H2Session::on_remote_end(Stream& st) {
  if (st.done()) return;
  if (st.refused) return fail_refused(st);
  if (!st.accepted) return fail_stream(st, LoadErrc::protocol_error);
  if (auto ec = st.codec->on_end()) return fail_stream(st, ec);
  st.finished = true;
}

void H2Session::on_refused_body(Stream& st, std::string_view data) {
  constexpr std::size_t kMaxBody = 160;
  st.refused_body.append(data.substr(0, kMaxBody - std::min(kMaxBody, st.refused_body.size())));
  if (st.refused_body.size() >= kMaxBody || st.refused_body.find('\n') != std::string::npos) {
    fail_refused(st);
  }
}

void H2Session::fail_refused(Stream& st) {
  // The words of an HTTP/1.1 refusal ("HTTP/1.1 400 Bad Request: <line>"), from HTTP/2's parts.
  const auto cause =
      describe_rejection("HTTP/2 " + std::to_string(st.status) + "\r\n\r\n" + st.refused_body);
  fail_stream(st, st.refused, cause);
}

std::string H2Session::stream_cause(std::size_t stream) const {
  return stream < streams_.size() ? streams_[stream]->cause : std::string();
}

void H2Session::fail_stream(Stream& st, std::error_code ec, std::string cause) {
  if (st.done()) return;
  st.failed = true;
  st.cause = std::move(cause);
  if (st.id > 0 && !st.closed && !(st.local_ended && st.remote_ended)) {
    nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, st.id, NGHTTP2_CANCEL);
  }
  handler_.on_stream_failed(st.index, ec);
}

std::optional<std::uint64_t> H2Session::retry_ms() const {
  if (streams_.empty() || !streams_[0]->accepted) return std::nullopt;
  return streams_[0]->codec->retry_ms();
}

bool H2Session::send_message(std::size_t stream, std::string_view message, std::string& out) {
  if (stream >= streams_.size()) return true;
  auto& st = *streams_[stream];
  if (!st.codec->tunnel_protocol().empty()) {
    if (!st.done() && st.id > 0 && !st.codec->upstream_done()) {
      st.codec->send_message(message, st.pending_out);
      nghttp2_session_resume_data(session_.get(), st.id);
    }
  } else {
    if (send_path_.empty() || goaway_sent_) return true;
    const std::string length = std::to_string(message.size());
    const nghttp2_nv nva[] = {make_nv(":method", "POST"),
                              make_nv(":scheme", scheme_),
                              make_nv(":authority", authority_),
                              make_nv(":path", send_path_),
                              make_nv("content-type", "application/json"),
                              make_nv("content-length", length)};
    nghttp2_data_provider body{};
    body.read_callback = Callbacks::read_post;
    const auto id =
        nghttp2_submit_request(session_.get(), nullptr, nva, std::size(nva), &body, nullptr);
    if (id > 0) posts_.emplace(id, std::make_pair(std::string(message), std::size_t{0}));
  }
  send_pending(out);
  return true;
}

void H2Session::send_pending(std::string& out) {
  for (;;) {
    const std::uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(session_.get(), &data);
    if (n < 0) {
      rethrow_pending();
      if (!conn_error_) conn_error_ = LoadErrc::protocol_error;
      return;
    }
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
}

void H2Session::rethrow_pending() {
  if (!pending_exception_) return;
  conn_error_ = LoadErrc::protocol_error;
  std::rethrow_exception(std::exchange(pending_exception_, nullptr));
}

std::error_code H2Session::on_read(std::string_view bytes, std::string& out) {
  if (conn_error_) return conn_error_;
  if (slow_) {
    slow_->reopen(session_.get(), [this](std::size_t i) {
      const auto& st = *streams_[i];
      return st.done() ? 0 : st.id;
    });
  }
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  std::size_t left = bytes.size();
  while (left > 0) {
    const auto n = nghttp2_session_mem_recv(session_.get(), p, left);
    if (n < 0) {
      rethrow_pending();
      if (!conn_error_) conn_error_ = LoadErrc::protocol_error;
      return conn_error_;
    }
    if (n == 0) break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (!tunnel_.empty() && settings_received_ && !requests_submitted_) {
    if (nghttp2_session_get_remote_settings(session_.get(),
                                            NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL) == 0) {
      conn_error_ = LoadErrc::no_extended_connect;
      return conn_error_;
    }
    submit_requests();
  }
  send_pending(out);
  return conn_error_;
}

std::error_code H2Session::on_eof() {
  if (finished()) return {};
  // A server that said GOAWAY (shutting down) and closed is not an anonymous end.
  if (goaway_received_) return LoadErrc::goaway;
  return LoadErrc::unexpected_eof;
}

std::string H2Session::close_cause() const {
  if (conn_error_ == LoadErrc::no_extended_connect) {
    return "no extended CONNECT: the server's SETTINGS lack SETTINGS_ENABLE_CONNECT_PROTOCOL "
           "(RFC 8441), so it takes no WebSocket over HTTP/2";
  }
  if (!goaway_received_) return {};
  return "GOAWAY " + std::string(nghttp2_http2_strerror(goaway_received_->first)) +
         " last_stream_id=" + std::to_string(goaway_received_->second);
}

bool H2Session::finished() const {
  return std::all_of(streams_.begin(), streams_.end(), [](const auto& st) { return st->done(); });
}

std::string H2Session::goodbye() {
  std::string out;
  if (conn_error_ || goaway_sent_) return out;
  goaway_sent_ = true;
  bool queued = false;
  for (auto& st : streams_) {
    if (!st->accepted || st->done() || !st->codec->goodbye(st->pending_out)) continue;
    nghttp2_session_resume_data(session_.get(), st->id);
    queued = true;
  }
  if (queued) send_pending(out);
  nghttp2_submit_goaway(session_.get(), NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_.get()), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  send_pending(out);
  return out;
}

}  // namespace pushbench::loadgen
