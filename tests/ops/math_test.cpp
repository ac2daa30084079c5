// SPDX-License-Identifier: MIT
// Behaviour the reference files do not cover: integer and bool dtypes, comparisons, NaN,
// special values, factories, indexing errors, determinism across thread counts.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/ref/gemm.h"
#include "kaya/ops/ops.h"

namespace kaya {
namespace {

TEST(Math, IntegerArithmeticStaysInteger) {
    Tensor a = from_vector<int64_t>({7, -7, 3}, {3});
    EXPECT_EQ(to_vector<int64_t>(add(a, 1)), (std::vector<int64_t>{8, -6, 4}));
    EXPECT_EQ(to_vector<int64_t>(pow(a, 2)), (std::vector<int64_t>{49, 49, 9}));
    EXPECT_EQ(to_vector<float>(div(a, 2)), (std::vector<float>{3.5f, -3.5f, 1.5f}));
    EXPECT_EQ(sum(a).dtype(), DType::Int64);
    EXPECT_EQ(sum(a).item<int64_t>(), 3);
    EXPECT_EQ(sum(gt(a, 0)).item<int64_t>(), 2) << "bool sums count";
    EXPECT_EQ(to_vector<int64_t>(abs(a)), (std::vector<int64_t>{7, 7, 3}));
}

TEST(Math, ComparisonsAndLogicalOps) {
    Tensor a = tensor({1, 2, 3}), b = tensor({3, 2, 1});
    EXPECT_EQ(to_vector<bool>(lt(a, b)), (std::vector<bool>{true, false, false}));
    EXPECT_EQ(to_vector<bool>(ge(a, 2)), (std::vector<bool>{false, true, true}));
    EXPECT_EQ(to_vector<bool>(logical_xor(lt(a, b), ge(a, 2))), (std::vector<bool>{true, true, true}));
    EXPECT_EQ(to_vector<bool>(logical_not(eq(a, b))), (std::vector<bool>{true, false, true}));
    EXPECT_EQ(to_vector<float>(where(gt(a, 1), a, 0.0)), (std::vector<float>{0, 2, 3}));
    EXPECT_THROW(where(a, a, b), DTypeError);
}

TEST(Math, NanPropagatesLikePyTorch) {
    Tensor x = tensor({1, NAN, 3});
    EXPECT_TRUE(std::isnan(max(x).item<float>()));
    EXPECT_EQ(max(x, 0).indices.item<int64_t>(), 1);
    EXPECT_TRUE(std::isnan(to_vector<float>(maximum(x, zeros({3})))[1]));
    EXPECT_TRUE(std::isnan(to_vector<float>(clamp(x, 0.0, 2.0))[1]));
    EXPECT_EQ(to_vector<bool>(isnan(x)), (std::vector<bool>{false, true, false}));
}

// amax over a contiguous tensor's trailing dims takes one vectorised pass per row: the same
// values as reducing dim by dim (a permuted copy takes that path), NaN when a row holds one,
// +-inf kept, in float and double; int64 goes through max.
TEST(Math, AmaxOverTrailingDimsIsTheMaximumAndPropagatesNan) {
    Generator g(11);
    for (DType dt : {DType::Float32, DType::Float64}) {
        Tensor x = randn({3, 5, 7, 9}, dt, &g);
        Tensor fast = amax(x, {2, 3});
        Tensor other = amax(contiguous(permute(x, {0, 1, 3, 2})), {3, 2});  // The same rows, transposed.
        Tensor strided = amax(permute(x, {0, 1, 3, 2}), {2, 3});             // Not contiguous: dim by dim.
        EXPECT_EQ(fast.shape(), (Shape{3, 5}));
        EXPECT_EQ(to_vector<double>(to(fast, DType::Float64)), to_vector<double>(to(strided, DType::Float64)));
        EXPECT_EQ(to_vector<double>(to(fast, DType::Float64)), to_vector<double>(to(other, DType::Float64)));
        EXPECT_EQ(amax(x, {2, 3}, true).shape(), (Shape{3, 5, 1, 1}));
        Tensor y = to(tensor({1.0, NAN, 3.0, -INFINITY, -INFINITY, -INFINITY, 2.0, INFINITY, 0.0}), dt);
        const auto rows = to_vector<double>(to(amax(reshape(y, {3, 3}), {1}), DType::Float64));
        EXPECT_TRUE(std::isnan(rows[0]));
        EXPECT_EQ(rows[1], -INFINITY);
        EXPECT_EQ(rows[2], INFINITY);
        // Rows longer than a vector: a NaN or the maximum in the first vector, a later one or the tail.
        for (int64_t at : {0, 5, 17, 33, 39}) {
            Tensor r = to(sub(arange(40, DType::Float64), 100.0), dt);
            std::vector<double> v = to_vector<double>(to(r, DType::Float64));
            v[static_cast<size_t>(at)] = 7.5;
            EXPECT_EQ(amax(to(from_vector<double>(v, {1, 40}), dt), {1}).item<double>(), 7.5) << at;
            v[static_cast<size_t>(at)] = NAN;
            EXPECT_TRUE(std::isnan(amax(to(from_vector<double>(v, {1, 40}), dt), {1}).item<double>())) << at;
        }
    }
    EXPECT_EQ(to_vector<int64_t>(amax(reshape(arange(12), {3, 4}), {1})), (std::vector<int64_t>{3, 7, 11}));
}

// ReLU's gradient takes one fused pass when no graph is wanted and where() under create_graph:
// the same values, on zeros, negative zeros, NaN and infinities, in float and double.
TEST(Math, ReluGradientIsTheSameWithAndWithoutAGraph) {
    for (DType dt : {DType::Float32, DType::Float64}) {
        Tensor x = to(tensor({-2.0, -0.0, 0.0, 1e-30, 3.0, NAN, INFINITY, -INFINITY}), dt).requires_grad_();
        Tensor up = to(tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, -8.0}), dt);
        Tensor fused = autograd::grad({sum(mul(relu(x), up))}, {x})[0];
        // An upstream gradient that itself needs a graph takes the where() rule.
        Tensor up_g = clone(up).requires_grad_();
        Tensor graph = autograd::grad({sum(mul(relu(x), up_g))}, {x}, {}, {.create_graph = true})[0];
        EXPECT_TRUE(graph.requires_grad());
        EXPECT_EQ(to_vector<double>(to(fused, DType::Float64)), (std::vector<double>{0, 0, 0, 4, 5, 0, 7, 0}));
        EXPECT_EQ(to_vector<double>(to(graph, DType::Float64)), to_vector<double>(to(fused, DType::Float64)));
    }
}

TEST(Math, StableFunctionsStayFinite) {
    Tensor big = tensor({1e4, -1e4, 0}, DType::Float32);
    auto s = to_vector<float>(sigmoid(big));
    EXPECT_EQ(s[0], 1.0f);
    EXPECT_EQ(s[1], 0.0f);
    EXPECT_NEAR(logsumexp(big, {0}).item<float>(), 1e4, 1e-2);
    auto ls = to_vector<float>(log_softmax(big, 0));
    EXPECT_EQ(ls[0], 0.0f);
    EXPECT_TRUE(std::isfinite(ls[2]));
    Tensor all_neg_inf = full({3}, -INFINITY);
    EXPECT_EQ(logsumexp(all_neg_inf, {0}).item<float>(), -INFINITY);
}

TEST(Math, ReductionsOverDimsAndKeepdim) {
    Tensor x = reshape(arange(24, DType::Float64), {2, 3, 4});
    EXPECT_EQ(sum(x, {0, 2}).shape(), (Shape{3}));
    EXPECT_EQ(to_vector<double>(sum(x, {0, 2})), (std::vector<double>{60, 92, 124}));
    EXPECT_EQ(sum(x, {1}, true).shape(), (Shape{2, 1, 4}));
    EXPECT_EQ(to_vector<double>(mean(x, {-1})), (std::vector<double>{1.5, 5.5, 9.5, 13.5, 17.5, 21.5}));
    EXPECT_EQ(to_vector<int64_t>(argmax(x, 1)), (std::vector<int64_t>{2, 2, 2, 2, 2, 2, 2, 2}));
    EXPECT_EQ(argmax(x).item<int64_t>(), 23);
    EXPECT_EQ(argmin(neg(x)).item<int64_t>(), 23);
    EXPECT_NEAR(var(x).item<double>(), 50.0, 1e-12);
    EXPECT_THROW(sum(x, {0, 0}), ValueError);
    EXPECT_THROW(sum(x, {3}), IndexError);
    EXPECT_THROW(max(zeros({0})), ValueError);
    EXPECT_THROW(mean(arange(3)), DTypeError);
}

// Sums are split into fixed chunks combined in order, so any thread count gives the same bits.
TEST(Math, ReductionsDoNotDependOnThreadCount) {
    int saved = num_threads();
    Generator g(5);
    Tensor x = randn({3, 1000003}, DType::Float32, &g);
    set_num_threads(1);
    float a = sum(x).item<float>();
    auto rows1 = to_vector<float>(sum(x, {1}));
    auto cols1 = to_vector<float>(sum(x, {0}));
    set_num_threads(2);
    float b = sum(x).item<float>();
    auto rows2 = to_vector<float>(sum(x, {1}));
    auto cols2 = to_vector<float>(sum(x, {0}));
    set_num_threads(saved);
    EXPECT_EQ(a, b);
    EXPECT_EQ(rows1, rows2);
    EXPECT_EQ(cols1, cols2);
}

TEST(Math, FloatSumsAccumulateInDouble) {
    // 1e7 ones plus a small term: a float accumulator would stall at 2^24.
    Tensor x = ones({20000000});
    EXPECT_EQ(sum(x).item<float>(), 20000000.0f);
}

TEST(Factory, RangesAndConstants) {
    EXPECT_EQ(to_vector<int64_t>(arange(0, 10, 3)), (std::vector<int64_t>{0, 3, 6, 9}));
    EXPECT_EQ(to_vector<float>(arange(1, 0, -0.25, DType::Float32)), (std::vector<float>{1, 0.75, 0.5, 0.25}));
    EXPECT_EQ(to_vector<float>(linspace(0, 1, 5)), (std::vector<float>{0, 0.25, 0.5, 0.75, 1}));
    EXPECT_EQ(to_vector<float>(eye(2, 3)), (std::vector<float>{1, 0, 0, 0, 1, 0}));
    EXPECT_EQ(to_vector<float>(full({2}, 7)), (std::vector<float>{7, 7}));
    EXPECT_EQ(ones_like(zeros({2}, DType::Int64)).dtype(), DType::Int64);
    EXPECT_THROW(arange(0, 1, 0), ValueError);
    EXPECT_THROW(from_vector<float>({1, 2, 3}, {2, 2}), ShapeError);
}

TEST(Index, GatherScatterOneHotTri) {
    Tensor x = reshape(arange(6, DType::Float32), {2, 3});
    Tensor idx = from_vector<int64_t>({2, 0}, {2, 1});
    EXPECT_EQ(to_vector<float>(gather(x, 1, idx)), (std::vector<float>{2, 3}));
    EXPECT_EQ(to_vector<float>(index_select(x, 1, from_vector<int64_t>({2, 2}, {2}))),
              (std::vector<float>{2, 2, 5, 5}));
    Tensor acc = scatter_add(zeros({4}), 0, from_vector<int64_t>({1, 1, 3}, {3}), ones({3}));
    EXPECT_EQ(to_vector<float>(acc), (std::vector<float>{0, 2, 0, 1}));
    EXPECT_EQ(to_vector<int64_t>(one_hot(from_vector<int64_t>({2, 0}, {2}))),
              (std::vector<int64_t>{0, 0, 1, 1, 0, 0}));
    EXPECT_EQ(to_vector<float>(tril(ones({2, 2}))), (std::vector<float>{1, 0, 1, 1}));
    EXPECT_EQ(to_vector<float>(triu(ones({2, 2}), 1)), (std::vector<float>{0, 1, 0, 0}));
    EXPECT_EQ(to_vector<float>(masked_fill(x, gt(x, 3), -1)), (std::vector<float>{0, 1, 2, 3, -1, -1}));
}

TEST(Index, OutOfRangeIndicesThrowInsteadOfReading) {
    Tensor x = zeros({2, 3});
    try {
        gather(x, 1, from_vector<int64_t>({0, 3}, {2, 1}));
        FAIL();
    } catch (const IndexError& e) {
        EXPECT_STREQ(e.what(), "gather: index 3 (at flat position 1) is out of range for dim 1 "
                               "of size 3 in [2, 3] float32");
    }
    EXPECT_THROW(index_select(x, 0, from_vector<int64_t>({-1}, {1})), IndexError);
    EXPECT_THROW(scatter_add(x, 0, from_vector<int64_t>({2, 0, 0}, {1, 3}), ones({1, 3})), IndexError);
    EXPECT_THROW(gather(x, 1, zeros({2, 1})), DTypeError);
}

TEST(Linalg, MatmulShapesAndErrors) {
    EXPECT_EQ(matmul(ones({5, 2, 3}), ones({3, 4})).shape(), (Shape{5, 2, 4}));
    EXPECT_EQ(matmul(ones({3}), ones({2, 3, 4})).shape(), (Shape{2, 4}));
    EXPECT_EQ(matmul(ones({2, 1, 2, 3}), ones({5, 3, 4})).shape(), (Shape{2, 5, 2, 4}));
    EXPECT_EQ(to_vector<int64_t>(matmul(ones({2, 2}, DType::Int64), ones({2, 1}, DType::Int64))),
              (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(to_vector<float>(mm(zeros({2, 0}), zeros({0, 2}))), (std::vector<float>{0, 0, 0, 0}));
    try {
        matmul(ones({32, 128}), ones({64, 10}));
        FAIL();
    } catch (const ShapeError& e) {
        EXPECT_STREQ(e.what(), "mm: inner dimensions differ: a is [32, 128] float32, b is [64, 10] float32");
    }
    EXPECT_THROW(mm(ones({2, 2}), ones({2, 2}, DType::Float64)), DTypeError);
}

// The BLAS path (with transposes as flags) against the reference loops, all four layouts.
TEST(Linalg, BlasAgreesWithReferenceGemm) {
    Generator g(11);
    Tensor a = randn({37, 53}, DType::Float32, &g), b = randn({53, 29}, DType::Float32, &g);
    for (bool ta : {false, true}) {
        for (bool tb : {false, true}) {
            Tensor A = ta ? t(contiguous(t(a))) : a;  // Same values, column-major storage.
            Tensor B = tb ? t(contiguous(t(b))) : b;
            auto got = to_vector<float>(mm(A, B));
            std::vector<float> want(37 * 29);
            kernels::gemm_ref<float>(false, false, 37, 29, 53, 1.0f, a.data<float>(), 53,
                                     b.data<float>(), 29, 0.0f, want.data(), 29);
            for (size_t i = 0; i < want.size(); ++i) {
                // K = 53 products of N(0,1) values: a few ulps of the result's magnitude.
                ASSERT_NEAR(got[i], want[i], 1e-4f) << ta << tb << " at " << i;
            }
        }
    }
}

// Products large enough to be split between threads (by rows when M >= N, else by columns),
// in all four layouts, with padded leading dimensions and beta = 1, against the reference.
TEST(Linalg, SplitBlasGemmAgreesWithReference) {
    int saved = num_threads();
    Generator g(13);
    for (auto [M, N, K] : {std::array<int64_t, 3>{150, 90, 100}, {90, 150, 100}, {33, 700, 64}}) {
        for (bool ta : {false, true}) {
            for (bool tb : {false, true}) {
                const int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 5, ldc = N + 7;
                Tensor A = randn({(ta ? K : M) * lda}, DType::Float32, &g);
                Tensor B = randn({(tb ? N : K) * ldb}, DType::Float32, &g);
                Tensor C0 = randn({M * ldc}, DType::Float32, &g);
                std::vector<float> want = to_vector<float>(C0);
                kernels::gemm_ref<float>(ta, tb, M, N, K, 0.5f, A.data<float>(), lda, B.data<float>(), ldb, 1.0f,
                                         want.data(), ldc);
                for (int threads : {1, 2}) {
                    set_num_threads(threads);
                    std::vector<float> got = to_vector<float>(C0);
                    kernels::gemm<float>(ta, tb, M, N, K, 0.5f, A.data<float>(), lda, B.data<float>(), ldb, 1.0f,
                                         got.data(), ldc);
                    for (size_t i = 0; i < want.size(); ++i) {
                        ASSERT_NEAR(got[i], want[i], 1e-4f * std::sqrt(static_cast<float>(K)))
                            << M << "x" << N << "x" << K << " ta=" << ta << " tb=" << tb << " threads=" << threads
                            << " at " << i;
                    }
                }
            }
        }
    }
    set_num_threads(saved);
}

// BLAS may block a product differently with more threads, so matmul is the one op whose
// result can change with the thread count: only by float rounding, which this bounds.
TEST(Linalg, MatmulAgreesAcrossThreadCountsUpToRounding) {
    int saved = num_threads();
    Generator g(12);
    Tensor a = randn({300, 400}, DType::Float32, &g), b = randn({400, 200}, DType::Float32, &g);
    set_num_threads(1);
    auto one = to_vector<float>(mm(a, b));
    set_num_threads(2);
    auto two = to_vector<float>(mm(a, b));
    set_num_threads(saved);
    for (size_t i = 0; i < one.size(); ++i) {
        // Sums of 400 products of N(0,1) numbers (|result| ~ 20): float rounding ~1e-5.
        ASSERT_NEAR(one[i], two[i], 1e-4f) << i;
    }
}

TEST(Inplace, BumpsVersionAndBroadcasts) {
    Tensor x = zeros({2, 3});
    uint64_t v = x.version();
    add_(x, tensor({1, 2, 3}));
    EXPECT_GT(x.version(), v);
    EXPECT_EQ(to_vector<float>(x), (std::vector<float>{1, 2, 3, 1, 2, 3}));
    mul_(x, 2.0);
    EXPECT_EQ(to_vector<float>(x)[5], 6.0f);
    Tensor row = select(x, 0, 1);
    zero_(row);  // Writes through the view.
    EXPECT_EQ(to_vector<float>(x), (std::vector<float>{2, 4, 6, 0, 0, 0}));
    EXPECT_THROW(add_(row, ones({2, 3})), ShapeError);
    copy_(x, tensor({9, 8, 7}));
    EXPECT_EQ(to_vector<float>(x)[3], 9.0f);
}

}  // namespace
}  // namespace kaya
