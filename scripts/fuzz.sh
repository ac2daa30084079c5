#!/usr/bin/env bash
# Runs one libFuzzer target under AddressSanitizer and UBSan for a time:
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
# TARGET is one of: safetensors csv json npy idx tar gzip config sgf gtp. The campaign starts
# from the committed seeds (fuzz/corpus/TARGET), keeps what it learns in build-fuzz/corpus/TARGET
# and writes any crashing input to build-fuzz/findings/TARGET/ (then exits non-zero). The last
# lines of build-fuzz/fuzz-TARGET.log give the executions and the time (-print_final_stats).
set -euo pipefail
cd "$(dirname "$0")/.."
targets="safetensors csv json npy idx tar gzip config sgf gtp"
if [[ $# -lt 2 || " $targets " != *" $1 "* ]]; then
    echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer flags]; TARGET: $targets" >&2
    exit 2
fi
target="$1"
seconds="$2"
shift 2
bash scripts/setup.sh --with-fuzz
CC=clang-14 CXX=clang++-14 KAYA_TARGET="kaya_fuzz_$target" bash scripts/build.sh build-fuzz \
    -DKAYA_FUZZ=ON -DKAYA_BUILD_TESTS=OFF -DKAYA_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
mkdir -p "build-fuzz/corpus/$target" "build-fuzz/findings/$target"
# One thread per process: the fuzzer's own speed, not OpenMP's, and two campaigns fit 2 cores.
export KAYA_NUM_THREADS=1 OMP_NUM_THREADS=1
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
"./build-fuzz/fuzz/kaya_fuzz_$target" "build-fuzz/corpus/$target" "fuzz/corpus/$target" \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="build-fuzz/findings/$target/" "$@" 2>&1 | tee "build-fuzz/fuzz-$target.log"
