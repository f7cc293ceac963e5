#!/usr/bin/env bash
# Builds ExpectLab and every test (installing missing Debian packages first), then runs them all:
#   1. the test suite (ctest) in build/;
#   2. the same suite built with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/
#      (installer tests excluded: they package the plain build);
#   3. each libFuzzer target for 20 seconds (tools/run-fuzz.sh; FUZZ_SECONDS changes it).
# The benchmarks are not built here (bench/run-bench.sh builds and runs them): CI's 30 minutes go to tests.
# Set EXPECTLAB_SKIP_SANITIZE=1 or EXPECTLAB_SKIP_FUZZ=1 to leave a stage out on a developer machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/deps.sh"
expectlab_install_packages "${EXPECTLAB_BUILD_PACKAGES[@]}" "${EXPECTLAB_TEST_PACKAGES[@]}"
build="${EXPECTLAB_BUILD_DIR:-$root/build}"
export QT_QPA_PLATFORM=offscreen
status=0
# CI has 2 cores: build and run on both, and say how long each stage took so that growth is seen early.
jobs="${EXPECTLAB_TEST_JOBS:-2}"
stage_start=$SECONDS
stage_done() { echo "-- $1 took $((SECONDS - stage_start)) s (total $SECONDS s)"; stage_start=$SECONDS; }
stage_done "installing packages"

echo "== 1/3 test suite"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXPECTLAB_BUILD_BENCH=OFF
cmake --build "$build"
stage_done "build"
(cd "$build" && ctest -j"$jobs" --output-on-failure --timeout 600) || status=1
stage_done "test suite"

if [ "${EXPECTLAB_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== 2/3 test suite under AddressSanitizer + UndefinedBehaviorSanitizer"
  asan="${EXPECTLAB_ASAN_BUILD_DIR:-$root/build-asan}"
  # -O1 -g1: line tables are all a sanitizer report needs, and the build takes far less than -O2 -g.
  cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXPECTLAB_SANITIZE=ON \
    -DEXPECTLAB_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
  cmake --build "$asan"
  stage_done "sanitizer build"
  # Leaks inside system libraries (fontconfig, D-Bus) are theirs, not ours: see the suppressions file.
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  (cd "$asan" && ctest -j"$jobs" --output-on-failure --timeout 900 -LE installer) || status=1
  stage_done "sanitizer test suite"
  unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
fi

if [ "${EXPECTLAB_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== 3/3 fuzzing"
  "$root/tools/run-fuzz.sh" || status=1
  stage_done "fuzzing"
fi

[ $status -eq 0 ] && echo "run-tests: all stages passed" || echo "run-tests: FAILED (see above)"
exit $status
