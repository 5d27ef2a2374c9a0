#include "servers/stream/pacer_timers.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>

namespace pushbench::server {

namespace {

/// Marks a client's slot_ as an index into the list being woken, not into the heap.
constexpr std::size_t kWaking = std::size_t{1} << (sizeof(std::size_t) * 8 - 1);

std::int64_t ns_of(PacerTimers::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

TimerClient::~TimerClient() {
  if (timers_) timers_->cancel(*this);
}

PacerTimers::PacerTimers(boost::asio::io_context& ioc)
    : ioc_(ioc), fd_(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "pacer timer: timerfd_create");
}

PacerTimers::~PacerTimers() {
  for (const Slot& s : heap_) s.client->timers_ = nullptr;
  for (TimerClient* c : waking_) {
    if (c) c->timers_ = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
}

void PacerTimers::open() {
  if (timer_ || shut_) return;
  auto timer = std::make_unique<Timer>(ioc_);
  boost::system::error_code ec;
  timer->assign(fd_, ec);
  if (ec) throw std::system_error(ec.value(), std::generic_category(), "pacer timer: register");
  fd_ = -1;  // timer_ owns it now
  timer_ = std::move(timer);
}

void PacerTimers::arm(TimerClient& client, Clock::time_point due) {
  if (client.timers_) client.timers_->cancel(client);
  client.timers_ = this;
  heap_.push_back({});
  sift_up(heap_.size() - 1, Slot{ns_of(due), &client});
  if (!waking_now_) rearm();
}

void PacerTimers::cancel(TimerClient& client) {
  if (client.timers_ != this) return;
  if (client.slot_ & kWaking) {
    waking_[client.slot_ & ~kWaking] = nullptr;
  } else {
    remove(client.slot_);
  }
  client.timers_ = nullptr;
  client.slot_ = TimerClient::kUnarmed;
}

void PacerTimers::shutdown() {
  timer_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  shut_ = true;
  waiting_ = false;
  armed_ns_ = kNever;
}

void PacerTimers::on_timer() {
  armed_ns_ = kNever;
  // Only what is due now: a client that re-arms for a time already past waits for the next
  // turn of the event loop, after the I/O that is ready, as with a timer of its own.
  const std::int64_t now = ns_of(Clock::now());
  while (!heap_.empty() && heap_.front().due_ns <= now) {
    TimerClient* c = heap_.front().client;
    remove(0);
    c->slot_ = kWaking | waking_.size();
    waking_.push_back(c);
  }
  waking_now_ = true;
  for (std::size_t i = 0; i < waking_.size(); ++i) {
    TimerClient* c = std::exchange(waking_[i], nullptr);
    if (!c) continue;  // cancelled (destroyed) by a client woken before it
    c->timers_ = nullptr;
    c->slot_ = TimerClient::kUnarmed;
    c->on_due();
  }
  waking_.clear();
  waking_now_ = false;
  rearm();
}

void PacerTimers::rearm() {
  if (shut_ || heap_.empty()) return;
  const std::int64_t due = heap_.front().due_ns;
  if (due >= armed_ns_) return;  // the timer wakes earlier anyway; on_timer() re-arms
  open();
  // Absolute, on the steady clock's base (CLOCK_MONOTONIC); an instant already past makes the
  // timerfd readable at once. A zero it_value would disarm it.
  const std::int64_t at = std::max<std::int64_t>(due, 1);
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(at / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(at % 1'000'000'000);
  // Setting the time also clears an expiry not yet waited for. With a valid descriptor and
  // instant it cannot fail; if it did, the streams would stall, so it is said, once.
  if (timerfd_settime(timer_->native_handle(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
    static std::atomic<bool> said{false};  // every server thread has a PacerTimers
    if (!said.exchange(true)) std::perror("pushbench-server: pacer timerfd_settime");
    return;
  }
  armed_ns_ = due;
  if (waiting_) return;  // the pending wait sees the new instant
  timer_->async_wait(Timer::wait_read, [this](boost::system::error_code ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // shut down
    waiting_ = false;
    on_timer();  // wakes only what is due, so a wait that failed costs one look
  });
  waiting_ = true;  // after the call: a wait that could not start leaves it false
}

void PacerTimers::place(std::size_t i, Slot s) {
  heap_[i] = s;
  s.client->slot_ = i;
}

void PacerTimers::sift_up(std::size_t i, Slot s) {
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (heap_[parent].due_ns <= s.due_ns) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, s);
}

void PacerTimers::sift_down(std::size_t i, Slot s) {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].due_ns < heap_[child].due_ns) ++child;
    if (s.due_ns <= heap_[child].due_ns) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, s);
}

void PacerTimers::remove(std::size_t i) {
  const Slot last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;
  // The last slot fills the hole, moving up or down as its due time says.
  if (i > 0 && last.due_ns < heap_[(i - 1) / 2].due_ns) {
    sift_up(i, last);
  } else {
    sift_down(i, last);
  }
}

}  // namespace pushbench::server
