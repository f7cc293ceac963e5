#!/usr/bin/env bash
# Builds ExpectLab and every test (installing missing Debian packages first), then runs them all.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/deps.sh"
expectlab_install_packages "${EXPECTLAB_BUILD_PACKAGES[@]}" "${EXPECTLAB_TEST_PACKAGES[@]}"
build="${EXPECTLAB_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build"
export QT_QPA_PLATFORM=offscreen
cd "$build"
ctest --output-on-failure --timeout 600
