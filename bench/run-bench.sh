#!/usr/bin/env bash
# Builds ExpectLab's benchmarks and runs them all in one go, side by side, so that the ratios hold on
# a noisy machine. Installs the peers it needs (nginx with its echo module, iperf3, tshark, curl,
# hyperfine) with apt-get. Prints Markdown tables; README.md's "Performance" section shows a run.
#
#   bench/run-bench.sh [BUILD_DIR]          (default build-bench; SIZE, COUNT and REPEATS env vars)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build-bench}"
size="${SIZE:-1G}"
count="${COUNT:-10000}"
repeats="${REPEATS:-3}"

# shellcheck source=../tools/deps.sh
source "$here/tools/deps.sh"
expectlab_install_packages "${EXPECTLAB_BUILD_PACKAGES[@]}"
# (noninteractive: tshark's "may non-root users capture?" takes its default, no; we capture as root)
expectlab_install_packages "${EXPECTLAB_BENCH_PACKAGES[@]}"

# A new build folder gets an optimised build without the test suites; an existing one keeps its settings.
if [ -f "$build/CMakeCache.txt" ]; then
  cmake -S "$here" -B "$build" -DEXPECTLAB_BUILD_BENCH=ON >/dev/null
else
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEXPECTLAB_BUILD_TESTS=OFF -DEXPECTLAB_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build" -j2 --target expectlab bench_upload bench_handshake bench_proxy bench_fidelity bench_timeline bench_startup

b="$build/bench"
echo "# ExpectLab benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r)"
echo "uptime: $(uptime)"
"$b/bench_upload" "$size" "$repeats"
"$b/bench_handshake" "$count"
"$b/bench_proxy" "$size" "$repeats"
"$b/bench_fidelity"
"$b/bench_timeline" "$count"

echo
echo "## Start-up to the first painted window, offscreen  (load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
QT_QPA_PLATFORM=offscreen "$b/bench_startup"
QT_QPA_PLATFORM=offscreen hyperfine --style basic --warmup 3 --runs 20 --export-markdown /dev/stdout \
  "$b/bench_startup --quiet" 2>/dev/null | sed -n '/^|/p'
echo "uptime: $(uptime)"
