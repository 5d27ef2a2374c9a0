#include "servers/carrier/h2_stream.hpp"

#include <nghttp2/nghttp2.h>

#include <cstring>

#include "servers/carrier/h2_connection.hpp"

namespace pushbench::server {

H2Stream::H2Stream(H2Connection& conn, std::int32_t id, StreamSpec spec)
    : ctx_(conn.ctx()),
      conn_(&conn),
      id_(id),
      spec_(std::make_unique<StreamSpec>(std::move(spec))),
      queue_(conn.ctx().config->max_queue_bytes) {}

H2Stream::~H2Stream() {
  detach();
}

void H2Stream::begin() {
  source_ = start_events(ctx_, *spec_, weak_from_this());
  spec_.reset();
}

void H2Stream::stop_events() {
  if (source_) source_->stop();
  source_.reset();
}

void H2Stream::detach() {
  conn_ = nullptr;
  if (source_) source_->stop();
  source_.reset();
  // The backlog is freed now, not when the reset finally reaches a client that stopped reading.
  queue_.pop(queue_.size());
  front_offset_ = 0;
}

SendResult H2Stream::enqueue(SharedBuffer bytes) {
  if (!conn_) return SendResult::dropped;
  const auto r = queue_.push(std::move(bytes));
  if (r == SendResult::dropped) {
    ctx_.stats.add(ctx_.stats.slow_clients_dropped);
    auto* conn = conn_;
    detach();
    conn->reset(id_, NGHTTP2_CANCEL);
    return r;
  }
  if (data_ == Data::active) {
    conn_->resume(id_);
  } else {
    submit_data();
  }
  return r;
}

void H2Stream::submit_data() {
  if (!conn_ || data_ != Data::none || (queue_.empty() && !finishing_)) return;
  if (conn_->submit_data(id_, this)) data_ = Data::active;
}

void H2Stream::on_headers_sent() {
  if (data_ != Data::unopened) return;
  data_ = Data::none;
  submit_data();
}

void H2Stream::on_data_sent() {
  if (data_ != Data::ending) return;
  data_ = Data::none;
  submit_data();
}

void H2Stream::finish() {
  if (!conn_ || finishing_) return;
  finishing_ = true;
  auto t = trailer();
  if (!t.empty()) {
    enqueue(std::make_shared<const std::string>(std::move(t)));
  } else if (data_ == Data::active) {
    conn_->resume(id_);
  } else {
    submit_data();
  }
}

void H2Stream::drop() {
  if (auto* conn = conn_) conn->drop();
}

long H2Stream::read(std::uint8_t* buf, std::size_t length, std::uint32_t* flags) {
  std::size_t n = 0;
  while (n < length && !queue_.empty()) {
    const std::string& front = queue_.front();
    const std::size_t take = std::min(length - n, front.size() - front_offset_);
    std::memcpy(buf + n, front.data() + front_offset_, take);
    n += take;
    front_offset_ += take;
    if (front_offset_ == front.size()) {
      queue_.pop(1);
      front_offset_ = 0;
    }
  }
  if (queue_.empty() && finishing_) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    data_ = Data::done;
    return static_cast<long>(n);
  }
  if (n == 0) return NGHTTP2_ERR_DEFERRED;  // only after detach() emptied the queue
  if (queue_.empty()) {
    // Drained: this frame ends the item without ending the stream; the next bytes get a new
    // one (on_data_sent).
    *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
    data_ = Data::ending;
  }
  return static_cast<long>(n);
}

H2BodyStream::H2BodyStream(H2Connection& conn, std::int32_t id, std::string body)
    : H2Stream(conn, id, StreamSpec{}) {
  if (!body.empty()) enqueue(std::make_shared<const std::string>(std::move(body)));
  finish();
}

H2SseStream::H2SseStream(H2Connection& conn, std::int32_t id, StreamSpec spec,
                         std::optional<compress::Format> coding)
    : H2Stream(conn, id, std::move(spec)),
      codec_(*ctx_.config, coding, &SseServerCodec::frame_text, *this) {}

void H2SseStream::abort_stream(bool) {
  if (conn_) conn_->reset(id_, NGHTTP2_INTERNAL_ERROR);
  detach();
}

H2WsStream::H2WsStream(H2Connection& conn, std::int32_t id, StreamSpec spec,
                       std::string_view pmd_offer)
    : H2Stream(conn, id, std::move(spec)), codec_(ctx_, *spec_, pmd_offer, *this) {}

void H2WsStream::abort_stream(bool client_error) {
  if (conn_) conn_->reset(id_, client_error ? NGHTTP2_PROTOCOL_ERROR : NGHTTP2_INTERNAL_ERROR);
  detach();
}

}  // namespace pushbench::server
