// SPDX-License-Identifier: MIT
// Kernel-level tests on raw buffers: the strided loop machinery, with NaN-poisoned outputs,
// odd sizes and unaligned pointers, and reductions against naive loops.
#include "kaya/kernels/ref/loop.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "kaya/kernels/ref/gemm.h"
#include "kaya/kernels/ref/reduce.h"

namespace kaya::kernels {
namespace {

constexpr float kPoison = std::numeric_limits<float>::quiet_NaN();

Loop loop1d(int64_t n, std::vector<int64_t> strides) {
    int64_t shape[1] = {n};
    std::vector<const int64_t*> ptrs;
    for (auto& s : strides) ptrs.push_back(&s);
    return make_loop(1, shape, static_cast<int>(strides.size()), ptrs.data());
}

TEST(Loop, CoalescesContiguousDimsAndDropsOnes) {
    int64_t shape[3] = {4, 1, 6};
    int64_t s0[3] = {6, 99, 1}, s1[3] = {6, 0, 1};
    const int64_t* ptrs[2] = {s0, s1};
    Loop l = make_loop(3, shape, 2, ptrs);
    EXPECT_EQ(l.ndim, 1);
    EXPECT_EQ(l.shape[0], 24);
    // A broadcast operand (stride 0 on the outer dim) stops the merge.
    int64_t b[3] = {0, 0, 1};
    const int64_t* ptrs2[2] = {s0, b};
    EXPECT_EQ(make_loop(3, shape, 2, ptrs2).ndim, 2);
}

// flat_loop is the ops layer's shortcut for operands contiguous in one shape: it must build
// exactly the loop make_loop builds from their strides (one merged dim, or none for 1 element).
TEST(Loop, FlatLoopIsWhatMakeLoopBuildsForContiguousOperands) {
    const std::vector<std::vector<int64_t>> shapes = {{1},       {1, 1},    {7},
                                                      {3, 1, 5}, {2, 0, 3}, {4, 6, 8}};
    for (const auto& shape : shapes) {
        std::vector<int64_t> strides(shape.size());
        int64_t n = 1;
        for (size_t d = shape.size(); d-- > 0;) {
            strides[d] = n;
            n *= shape[d];
        }
        const int64_t* ptrs[3] = {strides.data(), strides.data(), strides.data()};
        const Loop made = make_loop(static_cast<int>(shape.size()), shape.data(), 3, ptrs);
        const Loop flat = flat_loop(n, 3);
        EXPECT_EQ(flat.ndim, made.ndim) << "n = " << n;
        EXPECT_EQ(flat.noperands, made.noperands);
        EXPECT_EQ(flat.shape, made.shape) << "n = " << n;
        EXPECT_EQ(flat.strides, made.strides) << "n = " << n;
    }
}

// Small ops of one or two dims take for_each_row instead of for_each_run (no coordinates to
// carry): it must visit the same runs with the same offsets, in the same order.
TEST(Loop, RowWalkVisitsTheRunsOfTheGeneralWalk) {
    using Runs = std::vector<std::pair<std::array<int64_t, kMaxOperands>, int64_t>>;
    auto record = [](Runs& runs) {
        return [&runs](const std::array<int64_t, kMaxOperands>& off, int64_t n) {
            runs.push_back({off, n});
        };
    };
    const int64_t shapes[][2] = {{3, 256}, {1, 7}, {5, 1}, {4, 3}};
    for (const auto& shape : shapes) {
        // out contiguous, a broadcast row (outer stride 0), a transposed operand, a scalar.
        int64_t out[2] = {shape[1], 1}, row[2] = {0, 1}, tr[2] = {1, shape[0]}, one[2] = {0, 0};
        const int64_t* ptrs[4] = {out, row, tr, one};
        for (int ndim : {1, 2}) {
            const Loop loop = ndim == 2 ? make_loop(2, shape, 4, ptrs)
                                        : loop1d(shape[0] * shape[1], {1, 0, 2, 1});
            Runs general, rows;
            for_each_run(loop, 0, loop.numel(), record(general));
            for_each_row(loop, record(rows));
            EXPECT_EQ(rows, general) << shape[0] << "x" << shape[1] << ", " << ndim << " dims";
            EXPECT_FALSE(rows.empty());
        }
    }
}

// A matrix read across its memory (a transposed view) against a naive loop: both inputs of
// map_binary in turn, the other along memory or broadcast, and map_unary's copy; sizes that are
// not whole tiles, and one large enough to be split between threads.
TEST(Loop, TransposedOperandsByTiles) {
    for (auto [rows, cols] : {std::pair<int64_t, int64_t>{1, 5}, {3, 17}, {16, 16}, {37, 23}, {200, 50}, {300, 301}}) {
        const int64_t shape[2] = {rows, cols};
        std::vector<float> tr(static_cast<size_t>(rows * cols)), other(static_cast<size_t>(rows * cols));
        for (size_t i = 0; i < tr.size(); ++i) {
            tr[i] = static_cast<float>(i % 97) * 0.5f;
            other[i] = static_cast<float>(i % 13) - 6.0f;
        }
        const int64_t so[2] = {cols, 1}, st[2] = {1, rows};  // tr holds (cols, rows) row-major.
        for (bool broadcast : {false, true}) {
            const int64_t sx[2] = {broadcast ? 0 : cols, 1};
            for (int which = 0; which < 2; ++which) {
                const int64_t* strides[3] = {so, which == 0 ? st : sx, which == 0 ? sx : st};
                const Loop loop = make_loop(2, shape, 3, strides);
                std::vector<float> out(static_cast<size_t>(rows * cols), kPoison);
                const float* a = which == 0 ? tr.data() : other.data();
                const float* b = which == 0 ? other.data() : tr.data();
                map_binary(loop, out.data(), a, b, [](float x, float y) { return 2 * x - y; });
                for (int64_t r = 0; r < rows; ++r) {
                    for (int64_t c = 0; c < cols; ++c) {
                        const float t = tr[static_cast<size_t>(c * rows + r)];
                        const float o = other[static_cast<size_t>(broadcast ? c : r * cols + c)];
                        const float want = which == 0 ? 2 * t - o : 2 * o - t;
                        ASSERT_EQ(out[static_cast<size_t>(r * cols + c)], want)
                            << rows << "x" << cols << " at " << r << "," << c << " input " << which << " broadcast " << broadcast;
                    }
                }
            }
        }
        const int64_t* ustrides[2] = {so, st};
        std::vector<double> copied(static_cast<size_t>(rows * cols), std::nan(""));
        map_unary(make_loop(2, shape, 2, ustrides), copied.data(), tr.data(), [](float v) { return double(v) + 1; });
        for (int64_t r = 0; r < rows; ++r) {
            for (int64_t c = 0; c < cols; ++c)
                ASSERT_EQ(copied[static_cast<size_t>(r * cols + c)], tr[static_cast<size_t>(c * rows + r)] + 1.0);
        }
    }
}

TEST(Loop, MapsEveryElementOnceForOddSizesAndUnalignedPointers) {
    for (int64_t n : {0, 1, 7, 8, 9, 31, 1000, 70001}) {
        for (int shift : {0, 1, 3}) {
            std::vector<float> in(n + 4), out(n + 4, kPoison);
            for (int64_t i = 0; i < n + 4; ++i) in[i] = static_cast<float>(i);
            Loop l = loop1d(n, {1, 1});
            map_unary(l, out.data() + shift, in.data() + shift, [](float v) { return 2 * v; });
            for (int64_t i = 0; i < n; ++i) ASSERT_EQ(out[shift + i], 2.0f * (shift + i)) << n;
            for (int64_t i = n + shift; i < n + 4; ++i) ASSERT_TRUE(std::isnan(out[i])) << "wrote past end";
        }
    }
}

TEST(Loop, BinaryHandlesScalarAndStridedOperands) {
    const int64_t n = 37;
    std::vector<double> a(2 * n), b(1, 10.0), out(n, kPoison);
    for (int64_t i = 0; i < 2 * n; ++i) a[i] = static_cast<double>(i);
    map_binary(loop1d(n, {1, 2, 0}), out.data(), a.data(), b.data(),
               [](double x, double y) { return x + y; });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(out[i], 2.0 * i + 10.0);
}

TEST(Reduce, SumMatchesNaiveLoopForRowsAndColumns) {
    const int64_t R = 33, C = 65;
    std::vector<double> x(R * C);
    for (int64_t i = 0; i < R * C; ++i) x[i] = std::sin(static_cast<double>(i));
    // Row sums: kept dim R (in stride C), reduced dim C (stride 1).
    int64_t kshape[1] = {R}, kout[1] = {1}, kin[1] = {C}, rshape[1] = {C}, rin[1] = {1};
    const int64_t* kp[2] = {kout, kin};
    const int64_t* rp[1] = {rin};
    std::vector<double> rows(R, kPoison);
    sum_forward(rows.data(), x.data(), make_loop(1, kshape, 2, kp), make_loop(1, rshape, 1, rp));
    for (int64_t r = 0; r < R; ++r) {
        double want = 0;
        for (int64_t c = 0; c < C; ++c) want += x[r * C + c];
        ASSERT_NEAR(rows[r], want, 1e-12);
    }
    // Column sums take the row-walking path.
    int64_t cshape[1] = {C}, cin[1] = {1}, rrshape[1] = {R}, rrin[1] = {C};
    const int64_t* cp[2] = {kout, cin};
    const int64_t* rrp[1] = {rrin};
    std::vector<double> cols(C, kPoison);
    sum_forward(cols.data(), x.data(), make_loop(1, cshape, 2, cp), make_loop(1, rrshape, 1, rrp));
    for (int64_t c = 0; c < C; ++c) {
        double want = 0;
        for (int64_t r = 0; r < R; ++r) want += x[r * C + c];
        ASSERT_NEAR(cols[c], want, 1e-12);
    }
}

TEST(Reduce, ArgMaxKeepsFirstTieAndPrefersNan) {
    std::vector<float> x = {1, 5, 5, 2, kPoison, 7};
    int64_t kshape[1] = {1}, z[1] = {0};
    const int64_t* kp[2] = {z, z};
    Loop kept = make_loop(1, kshape, 2, kp);
    float v;
    int64_t idx;
    max_forward(&v, &idx, x.data(), kept, 4, 1);
    EXPECT_EQ(idx, 1);
    max_forward(&v, &idx, x.data(), kept, 6, 1);
    EXPECT_EQ(idx, 4);
    EXPECT_TRUE(std::isnan(v));
}

TEST(Gemm, ReferenceHonoursTransposesAndBeta) {
    // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]; C = A^T B + 1 * C0.
    std::vector<double> A = {1, 2, 3, 4}, B = {5, 6, 7, 8}, C = {1, 1, 1, 1};
    gemm_ref<double>(true, false, 2, 2, 2, 1.0, A.data(), 2, B.data(), 2, 1.0, C.data(), 2);
    EXPECT_EQ(C, (std::vector<double>{27, 31, 39, 45}));
    std::vector<double> D(4, kPoison);  // beta = 0 must not read D.
    gemm_ref<double>(false, true, 2, 2, 2, 1.0, A.data(), 2, B.data(), 2, 0.0, D.data(), 2);
    EXPECT_EQ(D, (std::vector<double>{17, 23, 39, 53}));
}

}  // namespace
}  // namespace kaya::kernels

#include "kaya/kernels/simd/exp.h"

namespace kaya::kernels {
namespace {

// The vector sets this CPU runs the kernels of kernels/simd/exp.h on.
std::vector<simd::Simd> vector_levels() {
    std::vector<simd::Simd> levels;
    for (simd::Simd level : {simd::Simd::kAvx2, simd::Simd::kAvx512})
        if (simd::simd_level() >= level) levels.push_back(level);
    return levels;
}

// Sizes around both vector widths (8 and 16 lanes) and their tails.
const std::vector<int64_t> kSizes = {0, 1, 7, 8, 9, 15, 16, 17, 25, 31, 1000};

// kernel at every vector level this CPU runs, on n = each of `sizes` values input(i) starting 0,
// 1 or 3 values into the buffers: each result within tolerance(want) of reference, and the
// values after the n-th left alone.
template <class Input, class Reference, class Tolerance>
void check_against_std(void (*kernel)(float*, const float*, int64_t, simd::Simd), Input input,
                       Reference reference, Tolerance tolerance,
                       std::vector<int64_t> sizes = kSizes) {
    if (vector_levels().empty()) GTEST_SKIP() << "no AVX2 on this CPU";
    for (simd::Simd level : vector_levels()) {
        SCOPED_TRACE(static_cast<int>(level));
        for (int64_t n : sizes) {
            for (int shift : {0, 1, 3}) {
                std::vector<float> in(n + 4), out(n + 4, kPoison);
                for (int64_t i = 0; i < n + 4; ++i) in[i] = input(i);
                kernel(out.data() + shift, in.data() + shift, n, level);
                for (int64_t i = shift; i < shift + n; ++i) {
                    const float want = reference(in[i]);
                    ASSERT_NEAR(out[i], want, tolerance(want)) << "x = " << in[i];
                }
                for (int64_t i = n + shift; i < n + 4; ++i) ASSERT_TRUE(std::isnan(out[i]));
            }
        }
    }
}

TEST(SimdExp, MatchesStdExpWithinTwoUlpOnOddSizesAndUnalignedPointers) {
    check_against_std(
        simd::exp_forward,
        [](int64_t i) { return -80.0f + 160.0f * static_cast<float>(i % 997) / 997.0f; },
        [](float x) { return std::exp(x); }, [](float want) { return 2.5e-7f * want; });
}

TEST(SimdLog, MatchesStdLogWithinTwoUlpOnOddSizesAndUnalignedPointers) {
    // Magnitudes from 1e-44 (subnormal) to 1e38, and values around 1 where log is ~0.
    check_against_std(
        simd::log_forward,
        [](int64_t i) {
            return i % 3 == 0
                       ? 1.0f + (static_cast<float>(i % 101) - 50.0f) * 1e-3f
                       : std::pow(10.0f, -44.0f + 82.0f * static_cast<float>(i % 997) / 997.0f);
        },
        [](float x) { return std::log(x); },
        [](float want) { return 2.5e-7f * std::abs(want) + 1.5e-8f; });
}

// Special values, then copies of them to fill a whole vector of every width.
std::vector<float> special(std::vector<float> values, int64_t n) {
    for (int64_t i = static_cast<int64_t>(values.size()); i < n; ++i)
        values.push_back(values[i % 9]);
    return values;
}

TEST(SimdLog, SpecialValues) {
    if (vector_levels().empty()) GTEST_SKIP() << "no AVX2 on this CPU";
    for (simd::Simd level : vector_levels()) {
        SCOPED_TRACE(static_cast<int>(level));
        std::vector<float> in =
            special({0.0f, -0.0f, INFINITY, -INFINITY, kPoison, -1.0f, 1.0f, 1e-45f, 3.4e38f}, 32);
        std::vector<float> out(in.size());
        simd::log_forward(out.data(), in.data(), static_cast<int64_t>(in.size()), level);
        for (int64_t k = 0; k < 32; k += 9) {
            const float* o = out.data() + k;
            EXPECT_EQ(o[0], -INFINITY);
            EXPECT_EQ(o[1], -INFINITY);
            EXPECT_EQ(o[2], INFINITY);
            EXPECT_TRUE(std::isnan(o[3]));
            EXPECT_TRUE(std::isnan(o[4]));
            if (k + 5 >= 32) break;
            EXPECT_TRUE(std::isnan(o[5]));
            EXPECT_EQ(o[6], 0.0f);
            EXPECT_NEAR(o[7], std::log(1e-45f), 1e-5f);
            EXPECT_NEAR(o[8], std::log(3.4e38f), 1e-5f);
        }
    }
}

TEST(SimdExp, SpecialValues) {
    if (vector_levels().empty()) GTEST_SKIP() << "no AVX2 on this CPU";
    for (simd::Simd level : vector_levels()) {
        SCOPED_TRACE(static_cast<int>(level));
        std::vector<float> in =
            special({0.0f, -0.0f, INFINITY, -INFINITY, kPoison, 88.7f, 89.0f, -87.0f, -200.0f}, 32);
        std::vector<float> out(in.size());
        simd::exp_forward(out.data(), in.data(), static_cast<int64_t>(in.size()), level);
        for (int64_t k = 0; k < 32; k += 9) {
            const float* o = out.data() + k;
            EXPECT_EQ(o[0], 1.0f);
            EXPECT_EQ(o[1], 1.0f);
            EXPECT_EQ(o[2], INFINITY);
            EXPECT_EQ(o[3], 0.0f);
            EXPECT_TRUE(std::isnan(o[4]));
            if (k + 5 >= 32) break;
            EXPECT_NEAR(o[5], std::exp(88.7f), 3e-7f * std::exp(88.7f));
            EXPECT_EQ(o[6], INFINITY);
            EXPECT_NEAR(o[7], std::exp(-87.0f), 3e-7f * std::exp(-87.0f));
            EXPECT_EQ(o[8], 0.0f);
        }
        const float sub = -95.0f;
        float got = 0.0f;
        simd::exp_forward(&got, &sub, 1, level);
        EXPECT_NEAR(got, std::exp(-95.0f), 1e-44f) << "subnormal results are kept";
        std::vector<float> subs(16, sub), outs(16);
        simd::exp_forward(outs.data(), subs.data(), 16, level);
        EXPECT_NEAR(outs[3], std::exp(-95.0f), 1e-44f)
            << "subnormal results are kept by the vectors";
    }
}

TEST(SimdTanh, MatchesStdTanhWithinFourUlpOnOddSizesAndUnalignedPointers) {
    std::vector<int64_t> sizes = kSizes;
    sizes.back() = 4000;
    // Both branches and their border (0.625), tiny values, and saturation.
    check_against_std(
        simd::tanh_forward,
        [](int64_t i) {
            const float t = static_cast<float>(i % 997) / 997.0f;
            return i % 4 == 0 ? (t - 0.5f) * 2e-3f
                              : (i % 2 ? -1.0f : 1.0f) * (i % 3 ? 1.3f * t : 12.0f * t);
        },
        [](float x) { return std::tanh(x); }, [](float want) { return 4.8e-7f * std::abs(want); },
        sizes);
    for (simd::Simd level : vector_levels()) {
        SCOPED_TRACE(static_cast<int>(level));
        std::vector<float> in = {0.0f,     -0.0f,     INFINITY, -INFINITY, kPoison, 0.625f,
                                 -0.625f,  1e-30f,    50.0f,    -100.0f,   0.0f,    -0.0f,
                                 INFINITY, -INFINITY, kPoison,  0.625f};
        std::vector<float> out(in.size());
        simd::tanh_forward(out.data(), in.data(), static_cast<int64_t>(in.size()), level);
        EXPECT_EQ(out[0], 0.0f);
        EXPECT_TRUE(std::signbit(out[1]));
        EXPECT_EQ(out[2], 1.0f);
        EXPECT_EQ(out[3], -1.0f);
        EXPECT_TRUE(std::isnan(out[4]));
        EXPECT_NEAR(out[5], std::tanh(0.625f), 4.8e-7f);
        EXPECT_NEAR(out[6], std::tanh(-0.625f), 4.8e-7f);
        EXPECT_EQ(out[7], 1e-30f);
        EXPECT_EQ(out[8], 1.0f);
        EXPECT_EQ(out[9], -1.0f);
        EXPECT_TRUE(std::signbit(out[11]));
        EXPECT_EQ(out[12], 1.0f);
        EXPECT_EQ(out[13], -1.0f);
        EXPECT_TRUE(std::isnan(out[14]));
    }
}

TEST(SimdKernels, Avx512GivesAvx2sBits) {
    if (simd::simd_level() < simd::Simd::kAvx512) GTEST_SKIP() << "no AVX-512 on this CPU";
    // Every 4099th bit pattern: both signs, every exponent (subnormals, infinities and NaNs),
    // scattered mantissas; a length that is neither a multiple of 16 nor of 8.
    std::vector<float> in;
    for (uint64_t bits = 0; bits <= 0xffffffffu; bits += 4099) {
        const auto u = static_cast<uint32_t>(bits);
        float x;
        std::memcpy(&x, &u, sizeof x);
        in.push_back(x);
    }
    in.resize(in.size() - 5);
    const auto n = static_cast<int64_t>(in.size());
    for (auto kernel : {simd::exp_forward, simd::log_forward, simd::tanh_forward}) {
        std::vector<float> wide(in.size()), narrow(in.size());
        kernel(wide.data(), in.data(), n, simd::Simd::kAvx512);
        kernel(narrow.data(), in.data(), n, simd::Simd::kAvx2);
        ASSERT_EQ(std::memcmp(wide.data(), narrow.data(), in.size() * sizeof(float)), 0);
    }
}

}  // namespace
}  // namespace kaya::kernels
