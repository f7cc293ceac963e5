#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS (default 20) on a copy of the
# seed corpus in tests/fuzz/corpus. Fails on any crash, leak or sanitizer report. Needs clang and
# libclang-rt-14-dev (tools/deps.sh installs them); without clang it says so and exits 0.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-20}"
build="${EXPECTLAB_FUZZ_BUILD_DIR:-$root/build-fuzz}"
if ! command -v clang++ >/dev/null 2>&1; then
  echo "run-fuzz: clang++ not found: fuzzing skipped"
  exit 0
fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXPECTLAB_FUZZ=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" >/dev/null
cmake --build "$build" --target fuzz_server fuzz_client fuzz_proxy
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for target in fuzz_server fuzz_client fuzz_proxy; do
  corpus="$work/${target#fuzz_}"
  mkdir -p "$corpus"
  cp "$root/tests/fuzz/corpus/${target#fuzz_}/"* "$corpus/"
  echo "run-fuzz: $target for $seconds s"
  if ! (cd "$work" && "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
          -print_final_stats=1 "$corpus" 2>"$work/$target.log"); then
    echo "run-fuzz: $target FAILED; the end of its log:"
    tail -n 60 "$work/$target.log"
    cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$root/build-fuzz/" 2>/dev/null || true
    status=1
  else
    grep -E "^stat::(number_of_executed_units|peak_rss_mb)|cov:" "$work/$target.log" | tail -n 3 || true
  fi
done
exit $status
