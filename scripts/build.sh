#!/usr/bin/env bash
# Configures and builds Kaya. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
# KAYA_TARGET=kaya builds only that target (the main job needs the binary, not the tests and
# benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
shift || true
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$dir" -j "$(nproc)" ${KAYA_TARGET:+--target "$KAYA_TARGET"}
