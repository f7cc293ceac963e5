#!/usr/bin/env bash
# Builds ExpectLab (installing missing Debian packages first) and launches the workbench window.
# Extra arguments go to the app, e.g. `tools/run-app.sh send http://127.0.0.1:8080/ --data hi`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/deps.sh"
expectlab_install_packages "${EXPECTLAB_BUILD_PACKAGES[@]}"
build="${EXPECTLAB_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" --target expectlab
exec "$build/app/expectlab" "$@"
