// SPDX-License-Identifier: MIT
// Kaya's own sgemm micro-kernel (simd/sgemm.h) against a double-precision reference, over
// shapes that hit every edge of its blocking: partial micro-tiles in both directions, several
// K blocks, empty K, transposes, padded leading dimensions, alpha and beta (beta == 0 must
// ignore NaN in C).
#include "kaya/kernels/simd/sgemm.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace kaya::kernels::simd {
namespace {

struct Case {
    int64_t M, N, K;
};

class SgemmKernel : public ::testing::TestWithParam<const char*> {};

TEST_P(SgemmKernel, MatchesADoubleReferenceOnEveryEdge) {
    std::vector<float> probe(1, 0.0f);
    if (!sgemm_with(GetParam(), false, false, 1, 1, 1, 1.0f, probe.data(), 1, probe.data(), 1, 0.0f, probe.data(), 1))
        GTEST_SKIP() << GetParam() << " does not run on this CPU";
    std::mt19937 rng(7);
    std::normal_distribution<float> normal;
    const Case cases[] = {{1, 1, 1},   {12, 32, 256}, {13, 33, 257}, {5, 7, 3},    {120, 512, 256},
                          {121, 513, 600}, {300, 40, 70}, {64, 700, 48}, {37, 1, 1000}, {7, 16, 0},
                          {26, 20, 33}, {27, 64, 64}};
    for (const Case& c : cases) {
        for (bool ta : {false, true}) {
            for (bool tb : {false, true}) {
                for (auto [alpha, beta] : {std::pair{1.0f, 0.0f}, {0.5f, 1.0f}, {-2.0f, 0.25f}}) {
                    const int64_t lda = (ta ? c.M : c.K) + 3, ldb = (tb ? c.K : c.N) + 5, ldc = c.N + 2;
                    std::vector<float> A((ta ? c.K : c.M) * lda), B((tb ? c.N : c.K) * ldb), C(c.M * ldc);
                    for (auto& v : A) v = normal(rng);
                    for (auto& v : B) v = normal(rng);
                    for (auto& v : C) v = beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : normal(rng);
                    std::vector<float> got = C;
                    ASSERT_TRUE(sgemm_with(GetParam(), ta, tb, c.M, c.N, c.K, alpha, A.data(), lda, B.data(), ldb, beta, got.data(), ldc));
                    for (int64_t i = 0; i < c.M; ++i) {
                        for (int64_t j = 0; j < ldc; ++j) {
                            const float g = got[i * ldc + j];
                            if (j >= c.N) {  // outside the matrix: untouched
                                ASSERT_TRUE(std::isnan(C[i * ldc + j]) ? std::isnan(g) : g == C[i * ldc + j]);
                                continue;
                            }
                            double want = 0, scale = 0;
                            for (int64_t k = 0; k < c.K; ++k) {
                                const double a = ta ? A[k * lda + i] : A[i * lda + k];
                                const double b = tb ? B[j * ldb + k] : B[k * ldb + j];
                                want += a * b;
                                scale += std::abs(a * b);
                            }
                            want = alpha * want + (beta == 0.0f ? 0.0 : beta * C[i * ldc + j]);
                            ASSERT_NEAR(g, want, 1e-5 * (std::abs(alpha) * scale + 1))
                                << c.M << "x" << c.N << "x" << c.K << " ta " << ta << " tb " << tb << " alpha "
                                << alpha << " beta " << beta << " at " << i << "," << j;
                        }
                    }
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Isa, SgemmKernel, ::testing::Values("avx512", "avx2"));

TEST(Sgemm, SameBitsOnEveryCall) {
    if (std::string(sgemm_isa()) == "none") GTEST_SKIP() << "no AVX2/AVX-512 on this CPU";
    const int64_t M = 77, N = 95, K = 600;
    std::vector<float> A(M * K), B(K * N), C1(M * N), C2(M * N);
    for (size_t i = 0; i < A.size(); ++i) A[i] = std::sin(0.1f * i);
    for (size_t i = 0; i < B.size(); ++i) B[i] = std::cos(0.07f * i);
    sgemm(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C1.data(), N);
    std::vector<float> other(5000, 1.0f);  // a different product in between
    sgemm(false, false, 50, 50, 50, 1.0f, other.data(), 50, other.data(), 50, 0.0f, other.data() + 2500, 50);
    sgemm(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C2.data(), N);
    EXPECT_EQ(C1, C2);
}

// B packed once (sgemm_pack) gives the same bits as sgemm with B itself: small products read in
// place and packed alike (25 rows: the balanced groups), the blocked path (100 and 200 rows),
// several K blocks (300 > 256) and N blocks (600 > 512), partial panels, a transposed A or B,
// alpha and beta.
TEST(Sgemm, PrepackedBGivesTheSameBits) {
    if (std::string(sgemm_isa()) == "none") GTEST_SKIP() << "no AVX2/AVX-512 on this CPU";
    std::mt19937 rng(3);
    std::normal_distribution<float> normal;
    for (auto [M, N, K] : {std::array<int64_t, 3>{25, 192, 192},
                           {41, 40, 33},
                           {13, 600, 300},
                           {100, 64, 64},
                           {200, 33, 300},
                           {1, 5, 7}}) {
        for (bool ta : {false, true}) {
            for (bool tb : {false, true}) {
                const float alpha = tb ? 0.5f : 1.0f, beta = ta ? 0.25f : 0.0f;
                const int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 5;
                std::vector<float> A((ta ? K : M) * lda), B((tb ? N : K) * ldb), C(M * N);
                for (auto& v : A) v = normal(rng);
                for (auto& v : B) v = normal(rng);
                for (auto& v : C) v = normal(rng);
                std::vector<float> want = C, got = C,
                                   packed(static_cast<size_t>(sgemm_packed_size(N, K)));
                sgemm_pack(tb, N, K, B.data(), ldb, packed.data());
                ASSERT_TRUE(sgemm(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta,
                                  want.data(), N));
                ASSERT_TRUE(sgemm_prepacked(ta, M, N, K, alpha, A.data(), lda, packed.data(), beta,
                                            got.data(), N));
                EXPECT_EQ(got, want) << M << "x" << N << "x" << K << " ta " << ta << " tb " << tb;
            }
        }
    }
}

}  // namespace
}  // namespace kaya::kernels::simd

#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/ref/gemm.h"

namespace kaya::kernels {
namespace {

// Products with one row or one column, and outer products (K = 1), take gemm's matrix-vector loops,
// and float products with few columns the transposed product: every transpose, padded
// leading dimensions, beta 0 (C not read: poisoned with NaN) and beta 1, float and double.
template <class T>
void check_vector_products() {
    std::mt19937 gen(5);
    std::uniform_real_distribution<double> u(-1, 1);
    for (auto [M, N, K] : {std::array<int64_t, 3>{1, 37, 53}, {41, 1, 19}, {1, 1, 70}, {1, 5, 0}, {130, 1, 1}, {33, 47, 1}, {200, 50, 1},
                                   {50, 10, 200}, {33, 7, 5}, {64, 15, 3}}) {
        for (int ta = 0; ta < 2; ++ta) {
            for (int tb = 0; tb < 2; ++tb) {
                for (T beta : {T(0), T(1)}) {
                    const int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 2, ldc = N + 4;
                    std::vector<T> A((ta ? K : M) * lda + 1), B((tb ? N : K) * ldb + 1), C(M * ldc), R;
                    for (auto& v : A) v = static_cast<T>(u(gen));
                    for (auto& v : B) v = static_cast<T>(u(gen));
                    for (auto& v : C) v = beta == T(0) ? std::numeric_limits<T>::quiet_NaN() : static_cast<T>(u(gen));
                    R = C;
                    gemm<T>(ta, tb, M, N, K, T(0.75), A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
                    gemm_ref<T>(ta, tb, M, N, K, T(0.75), A.data(), lda, B.data(), ldb, beta, R.data(), ldc);
                    for (int64_t i = 0; i < M; ++i) {
                        for (int64_t j = 0; j < N; ++j) {
                            const T got = C[i * ldc + j], want = R[i * ldc + j];
                            ASSERT_NEAR(got, want, 1e-5 * (1 + std::abs(want)))
                                << M << "x" << N << "x" << K << " ta " << ta << " tb " << tb << " beta " << beta;
                        }
                    }
                }
            }
        }
    }
}

TEST(Gemm, VectorProductsMatchTheReference) {
    check_vector_products<float>();
    check_vector_products<double>();
}

// own_sgemm_products tells which products gemm_serial sends to Kaya's kernel: for those, B packed
// and sgemm_prepacked give gemm_serial's bits; vector products and few columns go elsewhere.
TEST(Gemm, OwnKernelProductsTakePackedOperands) {
    if (own_sgemm_max_b() == 0) GTEST_SKIP() << "float products go to the BLAS on this machine";
    EXPECT_FALSE(own_sgemm_products(1, 64, 64));
    EXPECT_FALSE(own_sgemm_products(64, 1, 64));
    EXPECT_FALSE(own_sgemm_products(50, 10, 200));  // the transposed product for few columns
    std::mt19937 gen(4);
    std::normal_distribution<float> normal;
    for (auto [M, N, K] : {std::array<int64_t, 3>{25, 192, 192}, {2, 16, 48}, {400, 64, 64}}) {
        ASSERT_TRUE(own_sgemm_products(M, N, K)) << M << "x" << N << "x" << K;
        std::vector<float> A(M * K), B(K * N), want(M * N), got(M * N);
        for (auto& v : A) v = normal(gen);
        for (auto& v : B) v = normal(gen);
        std::vector<float> packed(static_cast<size_t>(simd::sgemm_packed_size(N, K)));
        simd::sgemm_pack(false, N, K, B.data(), N, packed.data());
        gemm_serial<float>(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, want.data(),
                           N);
        ASSERT_TRUE(simd::sgemm_prepacked(false, M, N, K, 1.0f, A.data(), K, packed.data(), 0.0f,
                                          got.data(), N));
        EXPECT_EQ(got, want) << M << "x" << N << "x" << K;
    }
}

// own_sgemm_preferred (Winograd's products) takes every product that gemm_serial would already
// send to Kaya's kernel, the same shapes on any AVX-512 CPU whatever its OpenBLAS runs, never a
// vector product or the transposed form for few columns, nothing where Kaya's kernel cannot run,
// and nothing under the medium precision with bfloat16 products.
TEST(Gemm, PreferredProductsGoToKayasKernelWhereItRuns) {
    const bool avx512 = std::string(simd::sgemm_isa()) == "avx512";
    for (auto [M, N, K] :
         {std::array<int64_t, 3>{25, 16, 48}, {400, 192, 192}, {1024, 1024, 1024}}) {
        EXPECT_EQ(own_sgemm_preferred(M, N, K),
                  own_sgemm_products(M, N, K) || (blas_enabled() && avx512))
            << M << "x" << N << "x" << K;
        if (std::string(simd::sgemm_isa()) == "none") {
            EXPECT_FALSE(own_sgemm_preferred(M, N, K));
        }
    }
    EXPECT_FALSE(own_sgemm_preferred(1, 64, 64));
    EXPECT_FALSE(own_sgemm_preferred(64, 1, 64));
    EXPECT_FALSE(own_sgemm_preferred(50, 10, 200));
    if (!simd::sgemm_bf16_supported()) return;
    set_float32_matmul_precision(MatmulPrecision::kMedium);
    const bool medium = own_sgemm_preferred(400, 192, 192);
    set_float32_matmul_precision(MatmulPrecision::kHighest);
    EXPECT_FALSE(medium);
}

}  // namespace
}  // namespace kaya::kernels
