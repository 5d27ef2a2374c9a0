#include "loadgen/report/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <vector>

#include "loadgen/report/report_markdown.hpp"

namespace pushbench::loadgen {

using json = nlohmann::json;

namespace {

constexpr FigureSpec kComparedFigures[] = {
    {"throughput.events_per_s", true},
    {"latency_us.corrected.p50", false},
    {"latency_us.corrected.p99", false},
    {"latency_us.corrected.p999", false},
    {"latency_us.uncorrected.p99", false},
    {"wire.bytes_per_event", false},
    {"server.cpu_ns_per_event", false},
    {"server.rss_bytes_per_connection", false},
    {"loadgen.cpu_ns_per_event", false},
    {"events.lost", false},
    {"server.wakeups_per_event", false},
    {"loadgen.wakeups_per_event", false},
    {"server.rss_anon_bytes_per_connection", false},
};

}  // namespace

std::span<const FigureSpec> compared_figures() { return kComparedFigures; }

constexpr std::string_view kLost = "events.lost";

namespace {

/// The value at dotted `path` in `j`, or null when a step is missing or not an object.
const json* value_at(const json& j, std::string_view path) {
  const json* cur = &j;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string key(path.substr(0, dot));
    if (!cur->is_object()) return nullptr;
    const auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return cur;
}

}  // namespace

std::optional<double> number_at(const json& j, std::string_view path) {
  const json* v = value_at(j, path);
  if (!v || !v->is_number()) return std::nullopt;
  const double d = v->get<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

std::string text_at(const json& j, std::string_view path) {
  const json* v = value_at(j, path);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<FigureReading> read_figure(const ScenarioView& view, const char* path) {
  const json& scenario = *view.raw;
  if (const auto reps = scenario.find("repetitions"); reps != scenario.end() && reps->is_object()) {
    if (const auto entry = reps->find(path); entry != reps->end() && entry->is_object()) {
      if (const auto median = number_at(*entry, "median")) {
        FigureReading r{*median, std::fabs(number_at(*entry, "mad").value_or(0)), true, {}};
        if (const auto vs = entry->find("values"); vs != entry->end() && vs->is_array()) {
          for (const auto& v : *vs) {
            if (v.is_number() && std::isfinite(v.get<double>())) r.values.push_back(v.get<double>());
          }
        }
        return r;
      }
    }
  }
  if (const auto v = figure_value(view.figures, path)) {
    return FigureReading{*v, 0, false, {}};
  }
  return std::nullopt;
}

namespace {

std::string scenario_label(const json& s) {
  if (auto name = text_at(s, "name"); !name.empty()) return name;
  return text_at(s, "group") + "/" + text_at(s, "transport");
}

const json& scenarios_of(const json& report) {
  static const json kEmpty = json::array();
  if (!report.is_object()) return kEmpty;
  const auto it = report.find("scenarios");
  return it != report.end() && it->is_array() ? *it : kEmpty;
}

FigureDelta make_delta(const std::string& scenario, const FigureSpec& spec, const FigureReading& b,
                       const FigureReading& n, const CompareOptions& o) {
  FigureDelta d;
  d.scenario = scenario;
  d.figure = spec.path;
  d.base = b.value;
  d.now = n.value;
  d.higher_is_better = spec.higher_is_better;
  const double diff = n.value - b.value;
  if (b.value != 0) {
    d.change = diff / std::fabs(b.value);
  } else if (diff != 0) {
    d.change = std::copysign(std::numeric_limits<double>::infinity(), diff);
  }
  d.noise = (b.from_repetitions || n.from_repetitions) &&
            std::fabs(diff) <= o.mad_factor * std::max(b.mad, n.mad);
  if (b.values.size() >= 2 && n.values.size() >= 2) {
    // Both sides repeated: a shift counts only when the runs do not overlap at all (every new run
    // beyond every base run, Mann-Whitney U = 0; by chance p = 2 / C(2n, n) for n runs a side:
    // 0.008 for 5, 0.00016 for 8).
    const auto [b_lo, b_hi] = std::minmax_element(b.values.begin(), b.values.end());
    const auto [n_lo, n_hi] = std::minmax_element(n.values.begin(), n.values.end());
    const bool separated = diff > 0 ? *n_lo > *b_hi : diff < 0 ? *n_hi < *b_lo : false;
    d.noise = d.noise || !separated;
  }
  const bool past_threshold = std::fabs(d.change) > o.threshold;
  const bool worse = spec.higher_is_better ? diff < 0 : diff > 0;
  const bool better = spec.higher_is_better ? diff > 0 : diff < 0;
  // Loss appearing: the base never lost an event in any of its runs, the new one did in one of
  // its runs (one lossy repetition is a loss even when the median is 0).
  const auto most = [](const auto& x) {
    return x.values.empty() ? x.value : *std::max_element(x.values.begin(), x.values.end());
  };
  if (d.figure == kLost && most(b) == 0 && most(n) > 0) {
    d.noise = false;
    d.regressed = true;
    return d;
  }
  d.regressed = worse && past_threshold && !d.noise;
  d.improved = better && past_threshold && !d.noise;
  return d;
}

std::string format_value(double v) {
  char buf[64];
  if (std::fabs(v) < 1e15 && v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (std::fabs(v) >= 100) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  }
  return buf;
}

std::string format_change(double change) {
  if (std::isinf(change)) return change > 0 ? "+inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.1f%%", change * 100);
  return buf;
}

/// "REGRESSED", "improved", "noise" (past the threshold but within the spread) or "".
std::string verdict(const FigureDelta& d, const CompareOptions& o) {
  if (d.regressed) return "REGRESSED";
  if (d.improved) return "improved";
  if (d.noise && std::fabs(d.change) > o.threshold) return "noise";
  return "";
}

std::string summary_line(const CompareResult& r, const CompareOptions& o) {
  const auto regressions = std::count_if(r.deltas.begin(), r.deltas.end(),
                                         [](const FigureDelta& d) { return d.regressed; });
  const auto improvements = std::count_if(r.deltas.begin(), r.deltas.end(),
                                          [](const FigureDelta& d) { return d.improved; });
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%ld regression%s, %ld improvement%s in %zu figures (threshold %.1f%%, noise: "
                "within %g x MAD, or repeated runs that overlap)",
                static_cast<long>(regressions), regressions == 1 ? "" : "s",
                static_cast<long>(improvements), improvements == 1 ? "" : "s", r.deltas.size(),
                o.threshold * 100, o.mad_factor);
  return buf;
}

std::string join(const std::vector<std::string>& items, std::string (*each)(std::string_view)) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += each(item);
  }
  return out;
}

std::string as_is(std::string_view s) {
  return std::string(s);
}

std::string format_text(const CompareResult& r, const CompareOptions& o) {
  std::size_t scenario_width = 8, figure_width = 6;
  for (const auto& d : r.deltas) {
    scenario_width = std::max(scenario_width, d.scenario.size());
    figure_width = std::max(figure_width, d.figure.size());
  }
  std::string out;
  char line[1024];
  const int sw = static_cast<int>(scenario_width), fw = static_cast<int>(figure_width);
  if (!r.deltas.empty()) {
    std::snprintf(line, sizeof line, "%-*s  %-*s  %14s  %14s  %9s  %s\n", sw, "scenario", fw,
                  "figure", "base", "new", "change", "verdict");
    out += line;
  }
  for (const auto& d : r.deltas) {
    std::snprintf(line, sizeof line, "%-*s  %-*s  %14s  %14s  %9s  %s", sw, d.scenario.c_str(), fw,
                  d.figure.c_str(), format_value(d.base).c_str(), format_value(d.now).c_str(),
                  format_change(d.change).c_str(), verdict(d, o).c_str());
    std::string row = line;
    row.erase(row.find_last_not_of(' ') + 1);
    out += row + "\n";
  }
  out += summary_line(r, o) + "\n";
  if (!r.only_in_base.empty()) out += "only in base: " + join(r.only_in_base, as_is) + "\n";
  if (!r.only_in_new.empty()) out += "only in new: " + join(r.only_in_new, as_is) + "\n";
  return out;
}

void append_markdown_table(std::string& out, const std::vector<const FigureDelta*>& rows,
                           const CompareOptions& o) {
  out += "| scenario | figure | base | new | change | verdict |\n";
  out += "|---|---|--:|--:|--:|---|\n";
  for (const FigureDelta* d : rows) {
    const std::string v = verdict(*d, o);
    out += "| " + markdown_escape(d->scenario) + " | " + d->figure + " | " + format_value(d->base) +
           " | " + format_value(d->now) + " | " + format_change(d->change) + " | " +
           (d->regressed ? "**" + v + "**" : v) + " |\n";
  }
}

std::string format_markdown(const CompareResult& r, const CompareOptions& o) {
  std::vector<const FigureDelta*> changed, all;
  for (const auto& d : r.deltas) {
    all.push_back(&d);
    if (!verdict(d, o).empty()) changed.push_back(&d);
  }
  std::string out = "### pushbench compare: ";
  out += r.regressed() ? "regressions found\n\n" : "no regression\n\n";
  out += summary_line(r, o) + "\n\n";
  if (!changed.empty()) {
    append_markdown_table(out, changed, o);
    out += "\n";
  }
  if (!r.only_in_base.empty())
    out += "Only in base: " + join(r.only_in_base, markdown_escape) + "\n\n";
  if (!r.only_in_new.empty())
    out += "Only in new: " + join(r.only_in_new, markdown_escape) + "\n\n";
  if (!all.empty()) {
    out += "<details><summary>All figures</summary>\n\n";
    append_markdown_table(out, all, o);
    out += "\n</details>\n";
  }
  return out;
}

std::string format_json(const CompareResult& r, const CompareOptions& o) {
  json deltas = json::array();
  std::size_t regressions = 0, improvements = 0;
  for (const auto& d : r.deltas) {
    regressions += d.regressed;
    improvements += d.improved;
    deltas.push_back({{"scenario", d.scenario},
                      {"figure", d.figure},
                      {"base", d.base},
                      {"now", d.now},
                      {"change", std::isfinite(d.change) ? json(d.change) : json(nullptr)},
                      {"higher_is_better", d.higher_is_better},
                      {"regressed", d.regressed},
                      {"improved", d.improved},
                      {"noise", d.noise}});
  }
  const json doc = {{"threshold", o.threshold},       {"mad_factor", o.mad_factor},
                    {"regressed", r.regressed()},     {"regressions", regressions},
                    {"improvements", improvements},   {"deltas", std::move(deltas)},
                    {"only_in_base", r.only_in_base}, {"only_in_new", r.only_in_new}};
  return doc.dump(2) + "\n";
}

}  // namespace

bool CompareResult::regressed() const {
  return std::any_of(deltas.begin(), deltas.end(),
                     [](const FigureDelta& d) { return d.regressed; });
}

CompareResult compare_reports(const json& base, const json& now, const CompareOptions& o) {
  const json& bs = scenarios_of(base);
  const json& ns = scenarios_of(now);
  std::vector<std::optional<std::size_t>> match(bs.size());
  std::vector<bool> used(ns.size(), false);
  for (std::size_t i = 0; i < bs.size(); ++i) {
    const std::string name = text_at(bs[i], "name");
    if (name.empty()) continue;
    for (std::size_t j = 0; j < ns.size(); ++j) {
      if (!used[j] && text_at(ns[j], "name") == name) {
        match[i] = j;
        used[j] = true;
        break;
      }
    }
  }
  for (std::size_t i = 0; i < bs.size(); ++i) {
    if (match[i]) continue;
    const std::string group = text_at(bs[i], "group");
    const std::string transport = text_at(bs[i], "transport");
    if (group.empty() || transport.empty()) continue;
    for (std::size_t j = 0; j < ns.size(); ++j) {
      if (!used[j] && text_at(ns[j], "group") == group &&
          text_at(ns[j], "transport") == transport) {
        match[i] = j;
        used[j] = true;
        break;
      }
    }
  }
  CompareResult result;
  for (std::size_t i = 0; i < bs.size(); ++i) {
    const std::string label = scenario_label(bs[i]);
    if (!match[i]) {
      result.only_in_base.push_back(label);
      continue;
    }
    const ScenarioView base(bs[i]), now(ns[*match[i]]);
    for (const auto& spec : kComparedFigures) {
      const auto rb = read_figure(base, spec.path);
      const auto rn = read_figure(now, spec.path);
      if (rb && rn) result.deltas.push_back(make_delta(label, spec, *rb, *rn, o));
    }
  }
  for (std::size_t j = 0; j < ns.size(); ++j) {
    if (!used[j]) result.only_in_new.push_back(scenario_label(ns[j]));
  }
  return result;
}

std::string format_compare(const CompareResult& r, const CompareOptions& o) {
  switch (o.format) {
    case CompareFormat::markdown:
      return format_markdown(r, o);
    case CompareFormat::json:
      return format_json(r, o);
    case CompareFormat::text:
      break;
  }
  return format_text(r, o);
}

}  // namespace pushbench::loadgen
