#!/usr/bin/env bash
# README command 2: install dependencies, build, and run the whole test suite with ctest.
# scripts/test.sh --sanitize runs it under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [[ "${1:-}" == "--sanitize" ]]; then
    bash scripts/build.sh build-asan -DKAYA_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAYA_BUILD_BENCH=OFF
    # OpenBLAS's runtime keeps thread-local allocations alive at exit; leaks are not errors here.
    ASAN_OPTIONS=detect_leaks=0 ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
else
    bash scripts/build.sh build
    ctest --test-dir build --output-on-failure -j "$(nproc)"
fi
