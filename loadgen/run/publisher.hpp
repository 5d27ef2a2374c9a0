#pragma once
// Publish mode (`pushbench load --publish-url URL`): the load generator is the publisher. Event
// k of the run (the wire contract's data, `{"seq":k,"ts":<intended publish time>,"st":<actual
// publish time>…}`) is due at the run's start + k / rate, open loop, and is POSTed to URL over
// one pipelined HTTP/1.1 keep-alive connection (PostChannel) on a thread of its own, while the
// subscribers receive it from the broker. Publish latency runs from the intended publish time to
// the broker's answer; every event without a 2xx answer is a publish error, counted by kind.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/measure/histogram.hpp"
#include "loadgen/run/plan.hpp"
#include "loadgen/run/post_channel.hpp"

namespace pushbench::loadgen {

/// What the publisher did over the run.
struct PublishStats {
  std::uint64_t published = 0;            ///< events POSTed (warm-up included)
  std::uint64_t published_in_window = 0;  ///< of those, intended within the measurement window
  std::uint64_t accepted = 0;             ///< answered with a 2xx status
  std::uint64_t accepted_in_window = 0;   ///< of those, intended within the window
  std::uint64_t connections = 0;          ///< publisher connections established
  std::uint64_t resent = 0;               ///< events sent again after the broker closed an idle
                                          ///< keep-alive connection unread
  std::map<std::string, std::uint64_t> errors;      ///< events without a 2xx answer, by kind
                                                    ///< (http_status, connect_failed, ...)
  std::map<std::string, std::string> error_causes;  ///< per kind, the first cause in words
  LatencyHistogram latency;  ///< intended publish time to the 2xx answer (in window)
};

class Publisher {
 public:
  /// Resolves `url` (http:// or https://; the request target is POSTed as given). Throws
  /// std::runtime_error for a URL that cannot be used. `plan` must outlive the publisher.
  Publisher(const RunPlan& plan, const std::string& url);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;
  /// Starts publishing on a thread of its own: events due from the plan's anchor until the
  /// window's end, then waits for their answers up to the window's end plus the drain time.
  /// The thread runs on `cpus` when given (pinned()), else where this thread may.
  void start(const std::vector<int>& cpus = {});
  /// After join(): whether the thread was pinned to start()'s CPUs (false when none were given).
  bool pinned() const { return pinned_; }
  /// Waits for the thread to end and returns what it did.
  const PublishStats& join();

 private:
  /// Publishes every event that is due (open loop), then waits for the next one.
  void on_timer();
  void on_answer(int status);
  /// The current channel failed: its unanswered events are errors of `ec`'s kind.
  void on_channel_error(std::error_code ec, std::string_view cause);
  /// Counts `n` events (the oldest unanswered) as errors of `kind`.
  void fail_oldest(std::size_t n, const std::string& kind, std::string_view cause);
  /// Ends the run once every event was published and answered (or at the deadline).
  void maybe_finish(bool deadline);

  const RunPlan& plan_;
  PostTarget target_;
  boost::asio::io_context ioc_{1};
  boost::asio::steady_timer timer_;     ///< the next event's due time
  boost::asio::steady_timer deadline_;  ///< window end + drain
  std::unique_ptr<PostChannel> channel_;
  /// Failed channels, kept until the thread ends (their cancelled handlers still refer to them).
  std::vector<std::unique_ptr<PostChannel>> retired_;
  std::deque<std::int64_t> unanswered_ts_;  ///< intended times of the unanswered events, in order
  std::uint64_t next_seq_ = 0;
  std::string message_;  ///< reused event buffer
  bool publishing_done_ = false;
  bool finished_ = false;
  PublishStats stats_;
  bool pinned_ = false;  ///< the thread runs on start()'s CPUs
  std::thread thread_;
};

/// Adds the scenario's `publish` section (see core/report.schema.json) and, since the broker
/// delivers what it accepted, sets `events.expected` to accepted in-window events x
/// `subscriptions` and `events.lost` from it; failed publishes and received > expected are
/// warnings.
void add_publish_section(nlohmann::json& scenario, const PublishStats& stats,
                         const std::string& url, std::uint64_t subscriptions);

}  // namespace pushbench::loadgen
