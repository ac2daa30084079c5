#!/usr/bin/env bash
# README command 1: install dependencies, build, and run the main job on its embedded default
# (for now: an MLP trained with the engine, printing its loss falling).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build
./build/apps/kaya_example
