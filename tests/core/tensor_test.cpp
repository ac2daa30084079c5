// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "kaya/ops/ops.h"

namespace kaya {
namespace {

TEST(Tensor, EmptyHasShapeStridesAndDtype) {
    Tensor t = Tensor::empty({2, 3, 4});
    EXPECT_EQ(t.shape(), (Shape{2, 3, 4}));
    EXPECT_EQ(t.strides(), (Strides{12, 4, 1}));
    EXPECT_EQ(t.dtype(), DType::Float32);
    EXPECT_EQ(t.numel(), 24);
    EXPECT_TRUE(t.is_contiguous());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u) << "storage is 64-byte aligned";
}

TEST(Tensor, CopyIsAHandleOnSharedStorage) {
    Tensor a = zeros({3});
    Tensor b = a;
    fill_(b, 2.0);
    EXPECT_EQ(to_vector<float>(a), (std::vector<float>{2, 2, 2}));
    EXPECT_TRUE(a.is_same(b));
}

TEST(Tensor, NegativeSizesAreRejected) { EXPECT_THROW(Tensor::empty({2, -1}), ValueError); }

TEST(Tensor, DataWithWrongTypeThrows) {
    Tensor t = zeros({2});
    EXPECT_THROW(t.data<double>(), DTypeError);
}

TEST(Tensor, ItemNeedsOneElement) {
    EXPECT_EQ(full({1, 1}, 3.5).item<double>(), 3.5);
    EXPECT_THROW(zeros({2}).item<float>(), ValueError);
}

TEST(Tensor, PrintsLikePyTorch) {
    std::string s = from_vector<int64_t>({1, 2, 3, 4}, {2, 2}).to_string();
    EXPECT_EQ(s, "tensor([[1, 2],\n[3, 4]], shape=[2, 2], dtype=int64)");
}

TEST(Shape, BroadcastFollowsNumPy) {
    EXPECT_EQ(broadcast_shapes({3, 1, 4}, {2, 4}, "t"), (Shape{3, 2, 4}));
    EXPECT_EQ(broadcast_shapes({}, {5}, "t"), (Shape{5}));
    try {
        broadcast_shapes({3, 2}, {4}, "add");
        FAIL();
    } catch (const ShapeError& e) {
        EXPECT_STREQ(e.what(),
                     "add: shapes cannot be broadcast together: [3, 2] and [4] (dimension 1 "
                     "has sizes 2 and 4)");
    }
}

TEST(DType, PromotionFollowsPyTorch) {
    Tensor f32 = zeros({2}), f64 = zeros({2}, DType::Float64), i64 = zeros({2}, DType::Int64);
    Tensor b = zeros({2}, DType::Bool);
    EXPECT_EQ(add(f32, f64).dtype(), DType::Float64);
    EXPECT_EQ(add(i64, f32).dtype(), DType::Float32);
    EXPECT_EQ(add(b, i64).dtype(), DType::Int64);
    // Python-like numbers do not widen tensors of their category...
    EXPECT_EQ(mul(f32, 2.5).dtype(), DType::Float32);
    EXPECT_EQ(mul(i64, 2).dtype(), DType::Int64);
    // ...but a float number lifts an integer tensor to the default float dtype.
    EXPECT_EQ(mul(i64, 2.5).dtype(), DType::Float32);
    // A 0-dim tensor counts less than a dimensioned one of the same category.
    EXPECT_EQ(add(f32, zeros({}, DType::Float64)).dtype(), DType::Float32);
    EXPECT_EQ(add(i64, zeros({}, DType::Float64)).dtype(), DType::Float64);
    // True division of integers gives float32.
    EXPECT_EQ(div(i64, i64).dtype(), DType::Float32);
    EXPECT_EQ(to(f32, DType::Int64).dtype(), DType::Int64);
}

TEST(DType, BoolArithmeticIsRefusedWhereTorchRefuses) {
    Tensor b = zeros({2}, DType::Bool);
    EXPECT_THROW(sub(b, b), DTypeError);
    EXPECT_THROW(neg(b), DTypeError);
    EXPECT_EQ(exp(zeros({2}, DType::Bool)).dtype(), DType::Float32);  // As torch.exp.
}

TEST(Random, SameSeedSameNumbersAnyThreadCount) {
    int saved = num_threads();
    Generator g1(42), g2(42);
    set_num_threads(1);
    auto a = to_vector<float>(randn({100000}, DType::Float32, &g1));
    set_num_threads(2);
    auto b = to_vector<float>(randn({100000}, DType::Float32, &g2));
    set_num_threads(saved);
    EXPECT_EQ(a, b);
}

TEST(Random, DistributionsHaveTheirMoments) {
    Generator g(1);
    Tensor u = rand({200000}, DType::Float64, &g);
    EXPECT_NEAR(mean(u).item<double>(), 0.5, 0.005);
    EXPECT_GE(min(u).item<double>(), 0.0);
    EXPECT_LT(max(u).item<double>(), 1.0);
    Tensor n = randn({200000}, DType::Float64, &g);
    EXPECT_NEAR(mean(n).item<double>(), 0.0, 0.01);
    EXPECT_NEAR(std(n).item<double>(), 1.0, 0.01);
    Tensor bern = bernoulli(full({100000}, 0.3, DType::Float64), &g);
    EXPECT_NEAR(mean(bern).item<double>(), 0.3, 0.01);
    Tensor ri = randint(-3, 4, {100000}, &g);
    EXPECT_EQ(min(ri).item<int64_t>(), -3);
    EXPECT_EQ(max(ri).item<int64_t>(), 3);
    auto perm = to_vector<int64_t>(randperm(1000, &g));
    std::sort(perm.begin(), perm.end());
    for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(perm[i], i);
}

TEST(Random, ManualSeedRestartsTheDefaultGenerator) {
    manual_seed(7);
    auto a = to_vector<float>(rand({5}));
    manual_seed(7);
    EXPECT_EQ(a, to_vector<float>(rand({5})));
    EXPECT_NE(a, to_vector<float>(rand({5})));
}

TEST(Random, BadArgumentsThrow) {
    EXPECT_THROW(bernoulli(full({2}, 1.5)), ValueError);
    EXPECT_THROW(randint(3, 3, {2}), ValueError);
    EXPECT_THROW(randperm(-1), ValueError);
}

}  // namespace
}  // namespace kaya
