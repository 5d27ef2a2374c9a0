#include "loadgen/protocol/target.hpp"

#include <charconv>
#include <set>

namespace pushbench::loadgen {

std::variant<Target, std::string> Target::parse(std::string_view url) {
  Target t;
  t.url = std::string(url);
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return "URL '" + t.url + "' has no scheme (" + scheme_list() + ")";
  }
  const auto scheme = url.substr(0, sep);
  const auto known = transport_for_scheme(scheme);
  if (!known) {
    return "unsupported scheme '" + std::string(scheme) + "' (use " + scheme_list(" or ") + ")";
  }
  t.transport = known->transport;
  t.tls = known->tls;
  const auto& info = transport_info(t.transport);
  const std::uint16_t default_port = t.tls ? 443 : info.default_port;
  auto rest = url.substr(sep + 3);
  const auto slash = rest.find_first_of("/?");
  auto authority = rest.substr(0, slash);
  auto target = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.empty()) return "URL '" + t.url + "' has no host";
  std::string_view port_text;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return "unterminated IPv6 address in '" + t.url + "'";
    t.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "bad authority in '" + t.url + "'";
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    t.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (t.host.empty()) return "URL '" + t.url + "' has no host";
  if (!port_text.empty()) {
    unsigned port = 0;
    auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (r.ec != std::errc{} || r.ptr != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
      return "bad port '" + std::string(port_text) + "' in '" + t.url + "'";
    t.port = static_cast<std::uint16_t>(port);
  } else if (default_port == 0) {
    return std::string(info.scheme) + ":// URLs need a port";
  } else {
    t.port = default_port;
  }
  const auto q = target.find('?');
  t.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) t.query = std::string(target.substr(q + 1));
  if (t.path.empty() || t.path == "/") t.path = info.default_path;
  return t;
}

std::string Target::request_target(const StreamSpec& spec, bool add_workload) const {
  std::string query = this->query;
  if (add_workload) {
    std::set<std::string> present;
    for_each_query_param(this->query,
                         [&](const std::string& k, const std::string&) { present.insert(k); });
    for_each_query_param(spec.to_query(), [&](const std::string& k, const std::string& v) {
      if (present.count(k)) return;
      if (!query.empty()) query += '&';
      query += url_encode(k) + "=" + url_encode(v);
    });
  }
  return query.empty() ? path : path + "?" + query;
}

std::string Target::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace pushbench::loadgen
