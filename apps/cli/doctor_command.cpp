// SPDX-License-Identifier: MIT
// kaya doctor: what this process runs on (CPU, threads, the BLAS actually loaded and how it is
// threaded), for bug reports and for benchmark tables. `kaya --version` prints the same.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "apps/cli/commands.h"
#include "kaya/core/parallel.h"
#include "kaya/distributed/process_group.h"
#include "kaya/kernels/blas/blas_setup.h"
#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/simd/exp.h"
#include "kaya/kernels/simd/sgemm.h"

namespace kaya::cli {

namespace {

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    }
    return "unknown";
}

std::string vector_isa() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return "AVX-512";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "AVX2+FMA";
    if (__builtin_cpu_supports("avx")) return "AVX";
    return "SSE2";
}

// Which kernel takes float products (kernels::own_sgemm_max_b, own_sgemm_preferred).
std::string float_products() {
    const double max_b = kernels::own_sgemm_max_b();
    const std::string own = std::string("Kaya's ") + kernels::simd::sgemm_isa() + " kernel";
    if (max_b <= 0 && kernels::own_sgemm_preferred(64, 64, 64))
        return "OpenBLAS; Winograd's forward and weight-gradient products on " + own;
    if (max_b <= 0) return "OpenBLAS";
    if (std::isinf(max_b)) return own;
    return own + " where B has at most 2^" + std::to_string(static_cast<int>(std::log2(max_b))) +
           " values, OpenBLAS beyond";
}

const char* simd_name(kernels::simd::Simd level) {
    switch (level) {
        case kernels::simd::Simd::kAvx512:
            return "AVX-512, 16 lanes";
        case kernels::simd::Simd::kAvx2:
            return "AVX2, 8 lanes";
        case kernels::simd::Simd::kScalar:
            break;
    }
    return "scalar code (std::exp, std::log, std::tanh)";
}

std::string thread_source() {
    if (std::getenv("KAYA_NUM_THREADS")) return "KAYA_NUM_THREADS";
    if (std::getenv("OMP_NUM_THREADS")) return "OMP_NUM_THREADS";
    return "cores";
}

}  // namespace

std::string system_report() {
    const kernels::BlasInfo blas = kernels::blas_info();
    std::string out = "kaya 0.1.0\n";
    out += "cpu:     " + cpu_model() + " (" + vector_isa() + ")\n";
    out += "threads: " + std::to_string(num_threads()) + " (from " + thread_source() +
           "), Kaya's own pool; BLAS calls stay on the calling thread\n";
    out += "matmul:  float on " + float_products() + " (KAYA_GEMM=kaya|blas), double on OpenBLAS\n";
    const bool medium = kernels::float32_matmul_precision() == kernels::MatmulPrecision::kMedium;
    out += std::string("         precision ") + (medium ? "medium" : "highest") + " (KAYA_MATMUL_PRECISION=highest|medium); " +
           (kernels::simd::sgemm_bf16_supported()
                ? (medium ? "bfloat16 products of " + std::to_string(kernels::kBf16MinRows) + " rows or more"
                        : std::string("medium would take bfloat16 products (AVX512-BF16)"))
                : "no AVX512-BF16: float products either way") +
           "\n";
    out += std::string("math:    exp, log and tanh on ") + simd_name(kernels::simd::simd_level()) +
           " (KAYA_SIMD=0|avx2; AVX2 and AVX-512 give the same bits)\n";
    out += "blas:    " + blas.config + "\n";
    out += "         library " + blas.library + "\n";
    out += "         core " + blas.core + ", threading " + blas.threading + "\n";
    out += "         environment " + blas.environment + "\n";
    out += std::string("mpi:     ") +
           (distributed::built_with_mpi()
                ? "built with MPI: `mpirun -np N kaya train CONFIG` trains on N processes"
                : "built without MPI (install libopenmpi-dev and rebuild): one process only");
    if (const int n = distributed::launcher_world_size(); n > 1)
        out += "; launched as " + std::to_string(n) + " processes";
    return out;
}

void add_doctor_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("doctor", "Show the CPU, threads and BLAS this process uses");
    cmd->callback([] { std::printf("%s\n", system_report().c_str()); });
}

}  // namespace kaya::cli
