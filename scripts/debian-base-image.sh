#!/usr/bin/env bash
# Makes a Debian 12 base image locally, without a registry: debootstrap (minbase, plus the
# runtime libraries of pushbench and of its sanitizer builds) into a root file system, packed as
# a tarball that `docker import` turns into an image. The tarball is cached.
#   scripts/debian-base-image.sh [TARBALL]      prints the tarball's path
# Default TARBALL: ${XDG_CACHE_HOME:-$HOME/.cache}/pushbench/debian12-rootfs.tar. Needs root and
# debootstrap (Debian package); fetches only from the Debian archive apt uses.
set -euo pipefail
tarball=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/pushbench/debian12-rootfs.tar}
if [[ -s $tarball ]]; then
  echo "$tarball"
  exit 0
fi
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase \
  --include=libssl3,libnghttp2-14,zlib1g,libstdc++6,libasan8,libubsan1,ca-certificates \
  bookworm "$root" "$mirror" >&2
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
mkdir -p "$(dirname "$tarball")"
tar -C "$root" --numeric-owner -cf "$tarball.part" .
mv "$tarball.part" "$tarball"
echo "$tarball"
