// A driver for the fuzz targets in builds without libFuzzer (gcc, the ASan+UBSan test build):
// runs every input of the seed corpus, then mutates them at random (byte flips, inserts, erases,
// copies, splices, dictionary tokens) until the time is up. No coverage guidance: this is the
// bounded CI smoke that keeps every target compiling and every corpus entry passing under the
// sanitizers; campaigns that search use libFuzzer (scripts/fuzz.sh).
//
// Usage: fuzz_replay_<target> [--seconds S] [--seed N] [--dict FILE] [--crash-prefix P] DIR...
// Exit status 0 when every input passed; a failing input aborts (the sanitizer's report), and is
// first written to P<hash> so it can be replayed and added to the corpus as regress-*.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// The sanitizers' hook, when they are linked in (weak: the driver also links without them).
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

/// The input being run (so the death callback can save it) and where it goes.
std::string g_current;
std::string g_crash_prefix = "crash-";

bool g_saved = false;

void save_current() {
  if (g_saved) return;
  g_saved = true;
  const auto name = g_crash_prefix + std::to_string(std::hash<std::string>{}(g_current));
  if (std::FILE* f = std::fopen(name.c_str(), "wb")) {
    std::fwrite(g_current.data(), 1, g_current.size(), f);
    std::fclose(f);
    std::fprintf(stderr, "fuzz replay: failing input (%zu bytes) saved as %s\n", g_current.size(),
                 name.c_str());
  }
}

/// A failed invariant (FUZZ_CHECK) aborts without the sanitizers' report: save the input too.
void on_abort(int) {
  save_current();
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

/// Command-line settings.
struct Options {
  double seconds = 2;             ///< time spent mutating after the corpus replay
  std::uint64_t seed = 1;         ///< PRNG seed (a run is reproducible)
  std::string dict;               ///< optional libFuzzer-format dictionary
  std::vector<std::string> dirs;  ///< corpus directories (files read in sorted order)
};

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--seconds" && has_value) {
      o.seconds = std::stod(argv[++i]);
    } else if (a == "--seed" && has_value) {
      o.seed = std::stoull(argv[++i]);
    } else if (a == "--dict" && has_value) {
      o.dict = argv[++i];
    } else if (a == "--crash-prefix" && has_value) {
      g_crash_prefix = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "fuzz replay: unknown option %s\n", a.c_str());
      return false;
    } else {
      o.dirs.push_back(a);
    }
  }
  return !o.dirs.empty();
}

std::vector<std::string> read_corpus(const std::vector<std::string>& dirs) {
  std::vector<std::filesystem::path> paths;
  for (const auto& d : dirs) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(d, ec)) {
      if (e.is_regular_file()) paths.push_back(e.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

/// The quoted values of a libFuzzer dictionary (`name="value"` or `"value"`, `\xNN` escapes).
std::vector<std::string> read_dict(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto open = line.find('"');
    const auto close = line.rfind('"');
    if (line.empty() || line[0] == '#' || open == std::string::npos || close <= open) continue;
    std::string v;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (line[i] == '\\' && i + 1 < close && line[i + 1] == 'x' && i + 3 < close &&
          std::isxdigit(static_cast<unsigned char>(line[i + 2])) &&
          std::isxdigit(static_cast<unsigned char>(line[i + 3]))) {
        v += static_cast<char>(std::stoi(line.substr(i + 2, 2), nullptr, 16));
        i += 3;
      } else if (line[i] == '\\' && i + 1 < close) {
        v += line[++i];
      } else {
        v += line[i];
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

/// One random edit of `s` (kept under 64 KiB, as libFuzzer's default -max_len is smaller still).
void mutate(std::string& s, std::mt19937_64& rng, const std::vector<std::string>& corpus,
            const std::vector<std::string>& dict) {
  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  const std::size_t pos = pick(s.size() + 1);
  switch (rng() % 7) {
    case 0:
      if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8));
      break;
    case 1:
      if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
      break;
    case 2:
      s.insert(pos, 1 + pick(8), static_cast<char>(rng()));
      break;
    case 3:
      if (!s.empty()) s.erase(pick(s.size()), 1 + pick(16));
      break;
    case 4:
      if (!s.empty()) {
        const auto from = pick(s.size());
        s.insert(pos, s.substr(from, 1 + pick(32)));
      }
      break;
    case 5:
      if (!corpus.empty()) {
        const auto& other = corpus[pick(corpus.size())];
        s = s.substr(0, pos) + other.substr(std::min(pick(other.size() + 1), other.size()));
      }
      break;
    default:
      if (!dict.empty()) s.insert(pos, dict[pick(dict.size())]);
      break;
  }
  if (s.size() > 65536) s.resize(65536);
}

void run_one(const std::string& input) {
  g_current = input;
  // An exactly sized heap copy (as libFuzzer passes), so ASan sees a read one byte past the end.
  auto copy = std::make_unique<std::uint8_t[]>(std::max<std::size_t>(input.size(), 1));
  std::memcpy(copy.get(), input.data(), input.size());
  LLVMFuzzerTestOneInput(copy.get(), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: %s [--seconds S] [--seed N] [--dict FILE] [--crash-prefix P] DIR...\n",
                 argv[0]);
    return 2;
  }
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(save_current);
  std::signal(SIGABRT, on_abort);
  const auto corpus = read_corpus(o.dirs);
  const auto dict = o.dict.empty() ? std::vector<std::string>{} : read_dict(o.dict);
  for (const auto& input : corpus) run_one(input);
  run_one("");

  std::mt19937_64 rng(o.seed);
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.seconds);
  std::uint64_t runs = corpus.size() + 1;
  std::string input;
  while (!corpus.empty() && std::chrono::steady_clock::now() < end) {
    input = corpus[rng() % corpus.size()];
    for (int edits = 1 + static_cast<int>(rng() % 8); edits > 0; --edits) {
      mutate(input, rng, corpus, dict);
    }
    run_one(input);
    ++runs;
  }
  std::printf(
      "fuzz replay: %zu corpus inputs and %llu runs in all passed (%zu dictionary tokens)\n",
      corpus.size(), static_cast<unsigned long long>(runs), dict.size());
  return 0;
}
