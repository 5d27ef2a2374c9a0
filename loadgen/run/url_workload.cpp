#include "loadgen/run/url_workload.hpp"

#include <map>

namespace pushbench::loadgen {

namespace {

/// `key`'s value in `spec`, in the query's own encoding (for comparing and for messages).
std::string value_of(const StreamSpec& spec, const std::string& key) {
  std::string text;
  for_each_query_param(spec.to_query(), [&](const std::string& k, const std::string& v) {
    if (k == key) text = v;
  });
  return text;
}

/// Copies field `key` from `from` to `to`.
void copy_field(const std::string& key, const StreamSpec& from, StreamSpec& to) {
  if (key == "rate") to.rate = from.rate;
  if (key == "size") to.size = from.size;
  if (key == "payload") to.payload = from.payload;
  if (key == "count") to.count = from.count;
  if (key == "duration") to.duration_s = from.duration_s;
  if (key == "topic") to.topic = from.topic;
  if (key == "keepalive") to.keepalive_s = from.keepalive_s;
  if (key == "drop_after") to.drop_after_s = from.drop_after_s;
  if (key == "retry") to.retry_ms = from.retry_ms;
}

}  // namespace

const std::set<std::string>& url_workload_keys() {
  static const std::set<std::string> keys = {
      "rate", "size", "payload", "count", "duration", "topic", "keepalive", "drop_after", "retry"};
  return keys;
}

std::optional<std::string> apply_url_workload(std::string_view query,
                                              const std::set<std::string>& explicit_keys,
                                              StreamSpec& spec) {
  // Only the workload keys are parsed: a foreign server may take parameters of its own.
  // A repeated key's last value wins, as in the servers' parse_query.
  std::map<std::string, std::string> values;
  const bool ok = for_each_query_param(query, [&](const std::string& k, const std::string& v) {
    if (url_workload_keys().count(k)) values[k] = v;
  });
  if (!ok) return "the URL's query has a malformed percent-escape";
  if (values.empty()) return std::nullopt;
  std::string known;
  std::set<std::string> present;
  for (const auto& [k, v] : values) {
    present.insert(k);
    if (!known.empty()) known += '&';
    known += url_encode(k) + "=" + url_encode(v);
  }
  auto parsed = StreamSpec::parse_query(known);
  if (auto* err = std::get_if<std::string>(&parsed)) return "the URL's query: " + *err;
  const auto& from_url = std::get<StreamSpec>(parsed);
  for (const auto& key : present) {
    if (explicit_keys.count(key) && value_of(spec, key) != value_of(from_url, key)) {
      return "the URL asks for " + key + "=" + value_of(from_url, key) +
             " but the command line says " + key + "=" + value_of(spec, key) +
             ": the server follows the URL, so give one of them (or both the same)";
    }
  }
  for (const auto& key : present) copy_field(key, from_url, spec);
  return std::nullopt;
}

}  // namespace pushbench::loadgen
