// SPDX-License-Identifier: MIT
// The BLAS found at run time, and Kaya keeping every BLAS call on the thread that makes it,
// whichever OpenBLAS variant is installed.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "kaya/kernels/blas/blas_setup.h"
#include "kaya/kernels/blas/gemm.h"

extern "C" int openblas_get_num_threads(void);

namespace kaya::kernels {
namespace {

TEST(BlasSetup, DescribesTheLoadedLibrary) {
    BlasInfo info = blas_info();
    EXPECT_NE(info.config.find("OpenBLAS"), std::string::npos) << info.config;
    EXPECT_TRUE((std::set<std::string>{"OpenMP", "pthreads", "sequential"}.count(info.threading))) << info.threading;
    EXPECT_FALSE(info.core.empty());
    EXPECT_NE(info.library.find("openblas"), std::string::npos) << info.library;
    EXPECT_FALSE(info.environment.empty());
}

TEST(BlasSetup, ProductsOnAnyThreadLeaveOpenBlasSingleThreaded) {
    const int64_t n = 300;  // above OpenBLAS's own threading threshold
    // Double precision always goes to the BLAS (float may take Kaya's own kernel).
    std::vector<double> a(n * n, 1.0), b(n * n, 2.0), c(n * n);
    std::thread t([&] { gemm_serial<double>(false, false, n, n, n, 1.0, a.data(), n, b.data(), n, 0.0, c.data(), n); });
    t.join();
    EXPECT_EQ(openblas_get_num_threads(), 1);
    EXPECT_DOUBLE_EQ(c[0], 2.0 * n);
    gemm<double>(false, false, n, n, n, 1.0, a.data(), n, b.data(), n, 0.0, c.data(), n);
    EXPECT_EQ(openblas_get_num_threads(), 1);
    EXPECT_DOUBLE_EQ(c[n * n - 1], 2.0 * n);
}

}  // namespace
}  // namespace kaya::kernels
