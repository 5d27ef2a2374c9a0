#!/usr/bin/env bash
# Installs the Debian 12 packages pushbench needs, only those missing (apt-get update first).
set -euo pipefail
packages=(
  build-essential cmake ccache git pkg-config
  libboost1.81-dev libnghttp2-dev zlib1g-dev libssl-dev
  libbenchmark-dev libcli11-dev nlohmann-json3-dev googletest libgtest-dev
  python3 python3-matplotlib python3-websockets python3-jsonschema
  curl nghttp2-client
  clang libclang-rt-14-dev
)
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
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
