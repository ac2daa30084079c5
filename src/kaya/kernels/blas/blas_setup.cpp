// SPDX-License-Identifier: MIT
#include "kaya/kernels/blas/blas_setup.h"

#include <cblas.h>
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <strings.h>

extern char** environ;

namespace kaya::kernels {

namespace {

std::string threading_name(int parallel) {
    switch (parallel) {
        case 0: return "sequential";
        case 1: return "pthreads";
        case 2: return "OpenMP";
        default: return "unknown (" + std::to_string(parallel) + ")";
    }
}

std::string library_of(const void* symbol) {
    Dl_info info{};
    if (dladdr(symbol, &info) == 0 || !info.dli_fname) return "unknown";
    char* real = realpath(info.dli_fname, nullptr);
    std::string path = real ? real : info.dli_fname;
    std::free(real);
    return path;
}

std::string openblas_environment() {
    std::string out;
    for (char** e = environ; e && *e; ++e) {
        if (std::strncmp(*e, "OPENBLAS_", 9) != 0) continue;
        if (!out.empty()) out += ' ';
        out += *e;
    }
    return out.empty() ? "none" : out;
}

std::string trimmed(const char* s) {
    std::string out = s ? s : "";
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
    return out;
}

}  // namespace

BlasInfo blas_info() {
    BlasInfo info;
    info.library = library_of(reinterpret_cast<const void*>(&cblas_sgemm));
    info.config = trimmed(openblas_get_config());
    info.core = trimmed(openblas_get_corename());
    info.threading = threading_name(openblas_get_parallel());
    info.environment = openblas_environment();
    return info;
}

bool blas_uses_avx512() {
    static const bool avx512 = [] {
        const std::string core = trimmed(openblas_get_corename());
        for (const char* name : {"SkylakeX", "Cooperlake", "SapphireRapids"}) {
            if (strcasecmp(core.c_str(), name) == 0) return true;
        }
        return false;
    }();
    return avx512;
}

void blas_stay_on_calling_thread() {
    // OpenMP variant: sets this thread's OpenMP thread count, which OpenBLAS reads on every
    // call. pthreads variant: the global count of OpenBLAS's own workers. Serial: no effect.
    openblas_set_num_threads(1);
}

}  // namespace kaya::kernels
