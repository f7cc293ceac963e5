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
  # TLS (issue 15): Qt's OpenSSL backend loads libssl at run time; the certificate generator links
  # OpenSSL's library (Qt cannot create certificates).
  libssl-dev
)
# Peers and tools the test suite drives for real.
EXPECTLAB_TEST_PACKAGES=(
  curl python3 xauth xvfb
  # TLS tests: certificates for nginx and Apache made with `openssl req`.
  openssl
  # installer_deb: cpack -G DEB with shlibdeps (dpkg-dev, file), the validators, lintian, man -w, and the
  # package's Recommends so that installing the .deb pulls nothing from the network.
  dpkg-dev file desktop-file-utils appstream man-db libqt6svg6 lintian
  # libFuzzer targets (tools/run-fuzz.sh): clang and its runtime.
  clang libclang-rt-14-dev
  # The probe's interop suite (tests/probe): real servers, started in the foreground from temp dirs.
  nginx-light apache2 lighttpd nodejs
  # Peers issue 12 names (tests/probe/tst_probepeers.cpp and the profiler's clients): Caddy 2.6,
  # aiohttp 3.8 and httpx for Debian's own python3, Varnish 7.1.
  caddy python3-aiohttp python3-httpx varnish
  # Tomcat 10.1 (and the Java runtime it depends on), the other server of issue 12's case 14.
  tomcat10
  # tests/timing: the loopback capture that recorded times are held against.
  tshark
  # The recording proxy's comparisons with the intermediaries it reproduces (issue 16,
  # tests/proxy/tst_intermediaries.cpp): HAProxy 2.6 and Squid 5.7 besides nginx, Apache, Varnish, Caddy.
  haproxy squid
)
# Peers and tools of the benchmarks (bench/run-bench.sh installs them; the test suite does not need them).
EXPECTLAB_BENCH_PACKAGES=(
  nginx libnginx-mod-http-echo iperf3 tshark curl hyperfine time
  # bench_proxy: the recording proxy beside HAProxy and nginx as reverse proxies (issue 16).
  haproxy
)

# The README's screenshots (tools/screenshots.sh): a real X server, a window manager, key presses, capture.
EXPECTLAB_SCREENSHOT_PACKAGES=(
  xvfb openbox xdotool imagemagick
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
  # Debian starts nginx, apache2 and lighttpd on port 80 when it installs them; two on one port fail
  # to configure and make apt-get fail. The tests run their own instances, so no service needs to
  # start: a policy-rc.d that exits 101 forbids it, for this install only.
  local policy=/usr/sbin/policy-rc.d added="" rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy" && added=1
  fi
  # A machine whose last dpkg run was interrupted refuses every install until the pending packages
  # are configured; finishing that is what an admin would do by hand, and a no-op otherwise.
  $sudo dpkg --configure -a || rc=$?
  [ $rc -ne 0 ] || $sudo apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?
  if [ -n "$added" ]; then $sudo rm -f "$policy"; fi
  return $rc
}
