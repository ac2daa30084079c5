#!/usr/bin/env bash
# Installs everything Kaya needs from Debian 12's packages. Idempotent: only missing packages
# are fetched. Usage: scripts/setup.sh [--with-torch] [--with-fuzz]   (--with-torch adds the
# PyTorch oracle used by tools/gen_reference.py, tools/load_in_pytorch.py and bench/compare.py,
# and libtorch for compare.py's C++ peer (bench/libtorch);
# --with-fuzz adds clang with libFuzzer for scripts/fuzz.sh. Kaya itself
# never needs either).
set -euo pipefail

packages=(
    ca-certificates build-essential g++ cmake ninja-build git pkg-config
    libopenblas-openmp-dev libopenblas0-openmp   # CBLAS; any variant works (kernels/blas/blas_setup.h)
    libgtest-dev libgmock-dev libbenchmark-dev
    libcli11-dev libtomlplusplus-dev zlib1g-dev   # kaya CLI: arguments, configs, gzip
    libstb-dev                                    # image files: PNG, JPEG, ... (stb_image; public domain / MIT)
    libsndfile1-dev libsamplerate0-dev            # audio files (LGPL, linked dynamically) and resampling (BSD-2)
    libopenmpi-dev openmpi-bin                    # data-parallel training over MPI (Open MPI: BSD-3; optional in CMake)
    espeak-ng                                     # the text-to-speech corpus's speaker (GPL-3: run as a program, never linked)
    dataset-fashion-mnist                         # embedded default data for kaya tour
    gnugo                                         # Go: opponent, referee, self-play games (run as a GTP process, not linked)
)
for arg in "$@"; do
    case "$arg" in
        # Recommended packages matter: without them torch falls back to a reference BLAS.
        --with-torch) packages+=(python3 python3-numpy python3-torch python3-torchaudio libtorch-dev) ;;
        --with-fuzz) packages+=(clang-14 libclang-rt-14-dev llvm-14) ;;
        *) echo "setup: unknown option $arg (use --with-torch, --with-fuzz)" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then sudo=sudo; else sudo=; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    $sudo apt-get install -y -q "${missing[@]}"
else
    echo "setup: all packages present"
fi
