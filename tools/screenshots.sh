#!/usr/bin/env bash
# Takes the README's screenshots of the workbench under a real X server with a window manager
# (Xvfb + openbox), at 1280x720 and at 1920x1080 with QT_SCALE_FACTOR=1.5:
#   retry-417   the server refuses the expectation, the client repeats without Expect (R6)
#   stall-1s    the server ignores Expect, the client waits out its 1 s timeout (R5)
#   early-413   the server answers 413 before a 10 MiB body (R21)
#   matrix      the Matrix tab after a run
#   https       the server serves HTTPS (its TLS switch): the handshake is its own phase on the timeline
#   proxy       the client through the recording proxy in answer-100 mode (Envoy's) to a server that
#               would refuse: three lanes, the proxy's own 100 and its stripped Expect (issue 16)
# Usage: tools/screenshots.sh [BUILD_DIR] [OUT_DIR]   (defaults: build, docs/screenshots)
# Each scenario starts the app with its own settings folder, so the user's settings are untouched.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
out="${2:-$root/docs/screenshots}"
app="$build/app/expectlab"
[ -x "$app" ] || { echo "screenshots: no $app; build first" >&2; exit 1; }
source "$root/tools/deps.sh"
expectlab_install_packages "${EXPECTLAB_SCREENSHOT_PACKAGES[@]}"
mkdir -p "$out"
display=:87
work="$(mktemp -d)"
cleanup() {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2> /dev/null || true
  [ -n "${wm_pid:-}" ] && kill "$wm_pid" 2> /dev/null || true
  [ -n "${x_pid:-}" ] && kill "$x_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# settings POLICY BODY_COUNT BODY_UNIT(1 KiB, 2 MiB) TIMEOUT_MS RETRY [TLS] [PROXY_MODE]
settings() {
  rm -rf "$work/config" "$work/data" # no autosave of the last shot is offered back
  mkdir -p "$work/config/ExpectLab"
  cat > "$work/config/ExpectLab/ExpectLab.conf" << EOF
[server]
policy=$1
tls=${6:-false}

[client]
method=POST
bodyKind=3
bodyCount=$2
bodyUnit=$3
expect=true
expectValue=100-continue
expectTimeoutMs=$4
retry=$5
viaProxy=$([ -n "${7:-}" ] && echo true || echo false)

[proxy]
mode=${7:-transparent}
EOF
}

# shot NAME WIDTH HEIGHT SCALE WAIT_S KEYS...
shot() {
  local name=$1 width=$2 height=$3 scale=$4 wait_s=$5
  shift 5
  Xvfb "$display" -screen 0 "${width}x${height}x24" -nolisten tcp > /dev/null 2>&1 &
  x_pid=$!
  for _ in $(seq 50); do DISPLAY=$display xdotool getdisplaygeometry > /dev/null 2>&1 && break; sleep 0.1; done
  DISPLAY=$display openbox > /dev/null 2>&1 &
  wm_pid=$!
  DISPLAY=$display XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" QT_QPA_PLATFORM=xcb \
    QT_SCALE_FACTOR="$scale" "$app" > "$work/app.log" 2>&1 &
  app_pid=$!
  DISPLAY=$display xdotool search --sync --onlyvisible --name ExpectLab > /dev/null
  sleep 1.5 # the window maps, the server starts listening
  for key in "$@"; do
    DISPLAY=$display xdotool key --clearmodifiers "$key"
    sleep 0.4
  done
  sleep "$wait_s"
  DISPLAY=$display import -window root "$out/$name.png"
  kill "$app_pid" "$wm_pid" "$x_pid" 2> /dev/null || true
  wait "$app_pid" "$wm_pid" "$x_pid" 2> /dev/null || true
  app_pid= wm_pid= x_pid=
  echo "screenshots: $out/$name.png"
}

for size in "1280 720 1 1280x720" "1920 1080 1.5 1920x1080-scale1.5"; do
  read -r w h scale tag <<< "$size"
  settings reject 64 1 1000 true
  shot "retry-417-$tag" "$w" "$h" "$scale" 2 ctrl+Return
  settings ignore 64 1 1000 false
  shot "stall-1s-$tag" "$w" "$h" "$scale" 3 ctrl+Return
  settings final:413 10 2 1000 false
  shot "early-413-$tag" "$w" "$h" "$scale" 3 ctrl+Return
  settings continue 64 1 1000 true
  shot "matrix-$tag" "$w" "$h" "$scale" 25 ctrl+3 alt+r
  settings continue 64 1 1000 false true
  shot "https-$tag" "$w" "$h" "$scale" 2 ctrl+Return
  settings reject 64 1 1000 true false answer-100
  shot "proxy-$tag" "$w" "$h" "$scale" 2 ctrl+Return
done
