#include "loadgen/suite/suite_matrix.hpp"

#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace pushbench::loadgen {

namespace {

constexpr std::size_t kMaxScenarios = 10000;
constexpr std::size_t kMaxCombinations = 1000000;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error("suite: " + where + ": " + what);
}

/// A scalar as it appears in a group name: strings as-is, integral numbers without ".0".
template <typename Json>
std::string placeholder_text(const Json& v) {
  if (v.is_string()) return v.template get<std::string>();
  if (v.is_number_float()) {
    const double d = v.template get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f", d == 0 ? 0.0 : d);
      return buf;
    }
  }
  return v.dump();
}

template <typename Json>
std::string substitute(const std::string& where, const std::string& tmpl, const Json& scenario) {
  std::string out;
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    const auto open = tmpl.find('{', pos);
    if (open == std::string::npos) {
      out.append(tmpl, pos, std::string::npos);
      break;
    }
    out.append(tmpl, pos, open - pos);
    const auto close = tmpl.find('}', open + 1);
    if (close == std::string::npos) fail(where, "unterminated placeholder in \"" + tmpl + "\"");
    const std::string key = tmpl.substr(open + 1, close - open - 1);
    const auto it = scenario.find(key);
    if (key == "group" || it == scenario.end()) {
      fail(where, "placeholder {" + key + "} in \"" + tmpl + "\" names no axis or fixed key");
    }
    out += placeholder_text(*it);
    pos = close + 1;
  }
  return out;
}

template <typename Json>
bool excluded(const Json& scenario, const Json& excludes) {
  for (const auto& ex : excludes) {
    bool all_equal = true;
    for (const auto& [key, value] : ex.items()) {
      const auto it = scenario.find(key);
      if (it == scenario.end() || *it != value) {
        all_equal = false;
        break;
      }
    }
    if (all_equal) return true;
  }
  return false;
}

/// The validated parts of one matrix element.
template <typename Json>
struct Matrix {
  std::string group;                           ///< group name template
  std::vector<std::string> axis_names;         ///< in the document's key order
  std::vector<std::vector<Json>> axis_values;  ///< parallel to axis_names
  Json fixed = Json::object();                 ///< keys shared by every scenario
  Json exclude = Json::array();                ///< objects; a matching combination is skipped
  std::size_t combinations = 1;                ///< product of the axis lengths
};

template <typename Json>
Matrix<Json> read_matrix(const std::string& where, const Json& m) {
  if (!m.is_object()) fail(where, "must be an object");
  for (const auto& [key, value] : m.items()) {
    if (key != "group" && key != "axes" && key != "fixed" && key != "exclude")
      fail(where, "unknown key \"" + key + "\" (expected group, axes, fixed, exclude)");
  }
  Matrix<Json> out;
  const auto group = m.find("group");
  if (group == m.end() || !group->is_string() || group->template get<std::string>().empty())
    fail(where, "\"group\" must be a non-empty string template");
  out.group = group->template get<std::string>();

  if (const auto fixed = m.find("fixed"); fixed != m.end()) {
    if (!fixed->is_object()) fail(where, "\"fixed\" must be an object");
    if (fixed->contains("group")) fail(where, "\"fixed\" cannot set \"group\"");
    out.fixed = *fixed;
  }

  const auto axes = m.find("axes");
  if (axes == m.end() || !axes->is_object() || axes->empty())
    fail(where, "\"axes\" must be a non-empty object");
  for (const auto& [name, values] : axes->items()) {
    const std::string axis = where + ".axes." + name;
    if (name == "transports") {
      fail(axis,
           "\"transports\" cannot be an axis: it stays a scenario key (a list), since one "
           "scenario runs on every transport; put it in \"fixed\"");
    }
    if (name == "group") fail(axis, "\"group\" cannot be an axis: it is the name template");
    if (out.fixed.contains(name)) fail(axis, "key is both an axis and fixed");
    if (!values.is_array()) fail(axis, "must be an array of values");
    if (values.empty()) fail(axis, "is empty");
    for (const auto& v : values) {
      if (!v.is_string() && !v.is_number() && !v.is_boolean())
        fail(axis, "values must be numbers, strings or booleans, got " + v.dump());
    }
    out.axis_names.push_back(name);
    out.axis_values.emplace_back(values.begin(), values.end());
    out.combinations = out.combinations > kMaxCombinations / values.size()
                           ? kMaxCombinations + 1
                           : out.combinations * values.size();
  }
  if (out.combinations > kMaxCombinations) {
    fail(where, "more than " + std::to_string(kMaxCombinations) + " combinations; at most " +
                    std::to_string(kMaxScenarios) + " expanded scenarios are allowed");
  }

  if (const auto exclude = m.find("exclude"); exclude != m.end()) {
    if (!exclude->is_array()) fail(where, "\"exclude\" must be an array of objects");
    for (std::size_t i = 0; i < exclude->size(); ++i) {
      const std::string ex_where = where + ".exclude[" + std::to_string(i) + "]";
      const auto& ex = (*exclude)[i];
      if (!ex.is_object() || ex.empty()) fail(ex_where, "must be a non-empty object");
      for (const auto& [key, value] : ex.items()) {
        if (!out.fixed.contains(key) && !axes->contains(key))
          fail(ex_where, "key \"" + key + "\" is neither an axis nor a fixed key");
      }
    }
    out.exclude = *exclude;
  }
  return out;
}

template <typename Json>
Json expand(const Json& doc) {
  if (!doc.is_object()) throw std::runtime_error("suite: expected an object");
  const auto matrix = doc.find("matrix");
  if (matrix == doc.end()) return doc;
  if (!matrix->is_array()) throw std::runtime_error("suite: \"matrix\" must be an array");

  Json scenarios = Json::array();
  if (const auto plain = doc.find("scenarios"); plain != doc.end()) {
    if (!plain->is_array()) throw std::runtime_error("suite: \"scenarios\" must be an array");
    scenarios = *plain;
  }
  std::set<std::string> groups;
  for (const auto& s : scenarios) {
    if (s.is_object() && s.contains("group") && s["group"].is_string())
      groups.insert(s["group"].template get<std::string>());
  }

  std::size_t expanded = 0;
  for (std::size_t mi = 0; mi < matrix->size(); ++mi) {
    const std::string where = "matrix[" + std::to_string(mi) + "]";
    const Matrix<Json> m = read_matrix(where, (*matrix)[mi]);
    std::vector<std::size_t> index(m.axis_names.size(), 0);
    for (std::size_t n = 0; n < m.combinations; ++n) {
      Json scenario = Json::object();
      scenario["group"] = "";
      for (const auto& [key, value] : m.fixed.items()) scenario[key] = value;
      for (std::size_t a = 0; a < index.size(); ++a)
        scenario[m.axis_names[a]] = m.axis_values[a][index[a]];
      for (std::size_t a = index.size(); a-- > 0;) {
        if (++index[a] < m.axis_values[a].size()) break;
        index[a] = 0;
      }
      if (excluded(scenario, m.exclude)) continue;
      const std::string group = substitute(where, m.group, scenario);
      if (!groups.insert(group).second)
        fail(where, "group \"" + group + "\" is also the group of another scenario");
      if (++expanded > kMaxScenarios) {
        fail(where, "more than " + std::to_string(kMaxScenarios) + " expanded scenarios");
      }
      scenario["group"] = group;
      scenarios.push_back(std::move(scenario));
    }
  }

  Json out = Json::object();
  for (const auto& [key, value] : doc.items()) {
    if (key != "matrix" && key != "scenarios") {
      out[key] = value;
    } else if (!out.contains("scenarios")) {
      out["scenarios"] = Json::array();
    }
  }
  out["scenarios"] = std::move(scenarios);
  return out;
}

}  // namespace

nlohmann::json expand_suite(const nlohmann::json& doc) {
  return expand(doc);
}

nlohmann::ordered_json expand_suite(const nlohmann::ordered_json& doc) {
  return expand(doc);
}

nlohmann::json expand_suite_text(std::string_view text) {
  return nlohmann::json(expand(nlohmann::ordered_json::parse(text)));
}

}  // namespace pushbench::loadgen
