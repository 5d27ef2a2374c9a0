#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, tests/fuzz/) into build-fuzz/ and runs each for
# SECONDS (default 60) over its checked-in seed corpus plus what earlier runs found
# (build-fuzz/tests/fuzz/corpus/<target>/). Crashes are saved as build-fuzz/tests/fuzz/crash-*.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (FUZZ_JOBS=N runs N targets at once)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
build="${BUILD_DIR:-$root/build-fuzz}"
PUSHBENCH_WITH_CLANG=1 "$root/scripts/install-deps.sh"
BUILD_DIR="$build" CXX=clang++ "$root/scripts/build.sh" -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPUSHBENCH_FUZZ=ON -DPUSHBENCH_FUZZ_SECONDS="$seconds"
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in "$root"/tests/fuzz/*_fuzz.cpp; do
    n="$(basename "$f" _fuzz.cpp)"
    [[ "$n" == client_session ]] && targets+=(h1_client h2_client) || targets+=("$n")
  done
fi
regex="^fuzz_($(IFS='|'; echo "${targets[*]}"))\$"
# -V shows each target's final libFuzzer line (executions, exec/s, cov, ft); failures keep
# their reproducer in crash-* beside the build's corpus.
cd "$build" && ctest -R "$regex" -j "${FUZZ_JOBS:-1}" -V --timeout $((seconds * 4 + 60)) |
  grep -E "^[0-9]+: #[0-9]+ +DONE|Test +#|tests passed|SUMMARY|invariant failed"
