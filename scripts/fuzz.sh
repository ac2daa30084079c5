#!/usr/bin/env bash
# Runs libFuzzer targets under AddressSanitizer and UBSan for a time:
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   scripts/fuzz.sh all SECONDS      (every target, as many at once as there are cores)
#   scripts/fuzz.sh csv,sgf SECONDS  (a list, the same way)
# TARGET is one of: safetensors csv json npy idx tar gzip config sgf gtp. A campaign starts
# from the committed seeds (fuzz/corpus/TARGET), keeps what it learns in build-fuzz/corpus/TARGET
# and writes any crashing input to build-fuzz/findings/TARGET/ (then exits non-zero). The last
# lines of build-fuzz/fuzz-TARGET.log give the executions and the time (-print_final_stats).
set -euo pipefail
cd "$(dirname "$0")/.."
targets="safetensors csv json npy idx tar gzip config sgf gtp image conllu audio landscape translate tts tts_metadata go_policy match_results"
usage="usage: scripts/fuzz.sh TARGET|all|T1,T2,... SECONDS [libFuzzer flags]; TARGET: $targets"
if [[ $# -lt 2 ]]; then
    echo "$usage" >&2
    exit 2
fi
target="$1"
seconds="$2"
shift 2
if [[ "$target" == all ]]; then
    chosen="$targets"
else
    chosen="${target//,/ }"
fi
for t in $chosen; do
    if [[ " $targets " != *" $t "* ]]; then
        echo "unknown target $t; $usage" >&2
        exit 2
    fi
done
bash scripts/setup.sh --with-fuzz
build_targets=""
for t in $chosen; do build_targets+=" kaya_fuzz_$t"; done
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DKAYA_FUZZ=ON -DKAYA_BUILD_TESTS=OFF \
    -DKAYA_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
# shellcheck disable=SC2086
cmake --build build-fuzz -j "$(getconf _NPROCESSORS_ONLN)" --target $build_targets
# One thread per process: the fuzzer's own speed, not OpenMP's, and a campaign per core.
export KAYA_NUM_THREADS=1 OMP_NUM_THREADS=1
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
run_one() {
    local t="$1"
    shift
    mkdir -p "build-fuzz/corpus/$t" "build-fuzz/findings/$t"
    local rc=0
    "./build-fuzz/fuzz/kaya_fuzz_$t" "build-fuzz/corpus/$t" "fuzz/corpus/$t" \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="build-fuzz/findings/$t/" "$@" > "build-fuzz/fuzz-$t.log" 2>&1 || rc=$?
    echo "$t: $(grep -h 'stat::number_of_executed_units' "build-fuzz/fuzz-$t.log" | awk '{print $2}') inputs" \
        "in ${seconds} s, exit $rc ($(ls "build-fuzz/findings/$t" | wc -l) findings)"
    return $rc
}
if [[ "$chosen" != *" "* ]]; then
    run_one "$chosen" "$@"
    exit $?
fi
# Campaigns in groups of as many as there are cores, each group waited for in full.
status=0
run_group() {
    local pids=()
    for g in "$@"; do
        run_one "$g" "${flags[@]}" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || status=1; done
}
flags=("$@")
group=()
for t in $chosen; do
    group+=("$t")
    if ((${#group[@]} == $(getconf _NPROCESSORS_ONLN))); then
        run_group "${group[@]}"
        group=()
    fi
done
if ((${#group[@]} > 0)); then run_group "${group[@]}"; fi
exit $status
