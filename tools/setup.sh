#!/usr/bin/env bash
# Installs every Debian package rwkvt needs to build, test and run. Idempotent: packages already
# present are left alone, and apt's lists are refreshed only when something is missing.
set -euo pipefail

packages=(
    # build
    cmake ninja-build g++ pkg-config
    # kernels: Halide 14 (brings LLVM) and its runtime headers
    libhalide14-0-dev
    # libraries
    libeigen3-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev
    libsndfile1-dev libsamplerate0-dev
    # tests
    doctest-dev
    # audio tools used by scripts and tests (rendering, conversion)
    sox espeak-ng
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} packages are installed"
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
