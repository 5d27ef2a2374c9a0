// Fuzzes suite files as `pushbench run --suite FILE` reads them (loadgen::load_suite: the file,
// matrix expansion in written order, then parse_suite).
// Invariants: a bad suite is a std::runtime_error (the documented contract; the CLI prints it),
// never another exception or a crash; a suite that loads has scenarios with a group and at least
// one known transport.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "loadgen/suite/runner.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

char g_dir[] = "/tmp/pushbench-suite-fuzz-XXXXXX";

/// A private file the input is written to (load_suite reads a path); removed at exit.
const std::string& suite_path() {
  static const std::string path = [] {
    FUZZ_CHECK(mkdtemp(g_dir) != nullptr);
    std::atexit([] {
      std::remove((std::string(g_dir) + "/suite.json").c_str());
      rmdir(g_dir);
    });
    return std::string(g_dir) + "/suite.json";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(suite_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const auto suite = pushbench::loadgen::load_suite(suite_path());
    for (const auto& s : suite.scenarios) {
      FUZZ_CHECK(!s.group.empty());
      for (const auto& t : s.transports) FUZZ_CHECK(t == "sse" || t == "ws" || t == "raw");
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
