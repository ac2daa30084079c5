// SPDX-License-Identifier: MIT
// The bfloat16 product (simd::sgemm_bf16) against a double-precision reference of the operands
// rounded to bfloat16, over the edges of its blocking; and gemm's float32 matmul precision
// setting, which routes products of enough rows to it.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kaya/core/error.h"
#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/simd/sgemm.h"

namespace kaya::kernels {
namespace {

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

TEST(SgemmBf16, RoundsToTheNearestBfloat16TiesToEven) {
    EXPECT_EQ(bits(simd::round_to_bf16(1.0f)), 0x3f800000u);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: to the even one, 1.
    EXPECT_EQ(simd::round_to_bf16(1.0f + 0x1p-8f), 1.0f);
    EXPECT_EQ(simd::round_to_bf16(1.0f + 0x1p-8f + 0x1p-20f), 1.0f + 0x1p-7f);
    // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: to the even one, 1 + 2^-6.
    EXPECT_EQ(simd::round_to_bf16(1.0f + 3 * 0x1p-8f), 1.0f + 0x1p-6f);
    EXPECT_EQ(simd::round_to_bf16(-2.5f), -2.5f);
    // Denormals become zeros of their sign, as AVX512-BF16's conversion and products take them.
    EXPECT_EQ(bits(simd::round_to_bf16(1e-39f)), 0u);
    EXPECT_EQ(bits(simd::round_to_bf16(-3e-39f)), 0x80000000u);
    EXPECT_EQ(simd::round_to_bf16(std::numeric_limits<float>::min()), std::numeric_limits<float>::min());
    EXPECT_EQ(simd::round_to_bf16(std::numeric_limits<float>::infinity()), std::numeric_limits<float>::infinity());
    EXPECT_TRUE(std::isnan(simd::round_to_bf16(std::numeric_limits<float>::quiet_NaN())));
    // The largest float rounds up past bfloat16's largest finite value.
    EXPECT_EQ(simd::round_to_bf16(std::numeric_limits<float>::max()), std::numeric_limits<float>::infinity());
}

TEST(SgemmBf16, MatchesTheProductOfTheRoundedOperandsOnEveryEdge) {
    if (!simd::sgemm_bf16_supported()) GTEST_SKIP() << "no AVX512-BF16 on this CPU";
    std::mt19937 rng(11);
    std::normal_distribution<float> normal;
    struct Case {
        int64_t M, N, K;
    };
    // Partial micro-tiles (12 rows, 32 columns) in both directions, odd K (a half pair), several
    // K blocks (256) and N blocks (512), empty K.
    const Case cases[] = {{1, 1, 1},     {12, 32, 256}, {13, 33, 257}, {5, 7, 3},   {120, 512, 256},
                          {121, 513, 601}, {300, 40, 70}, {64, 17, 48}, {7, 16, 0}, {27, 64, 64}};
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
                    ASSERT_TRUE(simd::sgemm_bf16(ta, tb, c.M, c.N, c.K, alpha, A.data(), lda, B.data(), ldb, beta,
                                                 got.data(), ldc));
                    double worst_vs_float = 0;
                    for (int64_t i = 0; i < c.M; ++i) {
                        for (int64_t j = 0; j < ldc; ++j) {
                            const float g = got[i * ldc + j];
                            if (j >= c.N) {  // outside the matrix: untouched
                                ASSERT_TRUE(std::isnan(C[i * ldc + j]) ? std::isnan(g) : g == C[i * ldc + j]);
                                continue;
                            }
                            double want = 0, exact = 0, scale = 0;
                            for (int64_t k = 0; k < c.K; ++k) {
                                const float a = ta ? A[k * lda + i] : A[i * lda + k];
                                const float b = tb ? B[j * ldb + k] : B[k * ldb + j];
                                want += double(simd::round_to_bf16(a)) * simd::round_to_bf16(b);
                                exact += double(a) * b;
                                scale += std::abs(double(a) * b);
                            }
                            const double keep = beta == 0.0f ? 0.0 : beta * double(C[i * ldc + j]);
                            // Float sums of the rounded operands' products: float's error, not bf16's.
                            ASSERT_NEAR(g, alpha * want + keep, 1e-5 * (std::abs(alpha) * scale + 1))
                                << c.M << "x" << c.N << "x" << c.K << " ta " << ta << " tb " << tb << " alpha "
                                << alpha << " beta " << beta << " at " << i << "," << j;
                            worst_vs_float = std::max(worst_vs_float, std::abs(g - (alpha * exact + keep)) /
                                                                          (std::abs(alpha) * scale + 1e-30));
                        }
                    }
                    // And it did round: bfloat16's error shows against the float operands' product.
                    if (c.K >= 48) {
                        EXPECT_GT(worst_vs_float, 1e-4) << c.M << "x" << c.N << "x" << c.K;
                    }
                }
            }
        }
    }
}

// The vector conversion (A as stored) and the scalar one (A transposed) round alike, denormals
// included: a product and its transposed form give the same bits.
TEST(SgemmBf16, TransposedOperandsRoundAlike) {
    if (!simd::sgemm_bf16_supported()) GTEST_SKIP() << "no AVX512-BF16 on this CPU";
    const int64_t M = 37, N = 35, K = 41;
    std::mt19937 rng(5);
    std::normal_distribution<float> normal;
    std::vector<float> A(M * K), At(K * M), B(K * N), Bt(N * K), C1(M * N), C2(M * N);
    for (int64_t i = 0; i < M; ++i)
        for (int64_t k = 0; k < K; ++k) A[i * K + k] = At[k * M + i] = (i + k) % 7 == 0 ? 1e-39f * (k + 1) : normal(rng);
    for (int64_t k = 0; k < K; ++k)
        for (int64_t j = 0; j < N; ++j) B[k * N + j] = Bt[j * K + k] = (k * j) % 5 == 1 ? -2e-39f : normal(rng);
    ASSERT_TRUE(simd::sgemm_bf16(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C1.data(), N));
    ASSERT_TRUE(simd::sgemm_bf16(true, true, M, N, K, 1.0f, At.data(), M, Bt.data(), K, 0.0f, C2.data(), N));
    EXPECT_EQ(C1, C2);
}

// B packed once, and A given in bfloat16 already: the same bits as the plain call, over partial
// tiles (41 rows: 12 + 12 + 12 + 5, whose last tile the kernel reads as 6), odd K (A's column K
// zero) and several K and N blocks.
TEST(SgemmBf16, PrepackedOperandsGiveTheSameBits) {
    if (!simd::sgemm_bf16_supported()) GTEST_SKIP() << "no AVX512-BF16 on this CPU";
    std::mt19937 rng(9);
    std::normal_distribution<float> normal;
    for (auto [M, N, K] : {std::array<int64_t, 3>{41, 40, 33}, {100, 64, 64}, {13, 600, 300}, {1, 5, 7}}) {
        const int64_t lda = K + 3;
        std::vector<float> A(M * lda, 0.0f), B(K * N), want(M * N), got16(M * N);
        for (int64_t i = 0; i < M; ++i)
            for (int64_t k = 0; k < K; ++k) A[i * lda + k] = normal(rng);
        for (auto& v : B) v = normal(rng);
        std::vector<uint16_t> A16(A.size());
        for (size_t i = 0; i < A.size(); ++i) {
            const float r = simd::round_to_bf16(A[i]);
            uint32_t u;
            std::memcpy(&u, &r, 4);
            A16[i] = static_cast<uint16_t>(u >> 16);
        }
        std::vector<uint32_t> packed(static_cast<size_t>(simd::sgemm_bf16_packed_size(N, K)));
        simd::sgemm_bf16_pack(false, N, K, B.data(), N, packed.data());
        ASSERT_TRUE(simd::sgemm_bf16(false, false, M, N, K, 0.5f, A.data(), lda, B.data(), N, 0.0f, want.data(), N));
        ASSERT_TRUE(simd::sgemm_bf16_prepacked_a16(M, N, K, 0.5f, A16.data(), lda, packed.data(), 0.0f, got16.data(), N));
        EXPECT_EQ(got16, want) << M << "x" << N << "x" << K;
    }
}

TEST(SgemmBf16, NanAndInfinityPropagate) {
    if (!simd::sgemm_bf16_supported()) GTEST_SKIP() << "no AVX512-BF16 on this CPU";
    const int64_t M = 40, N = 40, K = 40;
    std::vector<float> A(M * K, 1.0f), B(K * N, 1.0f), C(M * N);
    A[3 * K + 5] = std::numeric_limits<float>::quiet_NaN();
    B[7 * N + 9] = std::numeric_limits<float>::infinity();
    ASSERT_TRUE(simd::sgemm_bf16(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C.data(), N));
    for (int64_t j = 0; j < N; ++j) EXPECT_TRUE(std::isnan(C[3 * N + j])) << j;
    EXPECT_EQ(C[0 * N + 9], std::numeric_limits<float>::infinity());
    EXPECT_EQ(C[0 * N + 8], float(K));
}

TEST(MatmulPrecision, MediumTakesBfloat16ForProductsOfEnoughRowsOnly) {
    const int64_t N = 48, K = 96;
    std::mt19937 rng(3);
    std::normal_distribution<float> normal;
    for (int64_t M : {kBf16MinRows - 1, kBf16MinRows, int64_t(200)}) {
        std::vector<float> A(M * K), B(K * N);
        for (auto& v : A) v = normal(rng);
        for (auto& v : B) v = normal(rng);
        std::vector<float> highest(M * N), medium(M * N), bf16(M * N);
        gemm_serial<float>(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, highest.data(), N);
        set_float32_matmul_precision(MatmulPrecision::kMedium);
        gemm<float>(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, medium.data(), N);
        set_float32_matmul_precision(MatmulPrecision::kHighest);
        std::vector<float> again(M * N);
        gemm_serial<float>(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, again.data(), N);
        EXPECT_EQ(again, highest) << "highest again after medium";
        if (M < kBf16MinRows || !simd::sgemm_bf16_supported()) {
            EXPECT_EQ(medium, highest) << M << " rows";
        } else {
            simd::sgemm_bf16(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, bf16.data(), N);
            EXPECT_EQ(medium, bf16) << M << " rows";
            EXPECT_NE(medium, highest) << M << " rows";
        }
    }
    EXPECT_EQ(float32_matmul_precision(), MatmulPrecision::kHighest);
}

TEST(MatmulPrecision, ParsesItsNamesAndRefusesOthers) {
    EXPECT_EQ(parse_matmul_precision("highest"), MatmulPrecision::kHighest);
    EXPECT_EQ(parse_matmul_precision("medium"), MatmulPrecision::kMedium);
    try {
        parse_matmul_precision("bf16");
        ADD_FAILURE() << "bf16 was accepted";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("expected highest (float) or medium"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("got 'bf16'"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace kaya::kernels
