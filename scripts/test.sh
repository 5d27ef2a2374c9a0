#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test with ctest,
# first in a Release build, then in an AddressSanitizer + UndefinedBehaviorSanitizer build, then
# every libFuzzer target for a few seconds (tests/fuzz/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
jobs="$(nproc)"

BUILD_DIR="$root/build" "$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure -j "$jobs")

if [[ "${PUSHBENCH_SKIP_SANITIZE:-0}" != "1" ]]; then
  BUILD_DIR="$root/build-sanitize" "$root/scripts/build.sh" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPUSHBENCH_SANITIZE=ON -DPUSHBENCH_BENCH=OFF
  (cd "$root/build-sanitize" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --output-on-failure -j "$jobs")
fi

# Third, small build: the libFuzzer targets (clang, ASan+UBSan; libraries and targets only), each
# run for a few seconds over its seed corpus (tests/fuzz/). PUSHBENCH_FUZZ_SECONDS sets how long.
if [[ "${PUSHBENCH_SKIP_FUZZ:-0}" != "1" ]]; then
  BUILD_DIR="$root/build-fuzz" CXX=clang++ "$root/scripts/build.sh" -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPUSHBENCH_FUZZ=ON \
    -DPUSHBENCH_FUZZ_SECONDS="${PUSHBENCH_FUZZ_SECONDS:-3}"
  (cd "$root/build-fuzz" && ctest --output-on-failure -j "$jobs" -L fuzz)
fi
