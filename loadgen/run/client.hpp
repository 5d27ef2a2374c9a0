#pragma once
// One connection of the load generator: opens a connection per attempt (loadgen/net/connection),
// drives its Session over it, measures its events.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/measure/stats.hpp"
#include "loadgen/net/connection.hpp"
#include "loadgen/protocol/session.hpp"
#include "loadgen/run/chat_sender.hpp"
#include "loadgen/run/plan.hpp"
#include "loadgen/run/reconnects.hpp"
#include "loadgen/run/slow_reader.hpp"

namespace pushbench::loadgen {

class Client final : private SessionHandler, private ConnectionHandler {
 public:
  Client(boost::asio::io_context& ioc, const RunPlan& plan, WorkerStats& stats, std::uint64_t id);
  ~Client() override;
  /// Starts connecting.
  void start();
  /// Starts connecting at `when` (a connect storm paces the connections).
  void start_at(SteadyClock::time_point when);
  /// Called once when the connection closes (for whoever waits for a free connection slot).
  void on_closed(std::function<void()> fn) { on_closed_ = std::move(fn); }
  /// Called whenever done() or closed() may have turned true: the connection closed, its
  /// session finished, or a read arrived after the window's end. Often more than once, and from
  /// inside this client's handlers: the callee re-checks later (it must not stop clients there).
  void on_change(std::function<void()> fn) { on_change_ = std::move(fn); }
  /// Subscriptions this connection carries (HTTP/2 streams; 1 otherwise).
  std::size_t streams() const { return streams_.size(); }
  /// Takes the window-start snapshot of the kernel counters.
  void on_window_start();
  /// Takes the window-end snapshot (unless the connection already ended); from now on every
  /// read notifies on_change().
  void on_window_end();
  /// True when nothing more is expected: closed, ended by the server, or every in-window event
  /// (by the stream's schedule) has arrived.
  bool done() const;
  /// True once the connection is closed (failed, ended by the server, or stopped).
  bool closed() const { return closed_; }
  /// Closes politely (WebSocket close frame) and folds this stream's accounting into the stats.
  void stop();

 private:
  /// Options of the next session (a reconnect resumes after the last event received).
  SessionOptions session_options() const;
  /// Resume workload: a lost connection is reopened (after the server's retry time or
  /// --reconnect-ms, with jitter) while the run is on.
  bool may_resume() const;
  void reconnect();
  // The connection's side (see ConnectionHandler).
  /// Wire bytes of a connection made after the window began count from its TCP connect.
  void on_connected() override;
  void on_open() override;
  void on_open_failed(const OpenFailure& failure) override;
  ReadNext on_read(std::string_view bytes) override;
  void on_read_end(boost::system::error_code ec) override;
  void on_error_while_paused(boost::system::error_code ec) override;
  void on_write_failed(boost::system::error_code ec) override;
  /// Not established by --connect-timeout.
  void on_deadline() override;
  /// A slow client reads at most SlowReader::max_read() bytes at a time.
  std::size_t next_read_size() const override;
  /// A slow client's connection ended by the server before its stream did (its slow-client
  /// policy): counted in slow_connections_closed_by_server rather than as an error.
  void end_slow(std::error_code ec);
  void flush(std::string bytes);
  /// Counts `ec` (with `cause`, the system's or library's words, when known) and ends the
  /// connection, or reconnects it in the resume workload.
  void fail(std::error_code ec, std::string_view cause = {});
  /// The server ended every stream cleanly: count them and close.
  void end_cleanly();
  void end_window_counters();
  /// Closes the socket and folds the stream's accounting (expected events) into the stats.
  void finalize();

  void on_event(std::size_t stream, std::string_view data, std::string_view type,
                std::string_view id) override;
  void on_established() override;
  void on_stream_failed(std::size_t stream, std::error_code ec) override;
  /// Counts an error by kind, keeping the first `cause` given for that kind.
  void count_error(std::error_code ec, std::string_view cause = {});

  /// Accounting of one stream (subscription) of this connection.
  struct StreamState {
    SeqTracker seq;
    std::optional<std::int64_t> start_ns;  ///< intended time of seq 0 (derived)
    std::uint64_t base_seq = 0;            ///< first seq this stream could receive
    bool first_event_seen = false;
    bool failed = false;                   ///< ended by a stream error (others may go on)
    std::optional<std::uint64_t> last_seq;  ///< the last event received (Last-Event-ID)
  };

  boost::asio::io_context& ioc_;
  const RunPlan& plan_;
  WorkerStats& stats_;
  std::uint64_t id_;
  boost::asio::steady_timer connect_timer_;   ///< a storm's start, a reconnect's delay
  std::unique_ptr<Session> session_;
  std::string out_;                           ///< bytes the session produced while reading
  std::string head_;                          ///< the first bytes received before the stream
                                              ///< was established (a rejection's words)
  bool started_ = false;                      ///< connecting began
  bool start_pending_ = false;                ///< start_at() set a time that may not have come
  bool established_ = false;
  bool closed_ = false;
  bool finalized_ = false;
  SteadyClock::time_point connect_start_;
  std::int64_t read_time_ns_ = 0;             ///< realtime of the read being processed
  std::vector<StreamState> streams_;           ///< one per subscription on this connection
  StreamSpec spec_;                            ///< what the streams ask for (with a stream id
                                               ///< when resumable)
  std::uint64_t attempt_ = 0;                  ///< connection attempts before this one
  bool stopping_ = false;                      ///< stop() was called: no more reconnects
  std::unique_ptr<ChatSender> chat_;           ///< chat workload: the sending side
  std::function<void()> on_closed_;
  std::function<void()> on_change_;  ///< see on_change()
  bool window_over_ = false;         ///< on_window_end() was called
  // Kernel counters at window start/end.
  std::optional<TcpCounters> wire_start_;
  bool window_counted_ = false;
  std::optional<SlowReader> slow_;             ///< slow-consumer workload: this client reads slowly
  std::optional<Reconnects> reconnects_;       ///< resume workload: lost connections reopen
  ConnectionRef conn_;                         ///< this attempt's connection (none once closed)
};

}  // namespace pushbench::loadgen
