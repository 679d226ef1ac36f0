#!/usr/bin/env bash
# README command 2: install what is missing, build, run the whole test suite, then
# rebuild and rerun it under AddressSanitizer + UndefinedBehaviorSanitizer.
# ACCSIM_SKIP_SANITIZE=1 skips the second pass (quick local runs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/tools/install_deps.sh"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
jobs="$(nproc)"

"$root/tools/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure -j "$jobs")

if [ "${ACCSIM_SKIP_SANITIZE:-0}" != 1 ]; then
  "$root/tools/build.sh" "$root/build-sanitize" -DACCSIM_SANITIZE=ON -DACCSIM_BUILD_BENCH=OFF
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd "$root/build-sanitize" && ctest --output-on-failure -j "$jobs")
fi
echo "accsim: all tests passed"
