#!/usr/bin/env bash
# Installs what the AArch64 cross build (preset kernels-arm64) needs on top of tools/setup.sh:
# Debian's aarch64 cross compiler and qemu-user to run the cross-built tests. The one compiled
# library the kernel tests link, yaml-cpp, is unpacked for arm64 into build/arm64-deps (or the folder
# given) rather than installed: Debian's libyaml-cpp-dev is not co-installable across architectures,
# and installing the arm64 one would remove the host's. Idempotent.
#
#   bash tools/setup-arm64.sh [DEPS_FOLDER]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
deps=${1:-$repo/build/arm64-deps}

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# apt can download arm64 packages only once the architecture is known to dpkg; nothing is installed
# for it here.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "setup-arm64: adding the arm64 architecture to dpkg (for downloading arm64 packages)"
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -qq
fi
source "$repo/tools/apt_packages.sh"
install_missing_packages setup-arm64 g++-aarch64-linux-gnu qemu-user

if [ ! -f "$deps/usr/lib/aarch64-linux-gnu/cmake/yaml-cpp/yaml-cpp-config.cmake" ]; then
    echo "setup-arm64: unpacking yaml-cpp for arm64 into $deps"
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    (cd "$download" && apt-get download -qq libyaml-cpp-dev:arm64 libyaml-cpp0.7:arm64)
    mkdir -p "$deps"
    for deb in "$download"/*.deb; do dpkg-deb -x "$deb" "$deps"; done
fi
echo "setup-arm64: ready (arm64 libraries in $deps)"
