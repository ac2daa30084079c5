#!/usr/bin/env bash
# Runs libFuzzer targets under AddressSanitizer and UBSan for a time:
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   scripts/fuzz.sh all SECONDS      (every target, as many at once as there are cores)
# TARGET is one of: safetensors csv json npy idx tar gzip config sgf gtp. A campaign starts
# from the committed seeds (fuzz/corpus/TARGET), keeps what it learns in build-fuzz/corpus/TARGET
# and writes any crashing input to build-fuzz/findings/TARGET/ (then exits non-zero). The last
# lines of build-fuzz/fuzz-TARGET.log give the executions and the time (-print_final_stats).
set -euo pipefail
cd "$(dirname "$0")/.."
targets="safetensors csv json npy idx tar gzip config sgf gtp"
if [[ $# -lt 2 || " all $targets " != *" $1 "* ]]; then
    echo "usage: scripts/fuzz.sh TARGET|all SECONDS [libFuzzer flags]; TARGET: $targets" >&2
    exit 2
fi
target="$1"
seconds="$2"
shift 2
bash scripts/setup.sh --with-fuzz
build_targets=""
for t in $targets; do
    if [[ "$target" == all || "$target" == "$t" ]]; then build_targets+=" kaya_fuzz_$t"; fi
done
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DKAYA_FUZZ=ON -DKAYA_BUILD_TESTS=OFF \
    -DKAYA_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
# shellcheck disable=SC2086
cmake --build build-fuzz -j "$(nproc)" --target $build_targets
# One thread per process: the fuzzer's own speed, not OpenMP's, and a campaign per core.
export KAYA_NUM_THREADS=1 OMP_NUM_THREADS=1
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
run_one() {
    local t="$1"
    shift
    mkdir -p "build-fuzz/corpus/$t" "build-fuzz/findings/$t"
    "./build-fuzz/fuzz/kaya_fuzz_$t" "build-fuzz/corpus/$t" "fuzz/corpus/$t" \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="build-fuzz/findings/$t/" "$@" > "build-fuzz/fuzz-$t.log" 2>&1
    local rc=$?
    echo "$t: $(grep -h 'stat::number_of_executed_units' "build-fuzz/fuzz-$t.log" | awk '{print $2}') inputs" \
        "in ${seconds} s, exit $rc ($(ls "build-fuzz/findings/$t" | wc -l) findings)"
    return $rc
}
if [[ "$target" != all ]]; then
    run_one "$target" "$@"
    exit $?
fi
status=0
running=0
for t in $targets; do
    run_one "$t" "$@" &
    running=$((running + 1))
    if ((running >= $(nproc))); then
        wait -n || status=1
        running=$((running - 1))
    fi
done
while ((running > 0)); do
    wait -n || status=1
    running=$((running - 1))
done
exit $status
