#include "loadgen/run/worker.hpp"

#include <boost/asio/post.hpp>

#include "loadgen/run/progress.hpp"

namespace pushbench::loadgen {

Worker::Worker(const RunPlan& plan, std::size_t first_id, std::size_t connections,
               std::size_t max_open)
    : plan_(plan),
      first_id_(first_id),
      max_open_(max_open),
      phase_timer_(ioc_),
      deadline_timer_(ioc_),
      progress_timer_(ioc_) {
  clients_.reserve(connections);
  for (std::size_t i = 0; i < connections; ++i) {
    clients_.push_back(std::make_unique<Client>(ioc_, plan_, stats_, first_id + i));
    clients_.back()->on_change([this] { post_check(); });
  }
}

void Worker::run() {
  if (max_open_ > 0) {
    // Browser model: a subscription beyond the cap starts when an open connection closes.
    for (auto& c : clients_) c->on_closed([this] { start_waiting(); });
    next_waiting_ = std::min(max_open_, clients_.size());
  }
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (max_open_ > 0 && i >= next_waiting_) break;
    if (plan_.connect_rate > 0) {
      const double at_s = static_cast<double>(first_id_ + i) / plan_.connect_rate;
      clients_[i]->start_at(plan_.anchor.steady +
                            std::chrono::nanoseconds(static_cast<std::int64_t>(at_s * 1e9)));
    } else {
      clients_[i]->start();
    }
  }
  phase_timer_.expires_at(plan_.anchor.steady_at(plan_.window_start_ns));
  phase_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_window_start();
  });
  // Until the window ends, the run ends early only if every connection has ended.
  arm_deadline(plan_.hard_deadline);
  if (plan_.progress) {
    // On a grid from the run's start, which the reporter reads half an interval later.
    progress_at_ = SteadyClock::now();
    progress_timer_.expires_at(plan_.anchor.steady + kProgressInterval);
    progress_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) publish_progress();
    });
  }
  check_done();
  if (plan_.busy_poll) {
    spin();
  } else {
    ioc_.run();
  }
  exited_.store(true, std::memory_order_release);
}

void Worker::spin() {
  while (!ioc_.stopped()) {
    const auto before = SteadyClock::now();
    // poll() runs what is ready and asks epoll without waiting; it stops the io_context when no
    // work is left, as run() would return.
    if (ioc_.poll() > 0) {
      poll_work_ns_ +=
          std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - before).count();
    }
  }
}

std::int64_t Worker::busy_clock_ns() const {
  return plan_.busy_poll ? poll_work_ns_ : thread_cpu_ns();
}

void Worker::publish_progress() {
  const auto now = SteadyClock::now();
  const double dt = std::chrono::duration<double>(now - progress_at_).count();
  std::uint64_t errors = 0;
  for (const auto& [kind, n] : stats_.errors) errors += n;
  {
    std::lock_guard lock(progress_mutex_);
    progress_.events_per_s =
        dt > 0 ? static_cast<double>(stats_.events_unique - progress_.events) / dt : 0;
    progress_.events = stats_.events_unique;
    progress_.connections = stats_.connections_established;
    progress_.errors = errors;
    progress_.latency_corrected = stats_.latency_corrected;
  }
  progress_at_ = now;
  if (finished_) return;
  auto next = progress_timer_.expiry() + kProgressInterval;
  if (next <= now) next = now + kProgressInterval;
  progress_timer_.expires_at(next);
  progress_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) publish_progress();
  });
}

void Worker::read_progress(WorkerProgress& total) const {
  std::lock_guard lock(progress_mutex_);
  total.events += progress_.events;
  if (!exited()) total.events_per_s += progress_.events_per_s;
  total.connections += progress_.connections;
  total.errors += progress_.errors;
  total.latency_corrected.merge(progress_.latency_corrected);
}

void Worker::on_window_start() {
  window_started_ = true;
  busy_start_ns_ = busy_clock_ns();
  for (auto& c : clients_) c->on_window_start();
  if (plan_.count_mode) return;
  phase_timer_.expires_at(plan_.anchor.steady_at(plan_.window_end_ns));
  phase_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_window_end();
  });
}

void Worker::on_window_end() {
  if (window_ended_) return;
  window_ended_ = true;
  stats_.busy_ns = busy_clock_ns() - busy_start_ns_;
  for (auto& c : clients_) c->on_window_end();
  // What counts as done changes (see done_now): every client is looked at again.
  scan_from_ = 0;
  arm_deadline(std::min(SteadyClock::now() + plan_.drain, plan_.hard_deadline));
  post_check();
}

void Worker::arm_deadline(SteadyClock::time_point at) {
  drain_deadline_ = at;
  deadline_timer_.expires_at(at);
  deadline_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) check_done();
  });
}

void Worker::post_check() {
  if (check_posted_ || finished_) return;
  check_posted_ = true;
  boost::asio::post(ioc_, [this] {
    check_posted_ = false;
    check_done();
  });
}

bool Worker::done_now(const Client& c) const {
  // Before the window ends, a time-mode run holds its connections (an idle stream expects no
  // events, yet is measured); only when every connection is closed can it end early.
  // Subscriptions still waiting for a connection slot (browser model) are not done either.
  const bool holding = (!plan_.count_mode && !window_ended_) ||
                       (max_open_ > 0 && next_waiting_ < clients_.size() && !window_ended_);
  return holding ? c.closed() : c.done();
}

void Worker::check_done() {
  if (finished_) return;
  if (SteadyClock::now() >= drain_deadline_) return finish();
  // Clients before scan_from_ were done when last looked at; a client's notification brings the
  // scan back here, so that it costs one look per client and change, not per client and check.
  while (scan_from_ < clients_.size() && done_now(*clients_[scan_from_])) ++scan_from_;
  if (scan_from_ < clients_.size()) return;
  // Done can be undone (a waiting subscription starts, a connection resumes): the run ends only
  // when every client is done at one instant, as one pass confirms.
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (!done_now(*clients_[i])) {
      scan_from_ = i;
      return;
    }
  }
  finish();
}

void Worker::start_waiting() {
  if (finished_ || next_waiting_ >= clients_.size()) return;
  auto& c = clients_[next_waiting_++];
  stats_.subscriptions_waited += c->streams();
  stats_.subscription_wait.record(
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - plan_.anchor.steady)
          .count());
  c->start();
}

void Worker::finish() {
  if (finished_) return;
  finished_ = true;
  for (std::size_t i = next_waiting_; max_open_ > 0 && i < clients_.size(); ++i) {
    stats_.subscriptions_starved += clients_[i]->streams();
  }
  // Count mode, or the drain poll ran before the window-end timer: close the window now.
  if (window_started_) on_window_end();
  for (auto& c : clients_) c->stop();
  if (plan_.progress) publish_progress();
  phase_timer_.cancel();
  deadline_timer_.cancel();
  progress_timer_.cancel();
}

}  // namespace pushbench::loadgen
