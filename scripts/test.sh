#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test with ctest,
# first in a Release build, then in an AddressSanitizer + UndefinedBehaviorSanitizer build, then
# every fuzz target replayed over its seed corpus and mutated for a few seconds (tests/fuzz/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
jobs="$(nproc)"

BUILD_DIR="$root/build" "$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure -j "$jobs")

# -Og -g1 (line tables only): ASan+UBSan at -O1 took 2x the CPU of -Og to compile (ws_connection.cpp
# 62 s vs 32 s, h2_connection.cpp 10.0 vs 7.2 s), still with full stack traces.
if [[ "${PUSHBENCH_SKIP_SANITIZE:-0}" != "1" ]]; then
  BUILD_DIR="$root/build-sanitize" "$root/scripts/build.sh" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-Og -g1 -DNDEBUG" \
    -DPUSHBENCH_SANITIZE=ON -DPUSHBENCH_BENCH=OFF
  (cd "$root/build-sanitize" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --output-on-failure -j "$jobs")
fi

# Optional third build (PUSHBENCH_LIBFUZZER=1): the libFuzzer targets (clang, ASan+UBSan;
# libraries and targets only), each run for PUSHBENCH_FUZZ_SECONDS with coverage guidance. CI
# relies on the sanitizer build's fuzz_replay_* tests instead (same targets, same corpus).
if [[ "${PUSHBENCH_LIBFUZZER:-0}" == "1" ]]; then
  PUSHBENCH_WITH_CLANG=1 "$root/scripts/install-deps.sh"
  BUILD_DIR="$root/build-fuzz" CXX=clang++ "$root/scripts/build.sh" -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPUSHBENCH_FUZZ=ON \
    -DPUSHBENCH_FUZZ_SECONDS="${PUSHBENCH_FUZZ_SECONDS:-3}"
  (cd "$root/build-fuzz" && ctest --output-on-failure -j "$jobs" -L fuzz)
fi
