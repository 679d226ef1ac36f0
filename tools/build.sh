#!/usr/bin/env bash
# Configures and builds accsim. Usage: tools/build.sh BUILD_DIR [extra cmake args...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$1"; shift
# Build progress goes to stderr: stdout stays the program's own output.
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >&2
cmake --build "$dir" -j "$(nproc)" >&2
