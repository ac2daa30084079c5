// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace kaya::kernels {

// What the BLAS loaded into this process is, found at run time: Debian installs OpenBLAS in
// several variants (OpenMP, pthreads, serial) behind one soname, and installing an unrelated
// package can switch the variant after Kaya was built.
struct BlasInfo {
    std::string library;    // the shared object the matrix products come from
    std::string config;     // openblas_get_config(): version, DYNAMIC_ARCH, MAX_THREADS, ...
    std::string core;       // the kernel set in use (openblas_get_corename)
    std::string threading;  // "OpenMP", "pthreads" or "sequential"
    std::string environment;  // the OPENBLAS_* variables set for this process, or "none"
};
BlasInfo blas_info();

// True when the loaded OpenBLAS runs AVX-512 kernels (core SkylakeX, Cooperlake or
// SapphireRapids). False when it was held to AVX2 kernels, e.g. by OPENBLAS_CORETYPE=Haswell on
// an AVX-512 CPU, or when the CPU has no AVX-512.
bool blas_uses_avx512();

// Kaya splits matrix products between its own threads (core/parallel.h), so every BLAS call
// must stay on the thread that makes it. The pthreads variant keeps one global setting, the
// OpenMP variant one per thread, so gemm runs this on each thread's first BLAS call.
void blas_stay_on_calling_thread();

}  // namespace kaya::kernels
