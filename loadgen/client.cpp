#include "loadgen/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include "core/event.hpp"
#include "loadgen/errors.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

namespace {
/// Ceiling of a / b for b > 0, any sign of a.
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}
}  // namespace

Client::Client(asio::io_context& ioc, const RunPlan& plan, WorkerStats& stats, std::uint64_t id)
    : ioc_(ioc),
      plan_(plan),
      stats_(stats),
      id_(id),
      stream_(plan.tls ? ConnStream(std::make_unique<ConnStream::TlsStream>(ioc, *plan.tls))
                       : ConnStream(asio::ip::tcp::socket(ioc))),
      connect_timer_(ioc) {
  SessionOptions options = plan.session;
  options.seed = plan.session.seed ^ (id * 0x9E3779B97F4A7C15ull);
  session_ = make_session(plan.target, plan.spec, options, *this);
  streams_.resize(session_->streams());
}

Client::~Client() = default;

void Client::start_at(SteadyClock::time_point when) {
  connect_timer_.expires_at(when);
  connect_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !closed_) start();
  });
}

void Client::start() {
  started_ = true;
  connect_start_ = SteadyClock::now();
  const std::int64_t start_rt = plan_.anchor.realtime_ns_at(connect_start_);
  if (stats_.first_connect_ns == 0 || start_rt < stats_.first_connect_ns) {
    stats_.first_connect_ns = start_rt;
  }
  connect_timer_.expires_after(plan_.connect_timeout);
  connect_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !established_) fail(LoadErrc::connect_timeout);
  });
  stream_.socket().async_connect(plan_.endpoint,
                                 [this](boost::system::error_code ec) { on_connect(ec); });
}

void Client::on_connect(boost::system::error_code ec) {
  if (closed_) return;
  if (ec) return fail(LoadErrc::connect_failed);
  connected_ = true;
  boost::system::error_code ignored;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  // Connected after the window began: every byte of this connection is in the window.
  if (realtime_ns() >= plan_.window_start_ns) wire_start_ = TcpCounters{};
  auto* tls = stream_.tls();
  if (!tls) return begin_session();
  // SNI only for names: an IP address is not a valid server name (RFC 6066).
  boost::system::error_code not_ip;
  asio::ip::make_address(plan_.target.host, not_ip);
  if (not_ip) SSL_set_tlsext_host_name(tls->native_handle(), plan_.target.host.c_str());
  tls->async_handshake(asio::ssl::stream_base::client,
                       [this](boost::system::error_code ec) { on_tls_handshake(ec); });
}

void Client::on_tls_handshake(boost::system::error_code ec) {
  if (closed_) return;
  if (ec) return fail(LoadErrc::tls_handshake);
  const unsigned char* alpn = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(stream_.tls()->native_handle(), &alpn, &len);
  const std::string_view selected(reinterpret_cast<const char*>(alpn), len);
  const bool h2 = plan_.session.http == HttpVersion::h2;
  if (h2 ? selected != "h2" : !(selected.empty() || selected == "http/1.1")) {
    return fail(LoadErrc::alpn_mismatch);
  }
  begin_session();
}

void Client::begin_session() {
  // connect_us: TCP connect, plus the TLS handshake when there is one.
  stats_.connect.record(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            SteadyClock::now() - connect_start_)
                            .count());
  flush(session_->initial_request());
  do_read();
}

void Client::on_established() {
  established_ = true;
  ++stats_.connections_established;
  stats_.last_established_ns = std::max(stats_.last_established_ns, realtime_ns());
  if (session_->compressed()) ++stats_.compressed_connections;
  connect_timer_.cancel();
}

void Client::flush(std::string bytes) {
  if (bytes.empty() || closed_) return;
  if (writing_) {
    write_buf_ += bytes;  // appended behind the write in flight: sent by its completion
    return;
  }
  write_buf_ = std::move(bytes);
  writing_ = true;
  asio::async_write(stream_, asio::buffer(write_buf_),
                    [this](boost::system::error_code ec, std::size_t n) {
                      writing_ = false;
                      if (ec) return fail(LoadErrc::write_error);
                      write_buf_.erase(0, n);
                      if (!write_buf_.empty()) flush(std::exchange(write_buf_, {}));
                    });
}

void Client::do_read() {
  stream_.async_read_some(asio::buffer(read_buf_), [this](boost::system::error_code ec,
                                                          std::size_t n) { on_read(ec, n); });
}

void Client::on_read(boost::system::error_code ec, std::size_t n) {
  if (closed_) return;
  // Our servers end TLS streams with a TCP close after the stream's own end (no close_notify).
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    if (auto e = session_->on_eof()) return fail(e);
    return end_cleanly();
  }
  if (ec) return fail(LoadErrc::read_error);
  read_time_ns_ = realtime_ns();
  if (auto e = session_->on_read(std::string_view(read_buf_.data(), n), out_)) return fail(e);
  if (!out_.empty()) flush(std::exchange(out_, {}));
  if (session_->finished() && session_->connection_persists()) return end_cleanly();
  do_read();
}

void Client::end_cleanly() {
  for (const auto& st : streams_) {
    if (!st.failed) ++stats_.streams_finished;
  }
  if (!plan_.count_mode && realtime_ns() < plan_.window_end_ns) {
    ++stats_.errors[std::string(error_kind(LoadErrc::server_closed))];
  }
  finalize();
}

void Client::on_event(std::size_t stream, std::string_view data, std::string_view,
                      std::string_view) {
  if (stream >= streams_.size()) return;
  auto& st = streams_[stream];
  // Events read between this connection's two counter snapshots share its wire bytes.
  if (wire_start_ && !window_counted_) ++stats_.wire_events;
  if (!st.first_event_seen) {
    st.first_event_seen = true;
    stats_.first_event.record(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  SteadyClock::now() - connect_start_)
                                  .count());
  }
  const auto h = parse_event_header(data);
  if (!h) {
    if (plan_.in_window(read_time_ns_)) {
      ++stats_.foreign_events;
      ++stats_.events_received;
      stats_.payload_bytes += data.size();
    }
    return;
  }
  if (!st.start_ns) {
    st.start_ns = h->ts - static_cast<std::int64_t>(h->seq) * plan_.spec.period_ns();
    st.base_seq = plan_.spec.topic ? h->seq : 0;
  }
  const auto seen = st.seq.record(h->seq);
  if (!plan_.in_window(h->ts) || h->seq < st.base_seq) return;
  ++stats_.events_received;
  if (seen == SeqTracker::Seen::duplicate) {
    ++stats_.duplicated;
    return;
  }
  if (seen == SeqTracker::Seen::out_of_order) ++stats_.out_of_order;
  ++stats_.events_unique;
  stats_.payload_bytes += data.size();
  stats_.latency_corrected.record(read_time_ns_ - h->ts);
  if (h->st) stats_.latency_uncorrected.record(read_time_ns_ - *h->st);
  if (plan_.verify_payload && !verify_event_data(data, plan_.spec.payload, plan_.spec.size,
                                                 plan_.payload_lines.get())) {
    ++stats_.errors[std::string(error_kind(LoadErrc::payload_mismatch))];
  }
}

void Client::on_stream_failed(std::size_t stream, std::error_code ec) {
  if (stream >= streams_.size() || streams_[stream].failed) return;
  streams_[stream].failed = true;
  count_error(ec);
}

void Client::on_window_start() {
  if (!connected_ || closed_ || wire_start_) return;
  wire_start_ = read_tcp_counters(stream_.socket().native_handle());
}

void Client::on_window_end() { end_window_counters(); }

void Client::end_window_counters() {
  if (window_counted_ || !wire_start_ || !stream_.socket().is_open()) return;
  const auto end = read_tcp_counters(stream_.socket().native_handle());
  if (!end) return;
  window_counted_ = true;
  stats_.wire.bytes_received += end->bytes_received - wire_start_->bytes_received;
  stats_.wire.bytes_acked += end->bytes_acked - wire_start_->bytes_acked;
  stats_.wire.segments_in += end->segments_in - wire_start_->segments_in;
  stats_.wire.segments_out += end->segments_out - wire_start_->segments_out;
}

bool Client::done() const {
  // Never started: a browser-model subscription still waiting, or a storm's late connection.
  if (!started_ || closed_ || session_->finished()) return true;
  if (plan_.count_mode) return false;
  for (const auto& st : streams_) {
    if (st.failed) continue;
    if (!st.start_ns) return false;
    const std::int64_t hi = ceil_div(plan_.window_end_ns - *st.start_ns, plan_.spec.period_ns());
    if (static_cast<std::int64_t>(st.seq.next()) < hi) return false;
  }
  return true;
}

void Client::count_error(std::error_code ec) {
  ++stats_.errors[ec.category() == load_category() ? std::string(error_kind(
                                                         static_cast<LoadErrc>(ec.value())))
                                                   : ec.message()];
}

void Client::fail(std::error_code ec) {
  if (closed_) return;
  count_error(ec);
  finalize();
}

void Client::stop() {
  if (closed_) return;
  if (!started_) {
    // A storm's connection whose turn never came (the run is validated so that this is rare).
    closed_ = finalized_ = true;
    connect_timer_.cancel();
    return;
  }
  // Still connecting or handshaking when the run ended: the server never answered in time.
  if (!established_) return fail(LoadErrc::connect_timeout);
  const auto bye = session_->goodbye();
  // Best effort, cleartext only: a TLS record cannot be written without blocking here.
  if (!bye.empty() && connected_ && !stream_.tls()) {
    boost::system::error_code ignored;
    stream_.socket().non_blocking(true, ignored);
    stream_.socket().write_some(asio::buffer(bye), ignored);
  }
  finalize();
}

void Client::finalize() {
  if (finalized_) return;
  finalized_ = true;
  // The bytes up to now pair with the events counted up to now (a no-op after the window end).
  end_window_counters();
  closed_ = true;
  connect_timer_.cancel();
  stream_.close();
  // Expected in-window events of each stream from its schedule: seq in [lo, hi).
  for (const auto& st : streams_) {
    const std::int64_t period = plan_.spec.period_ns();
    // A stream that never delivered an event is assumed to have started when we connected.
    const std::int64_t start = st.start_ns.value_or(plan_.anchor.realtime_ns_at(connect_start_));
    std::int64_t lo = std::max<std::int64_t>(static_cast<std::int64_t>(st.base_seq),
                                             ceil_div(plan_.window_start_ns - start, period));
    std::int64_t hi = plan_.count_mode ? std::numeric_limits<std::int64_t>::max()
                                       : ceil_div(plan_.window_end_ns - start, period);
    if (plan_.spec.count) hi = std::min(hi, static_cast<std::int64_t>(*plan_.spec.count));
    lo = std::max<std::int64_t>(lo, 0);
    if (hi > lo) stats_.events_expected += static_cast<std::uint64_t>(hi - lo);
  }
  if (on_closed_) std::exchange(on_closed_, nullptr)();
}

}  // namespace pushbench::loadgen
