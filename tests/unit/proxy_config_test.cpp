// Proxy recipes: what each configuration says, what each proxy cannot do, the suite key.
#include <gtest/gtest.h>

#include "loadgen/infra/proxy_config.hpp"
#include "loadgen/suite/runner.hpp"

namespace pushbench::loadgen {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ProxySetup setup(ProxyKind kind, bool tls, bool http2) {
  ProxySetup s;
  s.kind = kind;
  s.port = 4000;
  s.backend_port = 5000;
  s.tls = tls;
  s.http2 = http2;
  s.dir = "/tmp/x";
  return s;
}

TEST(ProxyConfig, NamesRoundTrip) {
  for (const char* name : {"none", "nginx", "nginx-gzip", "nghttpx", "haproxy"}) {
    ASSERT_TRUE(parse_proxy_kind(name)) << name;
    EXPECT_EQ(to_string(*parse_proxy_kind(name)), name);
  }
  EXPECT_FALSE(parse_proxy_kind("squid"));
}

TEST(ProxyConfig, NginxRelaysStreamsUnbufferedAndGzipsOnlyInItsGzipRecipe) {
  const auto plain = nginx_config(setup(ProxyKind::nginx, false, false));
  EXPECT_TRUE(has(plain, "listen 127.0.0.1:4000;"));
  EXPECT_TRUE(has(plain, "server 127.0.0.1:5000; keepalive"));
  EXPECT_TRUE(has(plain, "proxy_buffering off;"));
  EXPECT_TRUE(has(plain, "proxy_set_header Upgrade $http_upgrade;"));
  EXPECT_TRUE(has(plain, "daemon off;"));
  EXPECT_FALSE(has(plain, "gzip on;"));
  const auto gzip = nginx_config(setup(ProxyKind::nginx_gzip, true, true));
  EXPECT_TRUE(has(gzip, "listen 127.0.0.1:4000 ssl http2;"));
  EXPECT_TRUE(has(gzip, "gzip on;"));
  EXPECT_TRUE(has(gzip, "gzip_types text/event-stream;"));
  EXPECT_TRUE(has(gzip, "proxy_set_header Accept-Encoding \"\";"));
  EXPECT_TRUE(has(gzip, "ssl_certificate /tmp/x/cert.pem;"));
}

TEST(ProxyConfig, NghttpxAndHaproxyFronts) {
  EXPECT_TRUE(has(nghttpx_config(setup(ProxyKind::nghttpx, false, true)),
                  "frontend=127.0.0.1,4000;no-tls\nbackend=127.0.0.1,5000;;proto=http/1.1"));
  EXPECT_TRUE(has(nghttpx_config(setup(ProxyKind::nghttpx, true, true)),
                  "certificate-file=/tmp/x/cert.pem"));
  const auto ha = haproxy_config(setup(ProxyKind::haproxy, true, true));
  EXPECT_TRUE(has(ha, "bind 127.0.0.1:4000 ssl crt /tmp/x/both.pem alpn h2,http/1.1"));
  EXPECT_TRUE(has(ha, "server pushbench 127.0.0.1:5000"));
  EXPECT_TRUE(has(ha, "timeout tunnel 1h"));
}

TEST(ProxyConfig, Limitations) {
  EXPECT_EQ(proxy_limitations(ProxyKind::nginx, Transport::ws, HttpVersion::h2, false).size(), 1u);
  EXPECT_TRUE(proxy_limitations(ProxyKind::nginx, Transport::ws, HttpVersion::h1, false).empty());
  EXPECT_TRUE(proxy_limitations(ProxyKind::nghttpx, Transport::ws, HttpVersion::h2, false).empty());
  EXPECT_TRUE(proxy_limitations(ProxyKind::haproxy, Transport::ws, HttpVersion::h2, false).empty());
  EXPECT_EQ(proxy_limitations(ProxyKind::nginx_gzip, Transport::sse, HttpVersion::h1, false).size(),
            1u);
  EXPECT_TRUE(
      proxy_limitations(ProxyKind::nginx_gzip, Transport::sse, HttpVersion::h1, true).empty());
}

TEST(ProxySuiteKey, ParsedAndChecked) {
  auto suite = parse_suite(nlohmann::json::parse(
      R"({"scenarios": [{"group": "a", "transports": ["sse"], "proxy": "nghttpx"},
                        {"group": "b", "transports": ["sse"]}]})"));
  EXPECT_EQ(suite.scenarios[0].proxy, ProxyKind::nghttpx);
  EXPECT_FALSE(suite.scenarios[1].proxy);
  EXPECT_THROW(parse_suite(nlohmann::json::parse(
                   R"({"scenarios": [{"group": "a", "transports": ["sse"], "proxy": "squid"}]})")),
               std::runtime_error);
  EXPECT_THROW(parse_suite(nlohmann::json::parse(
                   R"({"scenarios": [{"group": "a", "transports": ["raw"], "proxy": "nginx"}]})")),
               std::runtime_error);
}

}  // namespace
}  // namespace pushbench::loadgen
