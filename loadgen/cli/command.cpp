#include "loadgen/cli/command.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <type_traits>

#include "loadgen/run/progress.hpp"

namespace pushbench::loadgen::cli {

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += argv[i];
  }
  return s;
}

nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read report '" + path + "'");
  try {
    auto j = nlohmann::json::parse(in);
    if (!j.is_object() || !j.contains("scenarios")) {
      throw std::runtime_error("'" + path + "' is not a pushbench report (no scenarios)");
    }
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("report '" + path + "' is not valid JSON: " + e.what());
  }
}

std::optional<double> parse_threshold(std::string s) {
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size() || v < 0) return std::nullopt;
    return percent ? v / 100 : v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string sibling_server() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "pushbench-server";
  return (self.parent_path() / "pushbench-server").string();
}

void add_progress_option(CLI::App& sub, std::string& mode) {
  sub.add_option("--progress", mode,
                 "live progress line on stderr: auto (when stderr is a terminal), always or never")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

void add_setting_option(CLI::App& sub, const Setting& row, WorkloadSettings& values) {
  std::visit(
      [&](auto ref) {
        auto& value = ref(values);
        using T = typename SettingValue<std::decay_t<decltype(value)>>::type;
        CLI::Option* option = sub.add_option(row.flag, value, row.help);
        if (row.show_default) option->capture_default_str();
        if constexpr (std::is_arithmetic_v<T>) {
          if (row.range) {
            option->check(
                CLI::Range(static_cast<T>(row.range->first), static_cast<T>(row.range->second)));
          }
        }
        if (row.choices) option->check(CLI::IsMember(row.choices()));
      },
      row.field);
}

bool progress_enabled(const std::string& mode) {
  return mode == "always" || (mode == "auto" && stderr_is_tty());
}

}  // namespace pushbench::loadgen::cli
