#include "loadgen/protocol/h2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

#include "loadgen/protocol/errors.hpp"

namespace pushbench::loadgen {

namespace {

constexpr std::size_t kMaxHeaderValue = 16 << 10;
constexpr std::size_t kMaxPendingOut = 1 << 20;  // unsent pongs when the server stops reading
constexpr std::int32_t kStreamWindow = 1 << 20;
constexpr std::int32_t kConnectionWindow = 16 << 20;

nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
          value.size(), NGHTTP2_NV_FLAG_NONE};
}

std::string_view view(const std::uint8_t* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

std::string lower_case(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

/// One request/response exchange on the connection, with its own codec.
struct H2Session::Stream final {
  Stream(std::size_t stream_index, std::unique_ptr<ClientCodec> stream_codec)
      : index(stream_index), codec(std::move(stream_codec)) {}

  /// True once the stream ended, cleanly or not.
  bool done() const { return finished || failed; }

  std::size_t index;                           ///< 0 .. streams-1, in submission order
  std::unique_ptr<ClientCodec> codec;          ///< the protocol on this stream
  std::int32_t id = 0;                         ///< nghttp2 stream id; 0 before submission
  int status = 0;                              ///< the response :status
  std::string content_type;                    ///< the response content-type
  std::string content_encoding;                ///< the response content-encoding
  std::string extensions;                      ///< the response sec-websocket-extensions
  std::string pending_out;                     ///< tunnel: client bytes not yet sent
  std::size_t out_pos = 0;                     ///< bytes of pending_out already sent
  bool accepted = false;                       ///< the final response header was accepted
  bool local_ended = false;                    ///< we sent END_STREAM
  bool remote_ended = false;                   ///< the server sent END_STREAM
  bool closed = false;                         ///< nghttp2 closed the stream
  bool finished = false;                       ///< ended cleanly
  bool failed = false;                         ///< ended with an error (reported once)
};

/// nghttp2 callbacks: noexcept wrappers that keep handler exceptions out of C.
struct H2Session::Callbacks {
  template <class F>
  static int guarded(void* user_data, F&& f) noexcept {
    auto& self = *static_cast<H2Session*>(user_data);
    try {
      return f(self);
    } catch (...) {
      self.pending_exception_ = std::current_exception();
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
  }

  static Stream* stream(nghttp2_session* s, std::int32_t id) {
    return static_cast<Stream*>(nghttp2_session_get_stream_user_data(s, id));
  }

  static int on_header(nghttp2_session* s, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      if (frame->hd.type != NGHTTP2_HEADERS) return 0;
      Stream* st = stream(s, frame->hd.stream_id);
      if (!st || st->accepted || st->done()) return 0;
      if (valuelen > kMaxHeaderValue) {
        self.fail_stream(*st, LoadErrc::protocol_error);
        return 0;
      }
      const auto n = view(name, namelen);
      const auto v = view(value, valuelen);
      if (n == ":status") {
        st->status = 0;
        std::from_chars(v.data(), v.data() + v.size(), st->status);
      } else if (n == "content-type") {
        st->content_type = v;
      } else if (n == "content-encoding") {
        if (!st->content_encoding.empty()) st->content_encoding += ", ";
        st->content_encoding += v;
      } else if (n == "sec-websocket-extensions") {
        if (!st->extensions.empty()) st->extensions += ", ";
        st->extensions += v;
      } else if (n == "via" && !self.established_) {
        self.peer_.via += (self.peer_.via.empty() ? "" : ", ") + std::string(v);
      } else if (n == "server" && !self.established_) {
        self.peer_.server = v;
      }
      return 0;
    });
  }

  static int on_frame_recv(nghttp2_session* s, const nghttp2_frame* frame,
                           void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      switch (frame->hd.type) {
        case NGHTTP2_SETTINGS:
          if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) self.settings_received_ = true;
          return 0;
        case NGHTTP2_GOAWAY:
          self.goaway_received_.emplace(frame->goaway.error_code, frame->goaway.last_stream_id);
          if (frame->goaway.error_code == NGHTTP2_NO_ERROR) return 0;
          self.conn_error_ = LoadErrc::protocol_error;
          return static_cast<int>(NGHTTP2_ERR_CALLBACK_FAILURE);
        case NGHTTP2_HEADERS:
        case NGHTTP2_DATA: {
          Stream* st = stream(s, frame->hd.stream_id);
          if (!st) return 0;
          if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) st->remote_ended = true;
          if (frame->hd.type == NGHTTP2_HEADERS && !st->accepted && !st->done()) {
            self.accept_headers(*st);
          }
          if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) self.on_remote_end(*st);
          return 0;
        }
        default:
          return 0;
      }
    });
  }

  static int on_data_chunk(nghttp2_session* s, std::uint8_t, std::int32_t stream_id,
                           const std::uint8_t* data, std::size_t len, void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      Stream* st = stream(s, stream_id);
      if (!self.slow_.empty()) self.consume(st ? st->index : self.slow_.size(), stream_id, len);
      if (st) self.on_data(*st, view(data, len));
      return 0;
    });
  }

  static ssize_t read_post(nghttp2_session*, std::int32_t id, std::uint8_t* buf,
                           std::size_t length, std::uint32_t* data_flags, nghttp2_data_source*,
                           void* user_data) noexcept {
    auto& self = *static_cast<H2Session*>(user_data);
    const auto it = self.posts_.find(id);
    if (it == self.posts_.end()) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    auto& [body, pos] = it->second;
    const std::size_t n = std::min(length, body.size() - pos);
    std::memcpy(buf, body.data() + pos, n);
    pos += n;
    if (pos == body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static int on_stream_close(nghttp2_session* s, std::int32_t stream_id, std::uint32_t,
                             void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      self.posts_.erase(stream_id);
      if (Stream* st = stream(s, stream_id)) {
        st->closed = true;
        self.fail_stream(*st, LoadErrc::stream_reset);
      }
      return 0;
    });
  }

  static int on_frame_send(nghttp2_session* s, const nghttp2_frame* frame,
                           void* user_data) noexcept {
    return guarded(user_data, [&](H2Session& self) {
      if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
        if (!self.conn_error_) self.conn_error_ = LoadErrc::protocol_error;
      } else if (frame->hd.type == NGHTTP2_RST_STREAM) {
        // nghttp2 resets a stream itself when the response breaks HTTP/2 rules.
        if (Stream* st = stream(s, frame->hd.stream_id)) {
          self.fail_stream(*st, LoadErrc::protocol_error);
        }
      }
      return 0;
    });
  }

  static ssize_t read_tunnel(nghttp2_session*, std::int32_t, std::uint8_t* buf,
                             std::size_t length, std::uint32_t* data_flags,
                             nghttp2_data_source* source, void*) noexcept {
    auto& st = *static_cast<Stream*>(source->ptr);
    const std::size_t n = std::min(length, st.pending_out.size() - st.out_pos);
    if (n == 0 && !st.codec->upstream_done()) return NGHTTP2_ERR_DEFERRED;
    std::memcpy(buf, st.pending_out.data() + st.out_pos, n);
    st.out_pos += n;
    if (st.out_pos == st.pending_out.size()) {
      st.pending_out.clear();
      st.out_pos = 0;
      if (st.codec->upstream_done()) {
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
        st.local_ended = true;
      }
    }
    return static_cast<ssize_t>(n);
  }
};

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
  nghttp2_session_callbacks_set_on_header_callback(callbacks.get(), Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks.get(), Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks.get(),
                                                            Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks.get(),
                                                         Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks.get(), Callbacks::on_frame_send);
  nghttp2_option* raw_option = nullptr;
  if (nghttp2_option_new(&raw_option) != 0) throw std::bad_alloc();
  std::unique_ptr<nghttp2_option, void (*)(nghttp2_option*)> option(raw_option, nghttp2_option_del);
  if (options.slow_fraction > 0) {
    // The head-of-line workload paces window updates itself.
    nghttp2_option_set_no_auto_window_update(option.get(), 1);
    slow_read_bps_ = options.slow_read_bps;
    slow_.resize(count);
    owed_.assign(count, 0);
    for (std::size_t i = 0; i < count; ++i) {
      slow_[i] = std::floor(static_cast<double>(i + 1) * options.slow_fraction) >
                 std::floor(static_cast<double>(i) * options.slow_fraction);
    }
  }
  nghttp2_session* raw_session = nullptr;
  if (nghttp2_session_client_new2(&raw_session, callbacks.get(), this, option.get()) != 0) {
    throw std::bad_alloc();
  }
  session_.reset(raw_session);
}

void H2Session::consume(std::size_t index, std::int32_t id, std::size_t len) {
  nghttp2_session_consume_connection(session_.get(), len);
  if (index < slow_.size() && slow_[index]) {
    owed_[index] += len;
  } else {
    nghttp2_session_consume_stream(session_.get(), id, len);
  }
}

void H2Session::consume_slow() {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  if (last_read_ns_ != 0) {
    // At most one second of reading is saved up.
    allowance_ = std::min(slow_read_bps_,
                          allowance_ + static_cast<double>(now - last_read_ns_) * 1e-9 * slow_read_bps_);
  }
  last_read_ns_ = now;
  for (std::size_t i = 0; i < slow_.size(); ++i) {
    if (!slow_[i] || owed_[i] == 0 || streams_[i]->id <= 0 || streams_[i]->done()) continue;
    const auto n = std::min(owed_[i], static_cast<std::size_t>(allowance_));
    if (n == 0) break;
    nghttp2_session_consume_stream(session_.get(), streams_[i]->id, n);
    owed_[i] -= n;
    allowance_ -= static_cast<double>(n);
  }
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
  if (auto ec = st.codec->on_response(head)) return fail_stream(st, ec);
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
  if (!st.accepted || st.done()) return;
  const auto queued = st.pending_out.size();
  if (auto ec = st.codec->on_body(data, st.pending_out)) return fail_stream(st, ec);
  if (st.codec->finished()) st.finished = true;
  // Control replies (pong, close) go out on the stream's request body.
  if (st.pending_out.size() != queued) nghttp2_session_resume_data(session_.get(), st.id);
}

void H2Session::on_remote_end(Stream& st) {
  if (st.done()) return;
  if (!st.accepted) return fail_stream(st, LoadErrc::protocol_error);
  if (auto ec = st.codec->on_end()) return fail_stream(st, ec);
  st.finished = true;
}

void H2Session::fail_stream(Stream& st, std::error_code ec) {
  if (st.done()) return;
  st.failed = true;
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
    const nghttp2_nv nva[] = {make_nv(":method", "POST"), make_nv(":scheme", scheme_),
                              make_nv(":authority", authority_), make_nv(":path", send_path_),
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
  if (!slow_.empty()) consume_slow();
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
