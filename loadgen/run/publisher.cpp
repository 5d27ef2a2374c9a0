#include "loadgen/run/publisher.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>

#include "core/contract/event.hpp"
#include "core/measure/cpu_affinity.hpp"
#include "core/net/tls.hpp"
#include "loadgen/protocol/errors.hpp"

namespace pushbench::loadgen {

namespace asio = boost::asio;

namespace {

/// Publisher connections the run may open (a refusing broker costs one per event): beyond it,
/// due events are errors without a new attempt, so memory stays bounded.
constexpr std::size_t kMaxChannels = 1000;
/// Events published in one wake-up at most (a late timer catches up over several).
constexpr int kBatch = 256;

PostTarget resolve_publish_url(const RunPlan& plan, const std::string& url) {
  auto parsed = Target::parse(url);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    throw std::runtime_error("--publish-url: " + *err);
  }
  const Target t = std::get<Target>(std::move(parsed));
  // Events are POSTed: the URL must name plain HTTP requests, not an upgrade or raw TCP.
  const auto& info = transport_info(t.transport);
  if (!info.http || info.upgrade) {
    throw std::runtime_error("--publish-url must be http:// or https:// (events are POSTed)");
  }
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto results = resolver.resolve(t.host, std::to_string(t.port), ec);
  if (ec || results.empty()) {
    throw std::runtime_error("--publish-url: cannot resolve '" + t.host + "': " + ec.message());
  }
  PostTarget target;
  target.endpoint = results.begin()->endpoint();
  target.host = t.host;
  target.host_header = t.host_header();
  target.request_target = t.path + (t.query.empty() ? "" : "?" + t.query);
  // The publisher speaks HTTP/1.1: it shares the subscribers' context only when that offers
  // http/1.1 (an h2 run's context offers h2 alone, which an https broker would select). Its own
  // context verifies no certificate, as for cleartext subscribers.
  const bool shared = plan.tls && plan.session.http != HttpVersion::h2;
  if (t.tls) target.tls = shared ? plan.tls : tls::make_client_context({"http/1.1"}, false, "");
  return target;
}

}  // namespace

Publisher::Publisher(const RunPlan& plan, const std::string& url)
    : plan_(plan), target_(resolve_publish_url(plan, url)), timer_(ioc_), deadline_(ioc_) {}

Publisher::~Publisher() {
  if (thread_.joinable()) {
    asio::post(ioc_, [this] { maybe_finish(true); });
    thread_.join();
  }
}

void Publisher::start(const std::vector<int>& cpus) {
  timer_.expires_at(plan_.anchor.steady);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_timer();
  });
  deadline_.expires_at(plan_.anchor.steady_at(plan_.window_end_ns) + plan_.drain);
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (!ec) maybe_finish(true);
  });
  thread_ = std::thread([this, cpus] {
    if (!cpus.empty()) pinned_ = pin_this_thread(cpus);
    ioc_.run();
  });
}

const PublishStats& Publisher::join() {
  if (thread_.joinable()) thread_.join();
  return stats_;
}

void Publisher::on_timer() {
  if (finished_) return;
  const std::int64_t now = realtime_ns();
  std::int64_t due = plan_.spec.intended_ns(plan_.anchor.realtime, next_seq_);
  for (int batch = 0; batch < kBatch && due <= now && due < plan_.window_end_ns; ++batch) {
    message_.clear();
    append_event_data(message_, EventHeader{next_seq_, due, realtime_ns()}, plan_.spec.payload,
                      plan_.spec.size, plan_.payload_lines.get());
    ++stats_.published;
    if (plan_.in_window(due)) ++stats_.published_in_window;
    unanswered_ts_.push_back(due);
    if (!channel_ && retired_.size() < kMaxChannels) {
      channel_ = std::make_unique<PostChannel>(
          ioc_, target_,
          [this](std::error_code ec, std::string_view cause) { on_channel_error(ec, cause); },
          [this](int status) { on_answer(status); });
    }
    if (channel_) {
      channel_->post(message_);
    } else {
      fail_oldest(1, "connect_failed",
                  "no further publisher connection (" + std::to_string(kMaxChannels) + " failed)");
    }
    ++next_seq_;
    due = plan_.spec.intended_ns(plan_.anchor.realtime, next_seq_);
  }
  if (due >= plan_.window_end_ns) {
    publishing_done_ = true;
    return maybe_finish(false);
  }
  timer_.expires_at(plan_.anchor.steady_at(std::max(due, realtime_ns())));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_timer();
  });
}

void Publisher::on_answer(int status) {
  if (unanswered_ts_.empty()) return;
  const std::int64_t ts = unanswered_ts_.front();
  if (status < 200 || status > 299) {
    fail_oldest(1, std::string(error_kind(LoadErrc::http_status)),
                "HTTP " + std::to_string(status) + " to a publish");
  } else {
    unanswered_ts_.pop_front();
    ++stats_.accepted;
    if (plan_.in_window(ts)) {
      ++stats_.accepted_in_window;
      stats_.latency.record(realtime_ns() - ts);
    }
  }
  maybe_finish(false);
}

void Publisher::on_channel_error(std::error_code ec, std::string_view cause) {
  const std::string kind = ec.category() == load_category()
                               ? std::string(error_kind(static_cast<LoadErrc>(ec.value())))
                               : ec.message();
  // The failed channel's events are the oldest unanswered ones (a new channel opens only now).
  fail_oldest(channel_ ? channel_->unanswered() : 0, kind, cause);
  if (channel_) {
    stats_.connections += channel_->connections();
    stats_.resent += channel_->resent();
    retired_.push_back(std::move(channel_));
  }
  maybe_finish(false);
}

void Publisher::fail_oldest(std::size_t n, const std::string& kind, std::string_view cause) {
  n = std::min(n, unanswered_ts_.size());
  if (n == 0) return;
  unanswered_ts_.erase(unanswered_ts_.begin(), unanswered_ts_.begin() + static_cast<long>(n));
  stats_.errors[kind] += n;
  if (!cause.empty()) stats_.error_causes.emplace(kind, cause);
}

void Publisher::maybe_finish(bool deadline) {
  if (finished_ || (!deadline && !(publishing_done_ && unanswered_ts_.empty()))) return;
  finished_ = true;
  fail_oldest(unanswered_ts_.size(), "no_answer",
              "no answer from the broker by the end of the drain");
  if (channel_) {
    stats_.connections += channel_->connections();
    stats_.resent += channel_->resent();
    channel_->close();
  }
  timer_.cancel();
  deadline_.cancel();
}

void add_publish_section(nlohmann::json& scenario, const PublishStats& stats,
                         const std::string& url, std::uint64_t subscriptions) {
  std::uint64_t failed = 0;
  for (const auto& [kind, n] : stats.errors) failed += n;
  scenario["publish"] = {{"url", url},
                         {"published", stats.published},
                         {"published_in_window", stats.published_in_window},
                         {"accepted", stats.accepted},
                         {"accepted_in_window", stats.accepted_in_window},
                         {"failed", failed},
                         {"connections", stats.connections},
                         {"resent", stats.resent},
                         {"errors", stats.errors},
                         {"error_causes", stats.error_causes},
                         {"latency_us", to_json(stats.latency.summary_us())}};
  scenario["histograms"]["publish_latency"] = stats.latency.bins_json();
  auto& warnings = scenario["warnings"];
  if (failed > 0) {
    std::string text = std::to_string(failed) + " of " + std::to_string(stats.published) +
                       " publish(es) failed; see publish.errors";
    for (const auto& [kind, cause] : stats.error_causes) text += "; " + kind + ": " + cause;
    warnings.push_back(std::move(text));
  }
  auto& events = scenario["events"];
  if (events["expected"].is_null()) return;  // the subscribers got foreign events
  const std::uint64_t expected = stats.accepted_in_window * subscriptions;
  const auto received = events["received"].get<std::uint64_t>();  // distinct in-window
  events["expected"] = expected;
  events["lost"] = expected > received ? expected - received : 0;
  if (received > expected) {
    warnings.push_back("received " + std::to_string(received) +
                       " distinct in-window events but the broker accepted only " +
                       std::to_string(stats.accepted_in_window) + " for " +
                       std::to_string(subscriptions) +
                       " subscriber(s): someone else publishes on this channel");
  }
}

}  // namespace pushbench::loadgen
