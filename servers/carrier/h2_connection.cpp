#include "servers/carrier/h2_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <vector>

#include "core/base/text.hpp"
#include "servers/codec/content_coding.hpp"
#include "servers/carrier/fail.hpp"
#include "servers/carrier/dispatch.hpp"
#include "servers/carrier/route.hpp"

namespace pushbench::server {

namespace asio = boost::asio;

namespace {

/// Bytes gathered into one write before it is started.
constexpr std::size_t kMaxWriteBytes = 256 << 10;

H2Connection& conn_of(void* self) { return *static_cast<H2Connection*>(self); }

nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())),
                    name.size(), value.size(), NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

H2Connection::H2Connection(ThreadContext& ctx, ConnStream stream, std::string initial)
    : ctx_(ctx),
      stream_(std::move(stream)),
      initial_(std::move(initial)),
      session_(nullptr, &nghttp2_session_del),
      watchdog_(ctx.ioc),
      last_read_(std::chrono::steady_clock::now()) {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, &on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, &on_frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &on_stream_close);
  nghttp2_session* session = nullptr;
  nghttp2_session_server_new(&session, cbs, this);
  nghttp2_session_callbacks_del(cbs);
  session_.reset(session);
  ctx_.stats.add(ctx_.stats.h2_connections);
}

H2Connection::~H2Connection() {
  for (auto& [id, s] : streams_) s->detach();
  ctx_.stats.add(ctx_.stats.closed);
}

void H2Connection::start() {
  if (!session_) return close(asio::error::no_memory);
  std::vector<nghttp2_settings_entry> settings = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, ctx_.config->h2_max_concurrent_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<std::uint32_t>(ctx_.config->max_header_bytes)}};
  if (transport_info(ctx_.config->transport).upgrade) {  // RFC 8441 extended CONNECT
    settings.push_back({NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1});
  }
  nghttp2_submit_settings(session_.get(), NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  drain_.enlist(ctx_.drain, weak_from_this());
  const std::string initial = std::move(initial_);
  if (!receive(initial.data(), initial.size())) return;
  flush();
  do_read();
  arm_watchdog();
}

void H2Connection::arm_watchdog() {
  constexpr auto kLimit = std::chrono::seconds(30);
  watchdog_.expires_after(std::chrono::seconds(5));
  watchdog_.async_wait([weak = weak_from_this(), kLimit](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_) return;
    const auto now = std::chrono::steady_clock::now();
    const bool stalled = self->writing_ && now - self->write_started_ > kLimit;
    const bool idle = self->streams_.empty() && self->requests_.empty() &&
                      now - self->last_read_ > kLimit;
    if (stalled || idle) return self->close(boost::asio::error::timed_out);
    self->arm_watchdog();
  });
}

void H2Connection::go_away() {
  if (closed_ || going_away_) return;
  going_away_ = true;
  nghttp2_session_terminate_session(session_.get(), NGHTTP2_NO_ERROR);
  // nghttp2 sends no more DATA: events produced now would only fill the queues until they drop.
  for (auto& [id, s] : streams_) s->stop_events();
  flush();
}

void H2Connection::do_read() {
  stream_.async_read_some(asio::buffer(read_buf_), [self = shared_from_this()](
                                                       boost::system::error_code ec,
                                                       std::size_t n) { self->on_read(ec, n); });
}

void H2Connection::on_read(boost::system::error_code ec, std::size_t n) {
  if (closed_) return;
  if (ec) return close(ec);
  last_read_ = std::chrono::steady_clock::now();
  if (going_away_) return do_read();  // the session is over: discard until the client closes
  if (!receive(read_buf_.data(), n)) return;
  flush();
  do_read();
}

bool H2Connection::receive(const char* data, std::size_t n) {
  const auto r = nghttp2_session_mem_recv(session_.get(),
                                          reinterpret_cast<const std::uint8_t*>(data), n);
  if (r < 0) {
    // Not HTTP/2 (bad preface) or a connection error nghttp2 could not answer by itself.
    ctx_.stats.add(ctx_.stats.bad_requests);
    nghttp2_session_terminate_session(session_.get(), NGHTTP2_PROTOCOL_ERROR);
    flush();
    return false;
  }
  return true;
}

void H2Connection::resume(std::int32_t id) {
  if (closed_) return;
  nghttp2_session_resume_data(session_.get(), id);
  schedule_flush();
}

bool H2Connection::submit_data(std::int32_t id, H2Stream* stream) {
  if (closed_) return false;
  nghttp2_data_provider provider{};
  provider.source.ptr = stream;
  provider.read_callback = &read_data;
  if (nghttp2_submit_data(session_.get(), NGHTTP2_FLAG_END_STREAM, id, &provider) != 0) {
    return false;
  }
  schedule_flush();
  return true;
}

void H2Connection::reset(std::int32_t id, std::uint32_t error_code) {
  if (closed_) return;
  ctx_.stats.add(ctx_.stats.h2_stream_errors);
  nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, id, error_code);
  schedule_flush();
}

void H2Connection::schedule_flush() {
  // Events produced in one batch (one pacer wake-up, one broadcast) share a write.
  if (flush_posted_ || writing_ || flushing_) return;
  flush_posted_ = true;
  asio::post(ctx_.ioc, [self = shared_from_this()] {
    self->flush_posted_ = false;
    self->flush();
  });
}

void H2Connection::flush() {
  if (closed_ || writing_) return;
  write_buf_.clear();
  flushing_ = true;
  while (write_buf_.size() < kMaxWriteBytes) {
    const std::uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(session_.get(), &data);
    if (n < 0) {
      flushing_ = false;
      return close(asio::error::fault);
    }
    if (n == 0) break;
    write_buf_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  flushing_ = false;
  if (write_buf_.empty()) {
    if (!nghttp2_session_want_read(session_.get()) && !nghttp2_session_want_write(session_.get())) {
      // After our GOAWAY: a half-close, so the client reads it before our end of the stream
      // (a close with its bytes unread would reset the connection).
      if (going_away_) return stream_.shutdown_send();
      close({});
    }
    return;
  }
  writing_ = true;
  write_started_ = std::chrono::steady_clock::now();
  asio::async_write(stream_, asio::buffer(write_buf_),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return self->close(ec);
                      self->flush();
                    });
}

void H2Connection::close(boost::system::error_code ec) {
  if (closed_) return;
  closed_ = true;
  if (ec && !is_normal_close(ec)) ctx_.stats.add(ctx_.stats.io_errors);
  for (auto& [id, s] : streams_) s->detach();
  streams_.clear();
  watchdog_.cancel();
  stream_.close();
}

int H2Connection::on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    auto& conn = conn_of(self);
    conn.requests_[frame->hd.stream_id] = Request{};
    conn.ctx_.stats.add(conn.ctx_.stats.h2_streams);
  }
  return 0;
}

int H2Connection::on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                            std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                            std::uint8_t, void* self) {
  auto& conn = conn_of(self);
  const auto it = conn.requests_.find(frame->hd.stream_id);
  if (it == conn.requests_.end()) return 0;
  auto& req = it->second;
  req.header_bytes += namelen + valuelen;
  if (req.header_bytes > conn.ctx_.config->max_header_bytes) return 0;  // answered with 431
  const std::string_view n(reinterpret_cast<const char*>(name), namelen);
  const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
  if (n == ":method") req.method = v;
  else if (n == ":path") req.path = v;
  else if (n == ":scheme") req.scheme = v;
  else if (n == ":authority") req.authority = v;
  else if (n == ":protocol") req.protocol = v;
  else if (n == "accept-encoding") req.accept_encoding = v;
  else if (n == "last-event-id") req.last_event_id = v;
  else if (n == "sec-websocket-version") req.ws_version = v;
  else if (n == "sec-websocket-extensions") {
    if (!req.ws_extensions.empty()) req.ws_extensions += ", ";
    req.ws_extensions += v;
  }
  return 0;
}

int H2Connection::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  auto& conn = conn_of(self);
  const auto id = frame->hd.stream_id;
  const bool end_stream = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    const auto it = conn.requests_.find(id);
    // A POST /send is answered once its body is complete.
    if (it != conn.requests_.end() && !(is_send_target(it->second.path) && !end_stream)) {
      Request req = std::move(it->second);
      conn.requests_.erase(it);
      conn.on_request(id, req);
    }
    return 0;
  }
  if (frame->hd.type == NGHTTP2_DATA && end_stream) {
    if (auto it = conn.requests_.find(id); it != conn.requests_.end()) {
      Request req = std::move(it->second);
      conn.requests_.erase(it);
      conn.on_request(id, req);
      return 0;
    }
  }
  if ((frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS) &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
    if (auto it = conn.streams_.find(id); it != conn.streams_.end()) it->second->on_client_end();
  }
  return 0;
}

int H2Connection::on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream_id,
                                const std::uint8_t* data, std::size_t len, void* self) {
  auto& conn = conn_of(self);
  if (auto req = conn.requests_.find(stream_id); req != conn.requests_.end()) {
    auto& r = req->second;
    if (r.body.size() + len > conn.ctx_.config->max_message_bytes) {
      r.body_too_large = true;
    } else {
      r.body.append(reinterpret_cast<const char*>(data), len);
    }
    return 0;
  }
  const auto it = conn.streams_.find(stream_id);
  if (it == conn.streams_.end()) return 0;
  if (!it->second->on_client_data(std::string_view(reinterpret_cast<const char*>(data), len))) {
    it->second->detach();
    conn.reset(stream_id, NGHTTP2_PROTOCOL_ERROR);
  }
  return 0;
}

int H2Connection::on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  const bool data = frame->hd.type == NGHTTP2_DATA;
  if (!data && frame->hd.type != NGHTTP2_HEADERS) return 0;
  auto& conn = conn_of(self);
  const auto it = conn.streams_.find(frame->hd.stream_id);
  if (it == conn.streams_.end()) return 0;
  // Called once the frame is out and (DATA) its item detached: a new item may be submitted.
  if (data) {
    it->second->on_data_sent();
  } else {
    it->second->on_headers_sent();
  }
  return 0;
}

int H2Connection::on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t,
                                  void* self) {
  auto& conn = conn_of(self);
  conn.requests_.erase(stream_id);
  if (auto it = conn.streams_.find(stream_id); it != conn.streams_.end()) {
    it->second->detach();
    conn.streams_.erase(it);
  }
  return 0;
}

long H2Connection::read_data(nghttp2_session*, std::int32_t, std::uint8_t* buf,
                             std::size_t length, std::uint32_t* flags,
                             nghttp2_data_source* source, void*) {
  return static_cast<H2Stream*>(source->ptr)->read(buf, length, flags);
}

void H2Connection::respond(std::int32_t id, int status,
                           std::initializer_list<std::pair<std::string_view, std::string_view>> fields,
                           std::shared_ptr<H2Stream> stream) {
  const std::string status_text = std::to_string(status);
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size() + 2);
  nva.push_back(make_nv(":status", status_text));
  nva.push_back(make_nv("server", "pushbench"));
  for (const auto& [name, value] : fields) nva.push_back(make_nv(name, value));
  // HEADERS without END_STREAM and without a DATA item: the stream submits one when it has
  // bytes, so that an idle stream holds none.
  if (nghttp2_submit_headers(session_.get(), NGHTTP2_FLAG_NONE, id, nullptr, nva.data(), nva.size(),
                             nullptr) < 0) {
    stream->detach();
    nghttp2_submit_rst_stream(session_.get(), NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
    schedule_flush();
    return;
  }
  streams_[id] = std::move(stream);
  schedule_flush();
}

void H2Connection::respond_error(std::int32_t id, int status, const std::string& reason) {
  ctx_.stats.add(ctx_.stats.bad_requests);
  ctx_.stats.add(ctx_.stats.h2_stream_errors);
  respond(id, status, {{"content-type", "text/plain; charset=utf-8"}},
          std::make_shared<H2BodyStream>(*this, id, reason + "\n"));
}

/// Answers one request stream for dispatch_request(): the HTTP/2 side of RequestCarrier.
class H2Connection::StreamCarrier final : public RequestCarrier {
 public:
  StreamCarrier(H2Connection& conn, std::int32_t id, const Request& req)
      : conn_(conn), id_(id), req_(req) {}

  void respond(int status, std::string_view content_type, std::string body, bool) override {
    auto stream = std::make_shared<H2BodyStream>(conn_, id_, std::move(body));
    if (content_type.empty()) return conn_.respond(id_, status, {}, std::move(stream));
    conn_.respond(id_, status, {{"content-type", content_type}}, std::move(stream));
  }

  void respond_error(int status, std::string reason) override {
    conn_.respond_error(id_, status, reason);
  }

  void start_sse(StreamSpec spec, std::optional<compress::Format> coding) override {
    auto s = std::make_shared<H2SseStream>(conn_, id_, std::move(spec), coding);
    if (const auto effective = s->coding()) {
      conn_.respond(id_, 200,
                    {{"content-type", "text/event-stream"},
                     {"cache-control", "no-cache"},
                     {"access-control-allow-origin", "*"},
                     {"content-encoding", content_coding_name(*effective)},
                     {"vary", "accept-encoding"}},
                    s);
    } else {
      conn_.respond(id_, 200,
                    {{"content-type", "text/event-stream"},
                     {"cache-control", "no-cache"},
                     {"access-control-allow-origin", "*"}},
                    s);
    }
    if (s->spec().retry_ms) {
      s->send(std::make_shared<const std::string>(
          "retry: " + std::to_string(*s->spec().retry_ms) + "\n\n"));
    }
    if (!conn_.closed_) s->begin();
  }

  /// RFC 8441: an extended CONNECT with :protocol websocket and version 13.
  void start_ws(StreamSpec spec) override {
    if (req_.method != "CONNECT") {
      return respond_error(400, "WebSocket over HTTP/2 needs an extended CONNECT request (RFC 8441)");
    }
    if (!iequals(req_.protocol, "websocket")) {
      return respond_error(400, "unsupported :protocol '" + req_.protocol + "'");
    }
    if (req_.ws_version != "13") {
      return respond_error(400, "unsupported sec-websocket-version (this server speaks 13)");
    }
    auto s = std::make_shared<H2WsStream>(conn_, id_, std::move(spec), req_.ws_extensions);
    const auto extensions = s->extensions();
    if (extensions.empty()) {
      conn_.respond(id_, 200, {}, s);
    } else {
      conn_.respond(id_, 200, {{"sec-websocket-extensions", extensions}}, s);
    }
    if (!conn_.closed_) s->begin();
  }

 private:
  H2Connection& conn_;
  std::int32_t id_;
  const Request& req_;
};

void H2Connection::on_request(std::int32_t id, Request& req) {
  if (req.header_bytes > ctx_.config->max_header_bytes) {
    return respond_error(id, 431, "request header exceeds " +
                                      std::to_string(ctx_.config->max_header_bytes) + " bytes");
  }
  RequestHead head;
  head.method = req.method;
  head.target = req.path;
  head.last_event_id = req.last_event_id;
  head.accept_encoding = req.accept_encoding;
  head.body = &req.body;
  head.body_too_large = req.body_too_large;
  StreamCarrier carrier(*this, id, req);
  dispatch_request(ctx_, head, carrier);
}

}  // namespace pushbench::server
