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
    std::vector<float> a(n * n, 1.0f), b(n * n, 2.0f), c(n * n);
    std::thread t([&] { gemm_serial<float>(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n); });
    t.join();
    EXPECT_EQ(openblas_get_num_threads(), 1);
    EXPECT_FLOAT_EQ(c[0], 2.0f * n);
    gemm<float>(false, false, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    EXPECT_EQ(openblas_get_num_threads(), 1);
    EXPECT_FLOAT_EQ(c[n * n - 1], 2.0f * n);
}

}  // namespace
}  // namespace kaya::kernels
