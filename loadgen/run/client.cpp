#include "loadgen/run/client.hpp"

#include "core/contract/event.hpp"
#include "loadgen/measure/expected.hpp"
#include "loadgen/protocol/errors.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

namespace {
/// Bytes of a response kept to explain a rejected handshake.
constexpr std::size_t kHeadBytes = 512;

/// The report's name of `ec`'s kind: a LoadErrc's spelling, else the system's words.
std::string kind_of(std::error_code ec) {
  return ec.category() == load_category() ? std::string(error_kind(static_cast<LoadErrc>(ec.value())))
                                          : ec.message();
}
}  // namespace

Client::Client(asio::io_context& ioc, const RunPlan& plan, WorkerStats& stats, std::uint64_t id)
    : ioc_(ioc),
      plan_(plan),
      stats_(stats),
      id_(id),
      connect_timer_(ioc),
      spec_(plan.spec) {
  if (plan.is_slow(id)) {
    ++stats_.slow_connections;
    slow_.emplace(plan.slow_read_bps);
  }
  if (plan.resume) reconnects_.emplace(plan, stats, id);
  // Resumable and chat streams are named uniquely per run and client.
  if (plan.resume || plan.chat) spec_.stream_id = std::to_string(plan.session.seed % 1000000007) + "-" + std::to_string(id);
  spec_.epoch_ns = plan.epoch_ns(id * plan.session.streams);
  session_ = make_session(plan.target, spec_, session_options(), *this);
  streams_.resize(session_->streams());
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    if (session_->stream_is_slow(i)) ++stats_.slow_connections;
  }
}

SessionOptions Client::session_options() const {
  SessionOptions options = plan_.session;
  options.seed = plan_.session.seed ^ ((id_ + 1000003 * attempt_) * 0x9E3779B97F4A7C15ull);
  if (attempt_ > 0 && !streams_.empty()) options.resume_after = streams_[0].last_seq;
  if (options.streams > 1 && spec_.epoch_ns) {
    options.stream_epochs_ns.reserve(options.streams);
    for (std::size_t i = 0; i < options.streams; ++i) {
      options.stream_epochs_ns.push_back(*plan_.epoch_ns(id_ * options.streams + i));
    }
  }
  if (plan_.slow_streams()) {
    options.slow_fraction = plan_.slow_fraction;
    options.slow_read_bps = plan_.slow_read_bps;
  }
  return options;
}

Client::~Client() = default;

void Client::start_at(SteadyClock::time_point when) {
  start_pending_ = true;
  connect_timer_.expires_at(when);
  connect_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !closed_ && !started_) start();
  });
}

void Client::start() {
  started_ = true;
  connect_start_ = SteadyClock::now();
  const std::int64_t start_rt = plan_.anchor.realtime_ns_at(connect_start_);
  if (stats_.first_connect_ns == 0 || start_rt < stats_.first_connect_ns) {
    stats_.first_connect_ns = start_rt;
  }
  ConnectionOptions options;
  options.endpoints = {plan_.endpoint};
  options.tls = plan_.tls;
  options.host = plan_.target.host;
  options.h2 = plan_.session.http == HttpVersion::h2;
  options.delayed_acks = plan_.delayed_acks;
  // A slow reader's small receive window keeps the backlog at the server, where its drop policy
  // acts.
  if (slow_) options.receive_buffer = SlowReader::kReceiveBuffer;
  conn_ = ConnectionRef(Connection::open(ioc_, std::move(options), *this));
  conn_->set_deadline(connect_start_ + plan_.connect_timeout);
}

void Client::on_open_failed(const OpenFailure& failure) {
  if (failure.stage == OpenFailure::Stage::connect) {
    return fail(LoadErrc::connect_failed, failure.cause);
  }
  if (failure.alpn) return fail(LoadErrc::alpn_mismatch, failure.cause);
  if (failure.verify_failed) {
    // A certificate that fails verification fails again: an error even when resuming.
    count_error(LoadErrc::tls_handshake, failure.cause);
    return finalize();
  }
  fail(LoadErrc::tls_handshake, failure.cause);
}

void Client::on_connected() {
  // Connected after the window began: every byte of this connection is in the window.
  if (realtime_ns() >= plan_.window_start_ns) wire_start_ = TcpCounters{};
}

void Client::on_open() {
  // connect_us: TCP connect, plus the TLS handshake when there is one.
  stats_.connect.record(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            SteadyClock::now() - connect_start_)
                            .count());
  flush(session_->initial_request());
}

void Client::on_established() {
  established_ = true;
  ++stats_.connections_established;
  stats_.last_established_ns = std::max(stats_.last_established_ns, realtime_ns());
  if (session_->compressed()) ++stats_.compressed_connections;
  stats_.record_peer(session_->peer_headers());
  conn_->clear_deadline();
  if (plan_.chat && !chat_) {
    chat_ = std::make_unique<ChatSender>(
        ioc_, plan_, spec_, *session_, streams_.size(), stats_,
        [this](std::string bytes) { flush(std::move(bytes)); },
        [this](std::error_code ec, std::string_view cause) { count_error(ec, cause); });
    chat_->start();
  }
}

void Client::flush(std::string bytes) {
  if (conn_) conn_->write(std::move(bytes));
}

std::size_t Client::next_read_size() const {
  return slow_ ? slow_->max_read() : std::numeric_limits<std::size_t>::max();
}

void Client::on_error_while_paused(boost::system::error_code) {
  // Only a slow reader pauses: the server's slow-client policy reset it.
  end_slow(LoadErrc::read_error);
}

void Client::on_read_end(boost::system::error_code ec) {
  if (Connection::is_end_of_stream(ec)) {
    if (auto e = session_->on_eof()) return slow_ ? end_slow(e) : fail(e, session_->close_cause());
    return end_cleanly();
  }
  // A peer (e.g. nginx) may reset the connection after the stream ended by its own framing
  // (close frame, last chunk), when our close reply crosses its close: nothing was lost.
  if (ec == asio::error::connection_reset && session_->finished()) return end_cleanly();
  slow_ ? end_slow(LoadErrc::read_error) : fail(LoadErrc::read_error, ec.message());
}

ReadNext Client::on_read(std::string_view bytes) {
  read_time_ns_ = realtime_ns();
  if (!established_ && head_.size() < kHeadBytes) {
    head_.append(bytes.substr(0, kHeadBytes - head_.size()));
  }
  if (auto e = session_->on_read(bytes, out_)) {
    const bool rejected = e == LoadErrc::http_status || e == LoadErrc::bad_handshake;
    fail(e, rejected && !established_ ? describe_rejection(head_) : session_->close_cause());
    return ReadNext::stop;
  }
  if (!out_.empty()) flush(std::exchange(out_, {}));
  if (on_change_ && (window_over_ || session_->finished())) on_change_();
  if (session_->finished() && session_->connection_persists()) {
    end_cleanly();
    return ReadNext::stop;
  }
  if (!slow_) return ReadNext::more;
  conn_->resume_reading_after(slow_->pause_after(bytes.size()));
  return ReadNext::paused;
}

void Client::on_write_failed(boost::system::error_code ec) {
  fail(LoadErrc::write_error, ec.message());
}

void Client::on_deadline() {
  if (!established_) fail(LoadErrc::connect_timeout);
}

void Client::end_slow(std::error_code ec) {
  ++stats_.slow_connections_closed_by_server;
  if (reconnects_) return fail(ec);
  finalize();
}

void Client::end_cleanly() {
  if (may_resume() && !session_->end_is_framed()) {
    // Raw lines: an end before the stream's last event can only be a dropped connection.
    const bool incomplete = !plan_.count_mode || std::any_of(streams_.begin(), streams_.end(), [&](const StreamState& st) {
      return st.seq.next() < *plan_.spec.count;
    });
    if (incomplete) {
      reconnects_->count_loss(kind_of(LoadErrc::server_closed));
      return reconnect();
    }
  }
  bool any_live = false;
  for (const auto& st : streams_) {
    if (!st.failed) ++stats_.streams_finished;
    any_live |= !st.failed;
  }
  // An early end is an error, unless every stream already ended with its own counted reason.
  if (!plan_.count_mode && realtime_ns() < plan_.window_end_ns && any_live && !slow_) {
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
  auto h = parse_event_header(data);
  if (!h) {
    if (plan_.in_window(read_time_ns_)) {
      ++stats_.foreign_events;
      ++stats_.events_received;
      stats_.payload_bytes += data.size();
    }
    return;
  }
  // The server's clock read on ours (0 on one host: both read the same CLOCK_REALTIME).
  h->ts -= plan_.clock_offset_ns;
  if (h->st) *h->st -= plan_.clock_offset_ns;
  if (!st.start_ns) {
    st.start_ns = h->ts - static_cast<std::int64_t>(h->seq) * plan_.spec.period_ns();
    st.base_seq = plan_.spec.topic || plan_.publish ? h->seq : 0;
  }
  st.last_seq = h->seq;
  if (reconnects_) reconnects_->on_event();
  const auto seen = st.seq.record(h->seq);
  ++stats_.events_total;
  if (seen == SeqTracker::Seen::duplicate) ++stats_.duplicates_total;
  if (!plan_.in_window(h->ts) || h->seq < st.base_seq) return;
  ++stats_.events_received;
  if (seen == SeqTracker::Seen::duplicate) {
    ++stats_.duplicated;
    return;
  }
  if (seen == SeqTracker::Seen::out_of_order) ++stats_.out_of_order;
  ++stats_.events_unique;
  stats_.payload_bytes += data.size();
  if (slow_ || session_->stream_is_slow(stream)) {
    ++stats_.slow_events;
    stats_.latency_slow.record(read_time_ns_ - h->ts);
  } else {
    stats_.latency_corrected.record(read_time_ns_ - h->ts);
    if (h->st) stats_.latency_uncorrected.record(read_time_ns_ - *h->st);
  }
  if (plan_.verify_payload && !verify_event_data(data, plan_.spec.payload, plan_.spec.size,
                                                 plan_.payload_lines.get())) {
    ++stats_.errors[std::string(error_kind(LoadErrc::payload_mismatch))];
  }
}

void Client::on_stream_failed(std::size_t stream, std::error_code ec) {
  if (stream >= streams_.size() || streams_[stream].failed) return;
  streams_[stream].failed = true;
  // The server dropping a slow stream is the workload's point, not an error.
  if ((slow_ || session_->stream_is_slow(stream)) && ec == LoadErrc::stream_reset) {
    ++stats_.slow_connections_closed_by_server;
    return;
  }
  count_error(ec, session_->stream_cause(stream));
}

void Client::on_window_start() {
  if (!conn_ || !conn_->connected() || wire_start_) return;
  wire_start_ = read_tcp_counters(conn_->socket().native_handle());
}

void Client::on_window_end() {
  window_over_ = true;
  end_window_counters();
}

void Client::end_window_counters() {
  if (window_counted_ || !wire_start_ || !conn_ || !conn_->socket().is_open()) return;
  const auto end = read_tcp_counters(conn_->socket().native_handle());
  if (!end) return;
  window_counted_ = true;
  stats_.wire.bytes_received += end->bytes_received - wire_start_->bytes_received;
  stats_.wire.bytes_acked += end->bytes_acked - wire_start_->bytes_acked;
  stats_.wire.segments_in += end->segments_in - wire_start_->segments_in;
  stats_.wire.segments_out += end->segments_out - wire_start_->segments_out;
}

bool Client::done() const {
  if (closed_) return true;
  // Never started: a browser-model subscription still waiting, or a storm's connection whose
  // turn has not come, which a count-mode run waits for (a time-mode one holds until the window
  // ends anyway, and then it has nothing left to measure).
  if (!started_) return !(start_pending_ && plan_.count_mode);
  if (session_->finished()) return true;
  if (plan_.count_mode) return false;
  for (const auto& st : streams_) {
    if (st.failed) continue;
    if (!st.start_ns) return false;
    const std::int64_t hi = first_seq_due(*st.start_ns, plan_.spec.period_ns(), plan_.window_end_ns);
    if (static_cast<std::int64_t>(st.seq.next()) < hi) return false;
  }
  return true;
}

void Client::count_error(std::error_code ec, std::string_view cause) {
  std::string kind = kind_of(ec);
  if (!cause.empty()) stats_.error_causes.emplace(kind, cause);
  ++stats_.errors[std::move(kind)];
}

void Client::fail(std::error_code ec, std::string_view cause) {
  if (closed_) return;
  if (reconnects_ && !stopping_) {
    // Expected in this workload (the server drops connections): counted apart from errors.
    reconnects_->count_loss(kind_of(ec));
    if (may_resume()) return reconnect();
    return finalize();
  }
  count_error(ec, cause);
  finalize();
}

bool Client::may_resume() const {
  return reconnects_ && reconnects_->may_reconnect(stopping_);
}

void Client::reconnect() {
  // This connection's in-window bytes pair with the events read on it.
  end_window_counters();
  ++attempt_;
  const auto delay = reconnects_->begin(session_->retry_ms(), attempt_);
  conn_.reset();
  established_ = false;
  head_.clear();
  out_.clear();
  wire_start_.reset();
  window_counted_ = false;
  session_ = make_session(plan_.target, spec_, session_options(), *this);
  connect_timer_.expires_after(delay);
  connect_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !closed_) start();
  });
}

void Client::stop() {
  if (closed_) return;
  stopping_ = true;
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
  if (!bye.empty() && conn_) conn_->write_now(bye);
  finalize();
}

void Client::finalize() {
  if (finalized_) return;
  finalized_ = true;
  // The bytes up to now pair with the events counted up to now (a no-op after the window end).
  end_window_counters();
  closed_ = true;
  connect_timer_.cancel();
  if (chat_) chat_->close();
  conn_.reset();
  // Expected in-window events of each stream from its schedule: seq in [lo, hi).
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    const auto& st = streams_[i];
    // A stream that never delivered an event is assumed to have started when we connected, on
    // its schedule grid when it asked for one (the server waits for the next grid point).
    StreamSpec grid = plan_.spec;
    grid.epoch_ns = plan_.epoch_ns(id_ * streams_.size() + i);
    const std::int64_t start = st.start_ns.value_or(
        grid.first_due_ns(plan_.anchor.realtime_ns_at(connect_start_)));
    stats_.events_expected += expected_in_window(plan_.spec, start, st.base_seq,
                                                 plan_.window_start_ns, plan_.window_end_ns,
                                                 plan_.count_mode);
  }
  if (on_closed_) std::exchange(on_closed_, nullptr)();
  if (on_change_) on_change_();
}

}  // namespace pushbench::loadgen
