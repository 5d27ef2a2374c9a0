#include "loadgen/run/chat_sender.hpp"

#include <boost/asio/post.hpp>

#include "core/base/clock.hpp"
#include "core/contract/event.hpp"

namespace pushbench::loadgen {

ChatSender::ChatSender(boost::asio::io_context& ioc, const RunPlan& plan, const StreamSpec& spec,
                       Session& session, std::size_t streams, WorkerStats& stats, FlushFn flush,
                       ErrorFn on_error)
    : ioc_(ioc),
      plan_(plan),
      spec_(spec),
      session_(session),
      streams_(streams),
      stats_(stats),
      flush_(std::move(flush)),
      on_error_(std::move(on_error)),
      timer_(ioc) {}

void ChatSender::start() {
  start_ns_ = realtime_ns();
  boost::asio::post(ioc_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (auto a = alive.lock(); a && *a) on_send_timer();
  });
}

void ChatSender::on_send_timer() {
  if (!*alive_) return;
  const std::int64_t now = realtime_ns();
  std::int64_t due = spec_.intended_ns(start_ns_, next_);
  for (int batch = 0; batch < 256 && due <= now && due < plan_.window_end_ns; ++batch) {
    message_.clear();
    append_event_data(message_, EventHeader{next_, due, realtime_ns()}, spec_.payload, spec_.size,
                      plan_.payload_lines.get());
    for (std::size_t i = 0; i < streams_; ++i) {
      if (session_.send_message(i, message_, out_)) continue;
      if (!posts_) {
        posts_ = std::make_unique<PostChannel>(ioc_, PostTarget::chat(plan_, *spec_.stream_id),
                                               on_error_);
      }
      posts_->post(message_);
    }
    ++stats_.messages_sent;
    ++next_;
    due = spec_.intended_ns(start_ns_, next_);
  }
  if (!out_.empty()) flush_(std::exchange(out_, {}));
  if (due >= plan_.window_end_ns) return;
  timer_.expires_at(plan_.anchor.steady_at(due));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_send_timer();
  });
}

void ChatSender::close() {
  if (!*alive_) return;
  *alive_ = false;
  timer_.cancel();
  if (!posts_) return;
  stats_.posts_answered += posts_->answered();
  stats_.post_connections += posts_->connections();
  stats_.posts_resent += posts_->resent();
  posts_->close();
}

}  // namespace pushbench::loadgen
