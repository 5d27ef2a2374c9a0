#!/usr/bin/env bash
# Installs the Debian 12 packages pushbench needs, only those missing (apt-get update first).
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache git pkg-config
  libboost1.81-dev libnghttp2-dev zlib1g-dev libssl-dev
  libbenchmark-dev libcli11-dev nlohmann-json3-dev googletest libgtest-dev
  python3 python3-matplotlib python3-websockets python3-jsonschema
  curl nghttp2-client chromium
  nginx libnginx-mod-nchan nghttp2-proxy haproxy
)
# Opt-in (PUSHBENCH_WITH_CLANG=1, set by scripts/fuzz.sh and PUSHBENCH_LIBFUZZER=1): clang and its
# libFuzzer runtime, for the coverage-guided fuzz build. The test build replays the fuzz targets
# with gcc (tests/fuzz/replay_main.cpp), so CI does not download them.
if [[ ${PUSHBENCH_WITH_CLANG:-0} == 1 ]]; then
  packages+=(clang libclang-rt-14-dev)
fi
# Opt-in (PUSHBENCH_WITH_DOCKER=1): the container-image test (tests/docker/image_test.sh), which
# starts its own dockerd. Not by default: on a systemd machine installing docker.io starts the
# system daemon, whose NAT rules turn on connection tracking for all loopback traffic.
if [[ ${PUSHBENCH_WITH_DOCKER:-0} == 1 ]]; then
  packages+=(docker.io debootstrap iptables)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "pushbench: installing ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  # nginx and haproxy ship system services: keep apt from starting them (pushbench starts its
  # own instances on ephemeral ports). A policy-rc.d that exits 101 forbids every start.
  policy=/usr/sbin/policy-rc.d
  made_policy=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    made_policy=1
  fi
  $SUDO apt-get update
  status=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}" ||
    status=$?
  if [[ -n $made_policy ]]; then $SUDO rm -f "$policy"; fi
  exit "$status"
fi
