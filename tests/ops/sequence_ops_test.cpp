// SPDX-License-Identifier: MIT
// The sequence ops' own rules beyond the PyTorch comparisons of reference_test.cpp: fully
// masked attention rows, numerically hard layer norms, and every error path.
#include <gtest/gtest.h>

#include <cmath>

#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya {
namespace {

using test::error_of;

TEST(Attention, AFullyMaskedQueryGetsZerosNotNaN) {
    manual_seed(3);
    Tensor q = randn({2, 3, 4}).requires_grad_(true);
    Tensor k = randn({2, 5, 4}).requires_grad_(true);
    Tensor v = randn({2, 5, 2}).requires_grad_(true);
    // Query 1 of batch 0 may see no key at all.
    std::vector<bool> allowed(2 * 3 * 5, true);
    for (int s = 0; s < 5; ++s) allowed[1 * 5 + s] = false;
    Tensor mask = from_vector<bool>(allowed, {2, 3, 5});
    Tensor out = scaled_dot_product_attention(q, k, v, {.mask = mask});
    auto row = to_vector<float>(select(select(out, 0, 0), 0, 1));
    EXPECT_EQ(row, std::vector<float>(2, 0.0f));
    EXPECT_NE(to_vector<float>(select(select(out, 0, 0), 0, 0))[0], 0.0f);
    autograd::backward(sum(out));
    for (const Tensor* t : {&q, &k, &v}) {
        for (float g : to_vector<float>(t->grad())) EXPECT_TRUE(std::isfinite(g));
    }
    // No gradient reaches the fully masked query.
    EXPECT_EQ(to_vector<float>(select(select(q.grad(), 0, 0), 0, 1)), std::vector<float>(4, 0.0f));
}

TEST(Attention, AFloatMaskOfMinusInfinityBehavesLikeTheBoolMask) {
    manual_seed(4);
    Tensor q = randn({3, 4}), k = randn({5, 4}), v = randn({5, 3});
    Tensor allowed = causal_mask(3, 5);
    Tensor additive = where(allowed, zeros({3, 5}), -INFINITY);
    Tensor a = scaled_dot_product_attention(q, k, v, {.mask = allowed});
    Tensor b = scaled_dot_product_attention(q, k, v, {.mask = additive});
    Tensor c = scaled_dot_product_attention(q, k, v, {.is_causal = true});
    EXPECT_EQ(to_vector<float>(a), to_vector<float>(b));
    EXPECT_EQ(to_vector<float>(a), to_vector<float>(c));
}

TEST(Attention, CausalMaskAlignsQueriesWithTheLastKeys) {
    // Two new queries after three cached keys: query 0 sees keys 0-3, query 1 all five.
    EXPECT_EQ(to_vector<bool>(causal_mask(2, 5)),
              (std::vector<bool>{true, true, true, true, false, true, true, true, true, true}));
}

TEST(Attention, ErrorsNameTheProblem) {
    Tensor q = zeros({2, 3, 4}), k = zeros({2, 5, 4}), v = zeros({2, 5, 2});
    EXPECT_NE(error_of([&] { scaled_dot_product_attention(q, zeros({2, 5, 3}), v); })
                  .find("feature sizes differ"),
              std::string::npos);
    EXPECT_NE(error_of([&] { scaled_dot_product_attention(q, k, zeros({2, 4, 2})); })
                  .find("one length"),
              std::string::npos);
    EXPECT_NE(error_of([&] { scaled_dot_product_attention(q, k, v, {.mask = zeros({3, 4}, DType::Bool)}); })
                  .find("does not broadcast"),
              std::string::npos);
    EXPECT_NE(error_of([&] { scaled_dot_product_attention(q, k, v, {.mask = zeros({3, 5}, DType::Int64)}); })
                  .find("mask must be bool"),
              std::string::npos);
    EXPECT_NE(error_of([&] { scaled_dot_product_attention(zeros({2, 6, 4}), k, v, {.is_causal = true}); })
                  .find("is_causal"),
              std::string::npos);
}

TEST(LayerNorm, LargeOffsetsKeepFloat32Accuracy) {
    // Rows with mean 1e4 and spread 1: E[x^2] - E[x]^2 would lose every digit in float32.
    manual_seed(5);
    Tensor x = add(randn({4, 64}), 1e4);
    Tensor y32 = layer_norm(x, {64});
    Tensor y64 = layer_norm(to(x, DType::Float64), {64});
    auto a = to_vector<float>(y32);
    auto b = to_vector<double>(y64);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-3) << i;
}

TEST(LayerNorm, ErrorsNameTheProblem) {
    Tensor x = zeros({2, 3, 4});
    EXPECT_NE(error_of([&] { layer_norm(x, {3}); }).find("trailing dims must equal"), std::string::npos);
    EXPECT_NE(error_of([&] { layer_norm(x, {4}, zeros({3})); }).find("expected weight of shape [4]"),
              std::string::npos);
    EXPECT_NE(error_of([&] { layer_norm(x, {4}, Tensor(), zeros({4}, DType::Float64)); })
                  .find("bias is"),
              std::string::npos);
    EXPECT_NE(error_of([&] { layer_norm(zeros({2, 4}, DType::Int64), {4}); }).find("floating"),
              std::string::npos);
}

TEST(Embedding, ErrorsNameTheProblem) {
    Tensor w = zeros({5, 3});
    EXPECT_NE(error_of([&] { embedding(from_vector<int64_t>({1, 5}, {2}), w); })
                  .find("index 5 (at flat position 1)"),
              std::string::npos);
    EXPECT_NE(error_of([&] { embedding(zeros({2}), w); }).find("must be an int64"), std::string::npos);
    EXPECT_NE(error_of([&] { embedding(zeros({2}, DType::Int64), zeros({5})); }).find("2-D table"),
              std::string::npos);
    EXPECT_NE(error_of([&] { embedding(zeros({2}, DType::Int64), w, 7); }).find("padding_idx 7"),
              std::string::npos);
}

// Fused recurrences against their step-by-step definition in float32, at sizes that leave
// vector tails (H = 37), with lengths; and bitwise equal at 1 and 2 threads.
TEST(Recurrence, FusedKernelsMatchTheStepwiseOps) {
    manual_seed(8);
    const int64_t T = 9, N = 5, H = 37;
    Tensor valid = lt(reshape(arange(T), {T, 1}), reshape(from_vector<int64_t>({9, 3, 1, 7, 9}, {5}), {1, N}));
    for (bool lstm : {true, false}) {
        SCOPED_TRACE(lstm ? "lstm" : "gru");
        const int64_t G = lstm ? 4 : 3;
        Tensor xg = randn({T, N, G * H}).requires_grad_(true);
        Tensor w = mul(randn({G * H, H}), 0.3).requires_grad_(true);
        Tensor b = randn({G * H}).requires_grad_(true);
        Tensor h0 = randn({N, H}).requires_grad_(true), c0 = randn({N, H}).requires_grad_(true);
        auto run = [&](bool fused) {
            RecurrenceResult r = lstm ? (fused ? lstm_recurrence : lstm_recurrence_stepwise)(xg, w, h0, c0, valid)
                                      : (fused ? gru_recurrence : gru_recurrence_stepwise)(xg, w, b, h0, valid);
            Tensor all = cat({reshape(r.output, {-1}), reshape(r.h_n, {-1}),
                              lstm ? reshape(r.c_n, {-1}) : zeros({0})});
            std::vector<Tensor> ins{xg, w, h0};
            if (lstm) ins.push_back(c0); else ins.push_back(b);
            auto grads = autograd::grad({all}, ins, {cos(all)});
            grads.insert(grads.begin(), all);
            return grads;
        };
        auto fused = run(true), stepwise = run(false);
        for (size_t i = 0; i < fused.size(); ++i) {
            auto a = to_vector<float>(fused[i]), e = to_vector<float>(stepwise[i]);
            ASSERT_EQ(a.size(), e.size());
            for (size_t k = 0; k < a.size(); ++k) ASSERT_NEAR(a[k], e[k], 2e-5 * (1 + std::abs(e[k]))) << i << " " << k;
        }
        set_num_threads(1);
        auto one = run(true);
        set_num_threads(2);
        auto two = run(true);
        for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(to_vector<float>(one[i]), to_vector<float>(two[i])) << i;
    }
}

TEST(Recurrence, ErrorsNameTheProblem) {
    Tensor xg = zeros({3, 2, 8}), w = zeros({8, 2}), h = zeros({2, 2});
    EXPECT_NE(error_of([&] { lstm_recurrence(xg, zeros({8, 3}), h, h); }).find("w_hh must be (4H, H)"), std::string::npos);
    EXPECT_NE(error_of([&] { lstm_recurrence(zeros({3, 2, 6}), w, h, h); }).find("xg must be (T, N, 8)"), std::string::npos);
    EXPECT_NE(error_of([&] { lstm_recurrence(xg, w, zeros({3, 2}), h); }).find("h0 must be [2, 2]"), std::string::npos);
    EXPECT_NE(error_of([&] { lstm_recurrence(xg, w, h, h, zeros({3, 2})); }).find("valid must be bool [3, 2]"), std::string::npos);
    EXPECT_NE(error_of([&] { gru_recurrence(zeros({3, 2, 6}), zeros({6, 2}), zeros({5}), h); }).find("b_hh must be [6]"), std::string::npos);
}

}  // namespace
}  // namespace kaya
