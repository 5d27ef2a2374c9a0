#include "loadgen/suite/browser_suite.hpp"

#include <stdexcept>

#include "loadgen/browser/browser_run.hpp"
#include "loadgen/protocol/compression.hpp"

namespace pushbench::loadgen {

void prepare_browser_scenario(SuiteScenario& sc) {
  const auto fail = [&](const std::string& why) {
    throw std::runtime_error("suite: " + sc.group + ": client chromium: " + why);
  };
  for (const auto& t : sc.transports) {
    if (t != "sse" && t != "ws") fail("a browser speaks sse and ws only, not " + t);
  }
  if (sc.load.http == HttpVersion::h2 && !sc.tls) fail("browsers speak HTTP/2 only over TLS");
  if (sc.proxy && *sc.proxy != ProxyKind::none) fail("no proxy");
  if (sc.broker != ProxyKind::none) fail("no broker (the page subscribes to our servers)");
  if (sc.find_max || sc.load.chat || sc.load.slow_fraction > 0 || sc.load.connect_rate > 0) {
    fail("find_max, chat, slow_fraction and connect_rate are load-generator workloads");
  }
  if (sc.load.delayed_acks) fail("delayed_acks sets the load generator's sockets, not a browser's");
  if (sc.load.busy_poll) fail("busy_poll sets the load generator's threads, not a browser's");
  if (sc.compression == "none") sc.server_args.push_back("--no-compression");
}

nlohmann::json run_browser_scenario(const SuiteScenario& sc, const std::string& url,
                                    const std::string& transport,
                                    const std::atomic<bool>* interrupted) {
  const auto& l = sc.load;
  BrowserConfig c;
  c.url = url;
  c.subscriptions = static_cast<unsigned>(l.connections * l.streams);
  if (sc.tls) c.http = l.http == HttpVersion::h2 ? "2" : "1.1";
  c.duration_s = l.duration_s;
  c.warmup_s = l.warmup_s;
  c.spec = l.spec;
  c.resume = l.resume || l.spec.drop_after_s.has_value();
  if (l.spec.retry_ms) c.retry_ms = static_cast<double>(*l.spec.retry_ms);
  if (sc.compression == "on") {
    c.compression = std::string(to_string(natural_compression(*parse_transport(transport))));
  } else {
    c.compression = sc.compression;
  }
  c.group = sc.group;
  c.name = sc.group + "-chromium-" + transport;
  c.interrupted = interrupted;
  return run_browser(c);
}

}  // namespace pushbench::loadgen
