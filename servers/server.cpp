#include "servers/server.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <thread>

#include "servers/carrier/http_session.hpp"
#include "servers/stream/echo_registry.hpp"
#include "servers/carrier/raw_connection.hpp"
#include "servers/stream/resume_registry.hpp"
#include "servers/stream/topic.hpp"
#include "servers/codec/ws_compressor.hpp"

namespace pushbench::server {

namespace asio = boost::asio;
using asio::ip::tcp;

Server::Server(ServerConfig config) : config_(std::move(config)), acceptor_([this]() -> auto& {
  threads_.reserve(std::max(1u, config_.threads));
  for (unsigned i = 0; i < std::max(1u, config_.threads); ++i) {
    auto t = std::make_unique<ThreadContext>();
    t->config = &config_;
    t->index = i;
    t->server_stats = [this] { return stats_json(); };
    threads_.push_back(std::move(t));
  }
  return threads_[0]->ioc;
}()) {
  std::vector<ThreadContext*> contexts;
  for (auto& t : threads_) contexts.push_back(t.get());
  topics_ = std::make_unique<TopicRegistry>(std::move(contexts));
  WsCompressor::configure_shared(config_);
  resumes_ = std::make_unique<ResumeRegistry>(config_.max_resumable_streams,
                                              config_.resume_history);
  echoes_ = std::make_unique<EchoRegistry>(config_.max_resumable_streams);
  for (auto& t : threads_) {
    t->echoes = echoes_.get();
    t->topics = topics_.get();
    t->resumes = resumes_.get();
  }
  const tcp::endpoint ep(asio::ip::make_address(config_.address), config_.port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

Server::~Server() = default;

void Server::do_accept() {
  auto& target = *threads_[next_thread_];
  next_thread_ = (next_thread_ + 1) % threads_.size();
  acceptor_.async_accept(target.ioc, [this, &target](boost::system::error_code ec,
                                                     tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      std::uint64_t active = 0;
      for (auto& t : threads_) {
        active += t->stats.accepted.load(std::memory_order_relaxed) -
                  t->stats.closed.load(std::memory_order_relaxed);
      }
      if (active >= config_.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        target.stats.add(target.stats.accepted);
        // The connection lives on its thread from here on.
        asio::post(target.ioc, [&target, s = std::move(socket)]() mutable {
          if (!transport_info(target.config->transport).http) {
            std::make_shared<RawConnection>(target, std::move(s))->start();
          } else {
            std::make_shared<HttpSession>(target, std::move(s))->start();
          }
        });
      }
    }
    // EMFILE and friends: keep accepting (the next attempt may succeed once fds free up).
    do_accept();
  });
}

void Server::run(bool handle_signals) {
  std::optional<asio::signal_set> signals;
  if (handle_signals) {
    signals.emplace(threads_[0]->ioc, SIGINT, SIGTERM);
    // The first signal drains, a second one stops at once.
    signals->async_wait([this, &signals](boost::system::error_code ec, int) {
      if (ec) return;
      stop();
      signals->async_wait([this](boost::system::error_code ec2, int) {
        if (!ec2) stop();
      });
    });
  }
  do_accept();
  if (config_.stall_ms > 0) {
    for (auto& t : threads_) schedule_stall(*t, std::make_shared<asio::steady_timer>(t->ioc));
  }
  std::vector<std::thread> workers;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& t : threads_) guards.emplace_back(t->ioc.get_executor());
  for (std::size_t i = 1; i < threads_.size(); ++i) {
    workers.emplace_back([ctx = threads_[i].get()] { ctx->ioc.run(); });
  }
  threads_[0]->ioc.run();
  for (auto& w : workers) w.join();
}

void Server::schedule_stall(ThreadContext& t, std::shared_ptr<asio::steady_timer> timer) {
  timer->expires_after(std::chrono::milliseconds(config_.stall_every_ms));
  timer->async_wait([this, &t, timer](boost::system::error_code ec) {
    if (ec) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(config_.stall_ms));
    schedule_stall(t, timer);
  });
}

void Server::stop() {
  asio::post(threads_[0]->ioc, [this] {
    if (stopping_) {
      for (auto& t : threads_) t->ioc.stop();
      return;
    }
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    const auto deadline = std::chrono::steady_clock::now() + config_.shutdown_grace;
    for (auto& t : threads_) {
      asio::post(t->ioc, [&t = *t, deadline] {
        t.drain.go_away_all(t.ioc);
        stop_when_drained(t, deadline, std::make_shared<asio::steady_timer>(t.ioc));
      });
    }
  });
}

void Server::stop_when_drained(ThreadContext& t, std::chrono::steady_clock::time_point deadline,
                               std::shared_ptr<asio::steady_timer> timer) {
  if (t.drain.size() == 0 || std::chrono::steady_clock::now() >= deadline) return t.ioc.stop();
  timer->expires_after(std::chrono::milliseconds(10));
  timer->async_wait([&t, deadline, timer](boost::system::error_code ec) {
    if (!ec) stop_when_drained(t, deadline, timer);
  });
}

nlohmann::json Server::stats_json() const {
  std::uint64_t accepted = 0, closed = 0, started = 0, completed = 0, events = 0, bytes = 0,
                dropped = 0, bad = 0, io = 0, tls_ok = 0, tls_bad = 0, h2c = 0, h2s = 0, h2e = 0,
                writes = 0, partial = 0, copied = 0;
  for (auto& t : threads_) {
    const auto& s = t->stats;
    accepted += s.accepted.load(std::memory_order_relaxed);
    closed += s.closed.load(std::memory_order_relaxed);
    started += s.streams_started.load(std::memory_order_relaxed);
    completed += s.streams_completed.load(std::memory_order_relaxed);
    events += s.events_sent.load(std::memory_order_relaxed);
    bytes += s.bytes_queued.load(std::memory_order_relaxed);
    dropped += s.slow_clients_dropped.load(std::memory_order_relaxed);
    bad += s.bad_requests.load(std::memory_order_relaxed);
    io += s.io_errors.load(std::memory_order_relaxed);
    tls_ok += s.tls_handshakes.load(std::memory_order_relaxed);
    tls_bad += s.tls_failures.load(std::memory_order_relaxed);
    h2c += s.h2_connections.load(std::memory_order_relaxed);
    h2s += s.h2_streams.load(std::memory_order_relaxed);
    h2e += s.h2_stream_errors.load(std::memory_order_relaxed);
    writes += s.stream_writes.load(std::memory_order_relaxed);
    partial += s.stream_partial_writes.load(std::memory_order_relaxed);
    copied += s.stream_copied_writes.load(std::memory_order_relaxed);
  }
  // "server", "transport" and "pid" say whose counters these are: a load generator checks them
  // against its run (a proxy may route /stats to another backend).
  return {{"server", "pushbench-server"},
          {"transport", to_string(config_.transport)},
          {"pid", static_cast<std::int64_t>(::getpid())},
          {"threads", threads_.size()},
          {"connections_accepted", accepted},
          {"connections_active", accepted - std::min(accepted, closed)},
          {"streams_started", started},
          {"streams_completed", completed},
          {"events_sent", events},
          {"bytes_queued", bytes},
          {"slow_clients_dropped", dropped},
          {"bad_requests", bad},
          {"io_errors", io},
          {"tls", static_cast<bool>(config_.tls)},
          {"tls_handshakes", tls_ok},
          {"tls_failures", tls_bad},
          {"h2_connections", h2c},
          {"h2_streams", h2s},
          {"h2_stream_errors", h2e},
          {"stream_writes", writes},
          {"stream_partial_writes", partial},
          {"stream_copied_writes", copied}};
}

}  // namespace pushbench::server
