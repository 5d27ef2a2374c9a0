#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/suite/suite_matrix.hpp"

namespace pushbench::loadgen {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

std::vector<std::string> groups(const json& doc) {
  std::vector<std::string> out;
  for (const auto& s : doc["scenarios"]) out.push_back(s["group"].get<std::string>());
  return out;
}

/// The message of the std::runtime_error that expanding `text` throws, or "" if none.
std::string error_of(const std::string& text) {
  try {
    expand_suite_text(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(SuiteMatrix, ExpandsInWrittenAxisOrderAfterPlainScenarios) {
  const json out = expand_suite_text(R"({
    "name": "m", "defaults": {"duration": 2},
    "scenarios": [{"group": "plain", "rate": 5}],
    "matrix": [{"group": "stream-{connections}c-{size}B-{compression}",
                "axes": {"size": [64, 1024], "connections": [1, 10, 100],
                         "compression": ["none", "on"]},
                "fixed": {"rate": 100, "transports": ["sse", "ws"]}}]
  })");
  EXPECT_FALSE(out.contains("matrix"));
  EXPECT_EQ(out["name"], "m");
  EXPECT_EQ(out["defaults"], json({{"duration", 2}}));
  const auto g = groups(out);
  ASSERT_EQ(g.size(), 13u);
  EXPECT_EQ(g[0], "plain");
  // "size" is written first, so it varies slowest; "compression" fastest.
  EXPECT_EQ(g[1], "stream-1c-64B-none");
  EXPECT_EQ(g[2], "stream-1c-64B-on");
  EXPECT_EQ(g[3], "stream-10c-64B-none");
  EXPECT_EQ(g[7], "stream-1c-1024B-none");
  EXPECT_EQ(g[12], "stream-100c-1024B-on");
  const json& s = out["scenarios"][12];
  EXPECT_EQ(s["rate"], 100);
  EXPECT_EQ(s["connections"], 100);
  EXPECT_EQ(s["size"], 1024);
  EXPECT_EQ(s["compression"], "on");
  EXPECT_EQ(s["transports"], json({"sse", "ws"}));
  EXPECT_EQ(s.size(), 6u);
}

TEST(SuiteMatrix, OrderedJsonOverloadKeepsKeyOrder) {
  const ordered_json out = expand_suite(ordered_json::parse(R"({
    "matrix": [{"group": "g-{b}-{a}", "axes": {"b": [1, 2], "a": ["x", "y"]}}]
  })"));
  std::vector<std::string> g;
  for (const auto& s : out["scenarios"]) g.push_back(s["group"].get<std::string>());
  EXPECT_EQ(g, (std::vector<std::string>{"g-1-x", "g-1-y", "g-2-x", "g-2-y"}));
  std::vector<std::string> keys;
  for (const auto& [k, v] : out["scenarios"][0].items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"group", "b", "a"}));
}

TEST(SuiteMatrix, PlainJsonOverloadExpandsAlphabetically) {
  const json out = expand_suite(json::parse(R"({
    "matrix": [{"group": "g-{b}-{a}", "axes": {"b": [1, 2], "a": ["x", "y"]}}]
  })"));
  EXPECT_EQ(groups(out), (std::vector<std::string>{"g-1-x", "g-2-x", "g-1-y", "g-2-y"}));
}

TEST(SuiteMatrix, Excludes) {
  const json out = expand_suite_text(R"({
    "matrix": [{"group": "s{size}-{compression}-r{rate}",
                "axes": {"size": [64, 1024], "compression": ["none", "on"]},
                "fixed": {"rate": 100},
                "exclude": [{"size": 64, "compression": "on"}, {"size": 1024.0, "rate": 100,
                             "compression": "none"}]}]
  })");
  EXPECT_EQ(groups(out), (std::vector<std::string>{"s64-none-r100", "s1024-on-r100"}));
}

TEST(SuiteMatrix, PlaceholderValues) {
  const json out = expand_suite_text(R"({
    "matrix": [{"group": "r{rate}-w{warmup}-{no_context_takeover}-{payload}}",
                "axes": {"rate": [100.0, 2.5, 1e6], "no_context_takeover": [true]},
                "fixed": {"warmup": 0.0, "payload": "text"}}]
  })");
  EXPECT_EQ(groups(out), (std::vector<std::string>{"r100-w0-true-text}", "r2.5-w0-true-text}",
                                                   "r1000000-w0-true-text}"}));
  EXPECT_EQ(out["scenarios"][0]["rate"], 100.0);
}

TEST(SuiteMatrix, SeveralMatricesAndNoMatrix) {
  const json out = expand_suite_text(R"({
    "matrix": [{"group": "a{size}", "axes": {"size": [1, 2]}},
               {"group": "b{size}", "axes": {"size": [3]}}]
  })");
  EXPECT_EQ(groups(out), (std::vector<std::string>{"a1", "a2", "b3"}));
  const json plain = {{"scenarios", json::array({{{"group", "x"}}})}, {"name", "n"}};
  EXPECT_EQ(expand_suite(plain), plain);
}

TEST(SuiteMatrix, Errors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "expected an object"},
      {R"({"matrix": {}})", "\"matrix\" must be an array"},
      {R"({"scenarios": 1, "matrix": []})", "\"scenarios\" must be an array"},
      {R"({"matrix": [5]})", "matrix[0]: must be an object"},
      {R"({"matrix": [{"group": "g", "axes": {"size": [1]}, "axis": {}}]})",
       "matrix[0]: unknown key \"axis\""},
      {R"({"matrix": [{"axes": {"size": [1]}}]})", "matrix[0]: \"group\" must be"},
      {R"({"matrix": [{"group": 3, "axes": {"size": [1]}}]})", "matrix[0]: \"group\" must be"},
      {R"({"matrix": [{"group": "g"}]})", "matrix[0]: \"axes\" must be a non-empty object"},
      {R"({"matrix": [{"group": "g", "axes": {}}]})",
       "matrix[0]: \"axes\" must be a non-empty object"},
      {R"({"matrix": [{"group": "g", "axes": [1]}]})",
       "matrix[0]: \"axes\" must be a non-empty object"},
      {R"({"matrix": [{"group": "a{size}", "axes": {"size": [1]}},
                      {"group": "g{size}", "axes": {"size": 64}}]})",
       "matrix[1].axes.size: must be an array"},
      {R"({"matrix": [{"group": "g", "axes": {"size": []}}]})", "matrix[0].axes.size: is empty"},
      {R"({"matrix": [{"group": "g{size}", "axes": {"size": [[1]]}}]})",
       "matrix[0].axes.size: values must be numbers, strings or booleans"},
      {R"({"matrix": [{"group": "g{size}", "axes": {"size": [null]}}]})",
       "matrix[0].axes.size: values must be"},
      {R"({"matrix": [{"group": "g", "axes": {"transports": [["sse"], ["ws"]]}}]})",
       "matrix[0].axes.transports: \"transports\" cannot be an axis"},
      {R"({"matrix": [{"group": "g", "axes": {"group": ["a"]}}]})",
       "matrix[0].axes.group: \"group\" cannot be an axis"},
      {R"({"matrix": [{"group": "g", "axes": {"size": [1]}, "fixed": {"size": 2}}]})",
       "matrix[0].axes.size: key is both an axis and fixed"},
      {R"({"matrix": [{"group": "g", "axes": {"size": [1]}, "fixed": [1]}]})",
       "matrix[0]: \"fixed\" must be an object"},
      {R"({"matrix": [{"group": "g", "axes": {"size": [1]}, "fixed": {"group": "x"}}]})",
       "matrix[0]: \"fixed\" cannot set \"group\""},
      {R"({"matrix": [{"group": "g{size}", "axes": {"size": [1]}, "exclude": {"size": 1}}]})",
       "matrix[0]: \"exclude\" must be an array"},
      {R"({"matrix": [{"group": "g{size}", "axes": {"size": [1]}, "exclude": [{}]}]})",
       "matrix[0].exclude[0]: must be a non-empty object"},
      {R"({"matrix": [{"group": "g{size}", "axes": {"size": [1]}, "exclude": [{"sise": 1}]}]})",
       "matrix[0].exclude[0]: key \"sise\" is neither an axis nor a fixed key"},
      {R"({"matrix": [{"group": "g{rate}", "axes": {"size": [1]}}]})",
       "matrix[0]: placeholder {rate} in \"g{rate}\" names no axis or fixed key"},
      {R"({"matrix": [{"group": "g{size", "axes": {"size": [1]}}]})",
       "matrix[0]: unterminated placeholder"},
      {R"({"matrix": [{"group": "g", "axes": {"size": [1, 2]}}]})",
       "matrix[0]: group \"g\" is also the group of another scenario"},
      {R"({"scenarios": [{"group": "g1"}], "matrix": [{"group": "g{size}", "axes": {"size": [1]}}]})",
       "matrix[0]: group \"g1\" is also the group of another scenario"},
      {R"({"matrix": [{"group": "a{x}", "axes": {"x": [1]}}, {"group": "a{x}", "axes": {"x": [1]}}]})",
       "matrix[1]: group \"a1\" is also"},
  };
  for (const auto& [text, message] : cases) {
    const std::string error = error_of(text);
    EXPECT_TRUE(contains(error, message)) << text << "\n  got: " << error;
    EXPECT_EQ(error.rfind("suite: ", 0), 0u) << error;
  }
}

/// `n` distinct values for an axis.
json axis(int n) {
  json values = json::array();
  for (int i = 0; i < n; ++i) values.push_back(i);
  return values;
}

TEST(SuiteMatrix, ScenarioLimit) {
  json doc = {{"matrix", json::array({{{"group", "g{a}-{b}"},
                                       {"axes", {{"a", axis(100)}, {"b", axis(100)}}}}})}};
  EXPECT_EQ(expand_suite(doc)["scenarios"].size(), 10000u);
  doc["matrix"].push_back({{"group", "h{a}"}, {"axes", {{"a", axis(1)}}}});
  try {
    expand_suite(doc);
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "matrix[1]: more than 10000 expanded scenarios")) << e.what();
  }
  // A huge product is refused before it is enumerated.
  const json huge = {
      {"matrix",
       json::array({{{"group", "g{a}{b}{c}"},
                     {"axes", {{"a", axis(1000)}, {"b", axis(1000)}, {"c", axis(1000)}}}}})}};
  try {
    expand_suite(huge);
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "matrix[0]: more than")) << e.what();
  }
  // Excludes count: 101 x 100 minus one row of 100 is within the limit.
  json trimmed = {{"matrix", json::array({{{"group", "g{a}-{b}"},
                                           {"axes", {{"a", axis(101)}, {"b", axis(100)}}},
                                           {"exclude", json::array({{{"a", 100}}})}}})}};
  EXPECT_EQ(expand_suite(trimmed)["scenarios"].size(), 10000u);
}

}  // namespace
}  // namespace pushbench::loadgen
