#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing ExpectLab need, only when one is missing.
# Sourced by run-app.sh and run-tests.sh; runs apt-get as root (or through sudo).
set -euo pipefail

EXPECTLAB_BUILD_PACKAGES=(
  qt6-base-dev libqcustomplot-dev libqcustomplot2.1-qt6 node-llhttp cmake ninja-build g++ pkgconf
  # installer: the man page (help2man) and the PNG icons (rsvg-convert); the build skips them if missing.
  help2man librsvg2-bin
  # Qt's SVG plugin draws the window icon.
  libqt6svg6
)
# Peers and tools the test suite drives for real.
EXPECTLAB_TEST_PACKAGES=(
  curl python3 xauth xvfb
  # installer_deb: cpack -G DEB with shlibdeps (dpkg-dev, file), the validators, man -w, and the
  # package's Recommends so that installing the .deb pulls nothing from the network.
  dpkg-dev file desktop-file-utils appstream man-db libqt6svg6
  # libFuzzer targets (tools/run-fuzz.sh): clang and its runtime.
  clang libclang-rt-14-dev
)

expectlab_install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}
