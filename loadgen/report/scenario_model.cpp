#include "loadgen/report/scenario_model.hpp"

#include <cmath>
#include <concepts>
#include <type_traits>

namespace pushbench::loadgen {

using json = nlohmann::json;

namespace {

// Each section's fields, once: `v(key, member)` for every key the report writes.

constexpr const char* kSummaryKeys = "<summary>";

template <class S, class V>
requires std::same_as<std::remove_const_t<S>, SummaryFigures>
void visit_fields(S& s, V&& v) {
  v("count", s.count), v("min", s.min), v("mean", s.mean), v("p50", s.p50), v("p90", s.p90);
  v("p99", s.p99), v("p999", s.p999), v("p9999", s.p9999), v("max", s.max);
}

template <class S, class V>
requires std::same_as<std::remove_const_t<S>, EventFigures>
void visit_fields(S& e, V&& v) {
  v("expected", e.expected), v("received", e.received), v("lost", e.lost);
  v("duplicated", e.duplicated), v("out_of_order", e.out_of_order);
}

template <class S, class V>
requires std::same_as<std::remove_const_t<S>, ThroughputFigures>
void visit_fields(S& t, V&& v) {
  v("events_per_s", t.events_per_s), v("payload_bytes_per_s", t.payload_bytes_per_s);
  v("wire_bytes_per_s", t.wire_bytes_per_s);
}

template <class S, class V>
requires std::same_as<std::remove_const_t<S>, WireFigures>
void visit_fields(S& w, V&& v) {
  v("bytes_received", w.bytes_received), v("bytes_sent", w.bytes_sent);
  v("segments_received", w.segments_received), v("bytes_per_event", w.bytes_per_event);
  v("segments_sent", w.segments_sent);
}

template <class S, class V>
requires std::same_as<std::remove_const_t<S>, LatencyFigures>
void visit_fields(S& l, V&& v) {
  v("corrected", l.corrected), v("uncorrected", l.uncorrected);
}

template <class S, class V>
requires std::same_as<std::remove_const_t<S>, ServerFigures>
void visit_fields(S& s, V&& v) {
  v("pid", s.pid), v("cpu_s", s.cpu_s), v("cpu_ns_per_event", s.cpu_ns_per_event);
  v("rss_bytes_idle", s.rss_bytes_idle), v("rss_bytes_peak", s.rss_bytes_peak);
  v("rss_bytes_per_connection", s.rss_bytes_per_connection);
  v("rss_bytes_per_stream", s.rss_bytes_per_stream);
  v("rss_anon_bytes_idle", s.rss_anon_bytes_idle), v("rss_anon_bytes_end", s.rss_anon_bytes_end);
  v("rss_anon_bytes_per_connection", s.rss_anon_bytes_per_connection);
  v("rss_anon_bytes_per_stream", s.rss_anon_bytes_per_stream);
  v("wakeups_per_event", s.wakeups_per_event);
}

template <class S, class V>
requires std::same_as<std::remove_const_t<S>, LoadgenFigures>
void visit_fields(S& l, V&& v) {
  v("cpu_s", l.cpu_s), v("cpu_ns_per_event", l.cpu_ns_per_event);
  v("wakeups_per_event", l.wakeups_per_event), v("threads", l.threads);
  v("saturated", l.saturated), v("max_thread_busy", l.max_thread_busy), v("acks", l.acks);
  v("wait", l.wait), v("worker_cpus", l.worker_cpus);
}

template <class S, class V>
requires std::same_as<std::remove_const_t<S>, ScheduleFigures>
void visit_fields(S& s, V&& v) {
  v("phase", s.phase), v("seed", s.seed), v("server_timer_slack_us", s.server_timer_slack_us);
}

template <class S, class V>
requires std::same_as<std::remove_const_t<S>, ScenarioFigures>
void visit_fields(S& f, V&& v) {
  v("name", f.name), v("group", f.group), v("transport", f.transport);
  v("http_version", f.http_version), v("tls", f.tls), v("schedule", f.schedule);
  v("events", f.events), v("throughput", f.throughput), v("wire", f.wire);
  v("latency_us", f.latency_us), v("connect_us", f.connect_us);
  v("first_event_us", f.first_event_us), v("server", f.server), v("loadgen", f.loadgen);
  v("errors", f.errors), v("warnings", f.warnings);
}

/// A type with a field list (a section, or a summary).
template <class S>
concept Section = requires(S& s) {
  visit_fields(s, [](const char*, auto&) {});
};

/// Writes every field into `j`.
struct Put {
  json& j;  ///< the object written into

  template <class T>
  void operator()(const char* key, const T& value) const {
    if constexpr (Section<T>) {
      json sub = json::object();
      visit_fields(value, Put{sub});
      j[key] = std::move(sub);
    } else if constexpr (requires { value.has_value(); }) {
      if (!value) {
        j[key] = nullptr;
      } else {
        (*this)(key, *value);
      }
    } else {
      j[key] = value;
    }
  }
};

/// `v` as T when it is one (an unsigned figure must be a non-negative integral number).
template <class T>
std::optional<T> read_as(const json& v) {
  if constexpr (std::is_same_v<T, bool>) {
    if (v.is_boolean()) return v.get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (v.is_string()) return v.get<std::string>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (v.is_number() && std::isfinite(v.get<double>())) return v.get<T>();
  } else if constexpr (std::is_unsigned_v<T>) {
    if (v.is_number_unsigned()) return v.get<T>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return v.get<T>();
    const double d = v.is_number_float() ? v.get<double>() : -1;
    if (d >= 0 && d < 1.8e19 && d == std::floor(d)) return static_cast<T>(d);
  } else {
    if (v.is_number_integer()) return v.get<T>();
  }
  return std::nullopt;
}

/// Reads every field that `j` has with the right type; the others stay as they were.
struct Get {
  const json& j;  ///< the object read

  template <class T>
  void operator()(const char* key, T& value) const {
    const auto it = j.find(key);
    if (it == j.end()) return;
    read(*it, value);
  }

  template <class T>
  static void read(const json& v, T& value) {
    if constexpr (Section<T>) {
      if (v.is_object()) visit_fields(value, Get{v});
    } else if constexpr (requires { value.has_value(); }) {
      using U = typename T::value_type;
      if constexpr (Section<U>) {
        if (v.is_object()) read(v, value.emplace());
      } else {
        value = read_as<U>(v);
      }
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      if (!v.is_array()) return;
      for (const auto& e : v) {
        if (e.is_string()) value.push_back(e.get<std::string>());
      }
    } else if constexpr (std::is_same_v<T, std::map<std::string, std::uint64_t>>) {
      if (!v.is_object()) return;
      for (const auto& [k, n] : v.items()) {
        if (const auto x = read_as<std::uint64_t>(n)) value[k] = *x;
      }
    } else {
      if (const auto x = read_as<T>(v)) value = *x;
    }
  }
};

/// Lists each section's keys; `at` is the section's dotted path ("" for the scenario, and
/// kSummaryKeys for the fields every latency or duration summary has).
struct Keys {
  std::map<std::string, std::vector<std::string>>& out;  ///< section path -> its keys
  std::string at;                                        ///< the section visited

  template <class T>
  void operator()(const char* key, const T&) const {
    out[at].push_back(key);
    using U = std::remove_cvref_t<decltype(unwrap(std::declval<const T&>()))>;
    const U blank{};
    if constexpr (std::is_same_v<U, SummaryFigures>) {
      if (!out.count(kSummaryKeys)) visit_fields(blank, Keys{out, kSummaryKeys});
    } else if constexpr (Section<U>) {
      visit_fields(blank, Keys{out, at.empty() ? key : at + "." + key});
    }
  }
  template <class T>
  static const T& unwrap(const T& v) {
    return v;
  }
  template <class T>
  static const T& unwrap(const std::optional<T>& v) {
    return *v;
  }
};

/// Finds the number at a dotted path.
struct Find {
  std::string_view path;       ///< what is left of the path
  std::optional<double>& out;  ///< the number, if found and finite

  template <class T>
  void operator()(const char* key, const T& value) const {
    const auto dot = path.find('.');
    if (path.substr(0, dot) != key) return;
    const std::string_view rest = dot == std::string_view::npos ? "" : path.substr(dot + 1);
    if constexpr (Section<T>) {
      if (!rest.empty()) visit_fields(value, Find{rest, out});
    } else if constexpr (requires { value.has_value(); }) {
      if (value) Find{path, out}(key, *value);
    } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
      if (rest.empty() && std::isfinite(static_cast<double>(value)))
        out = static_cast<double>(value);
    }
  }
};

/// Collects the dotted path of every number.
struct Paths {
  std::vector<std::string>& out;  ///< every path found
  std::string at;                 ///< the section visited, with a trailing dot

  template <class T>
  void operator()(const char* key, const T&) const {
    using U = std::remove_cvref_t<decltype(Keys::unwrap(std::declval<const T&>()))>;
    if constexpr (Section<U>) {
      const U blank{};
      visit_fields(blank, Paths{out, at + key + "."});
    } else if constexpr (std::is_arithmetic_v<U> && !std::is_same_v<U, bool>) {
      out.push_back(at + key);
    }
  }
};

}  // namespace

std::optional<SummaryFigures> summary_or_null(const Summary& s) {
  if (!s.count) return std::nullopt;
  return SummaryFigures{s.count, s.min, s.mean, s.p50, s.p90, s.p99, s.p999, s.p9999, s.max};
}

void to_json(json& j, const ScenarioFigures& f) {
  if (!j.is_object()) j = json::object();
  visit_fields(f, Put{j});
}

void from_json(const json& j, ScenarioFigures& f) {
  f = ScenarioFigures{};
  if (j.is_object()) visit_fields(f, Get{j});
}

ScenarioFigures scenario_figures(const json& scenario) {
  ScenarioFigures f;
  from_json(scenario, f);
  return f;
}

ScenarioGroups group_scenarios(const json& report) {
  ScenarioGroups groups;
  if (!report.is_object()) return groups;
  const auto scenarios = report.find("scenarios");  // views point into the report: no copy
  if (scenarios == report.end() || !scenarios->is_array()) return groups;
  for (const auto& s : *scenarios) {
    if (!s.is_object()) continue;
    ScenarioView view(s);
    std::string g = view.figures.group.value_or("");
    if (g.empty()) g = view.figures.name.value_or("");
    if (g.empty()) g = "?";
    if (!groups.scenarios.count(g)) groups.order.push_back(g);
    groups.scenarios[g].push_back(std::move(view));
  }
  return groups;
}

std::map<std::string, std::vector<std::string>> scenario_figure_keys() {
  std::map<std::string, std::vector<std::string>> out;
  const ScenarioFigures blank;
  visit_fields(blank, Keys{out, ""});
  return out;
}

std::optional<double> figure_value(const ScenarioFigures& f, std::string_view path) {
  std::optional<double> out;
  visit_fields(f, Find{path, out});
  return out;
}

std::vector<std::string_view> figure_paths() {
  static const std::vector<std::string> paths = [] {
    std::vector<std::string> out;
    const ScenarioFigures blank;
    visit_fields(blank, Paths{out, ""});
    return out;
  }();
  return {paths.begin(), paths.end()};
}

}  // namespace pushbench::loadgen
