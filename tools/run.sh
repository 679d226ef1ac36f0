#!/usr/bin/env bash
# README command 1: install what is missing, build, run the main job.
# Extra arguments go to accsim (default: --config configs/small.json).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/tools/install_deps.sh"
"$root/tools/build.sh" "$root/build"
cd "$root"
if [ $# -eq 0 ]; then set -- --config configs/small.json; fi
exec "$root/build/tools/accsim" "$@"
