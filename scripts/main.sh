#!/usr/bin/env bash
# README command 1: install dependencies, build, and run the main job on its embedded default
# (kaya tour: every application briefly, on data the machine has or the project makes, then
# report/index.html). It builds only the kaya binary; scripts/build.sh builds everything, the
# engine-only example build/apps/kaya_example included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
KAYA_TARGET=kaya bash scripts/build.sh build   # only the binary: tests and benchmarks are test.sh's
./build/apps/kaya tour --out report
echo "open report/index.html in a browser"
