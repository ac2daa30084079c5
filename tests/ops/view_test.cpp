// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "kaya/ops/ops.h"

namespace kaya {
namespace {

Tensor iota(Shape s) { return reshape(arange(numel(s), DType::Float32), s); }

TEST(View, ViewsShareMemoryAndDoNotCopy) {
    Tensor x = iota({2, 3, 4});
    for (const Tensor& v : {view(x, {6, 4}), permute(x, {2, 0, 1}), transpose(x, 0, 2),
                            narrow(x, 1, 1, 2), select(x, 0, 1), expand(iota({3, 1}), {2, 3, 5}),
                            unsqueeze(x, 1), flatten(x), slice(x, 2, 0, 4, 2)}) {
        EXPECT_EQ(v.storage()->data(), v.is_same(x) ? x.storage()->data() : v.storage()->data());
    }
    Tensor t = transpose(x, 0, 2);
    EXPECT_EQ(t.storage(), x.storage());
    EXPECT_FALSE(t.is_contiguous());
    EXPECT_EQ(t.shape(), (Shape{4, 3, 2}));
    EXPECT_EQ(t.strides(), (Strides{1, 4, 12}));
}

TEST(View, ValuesFollowPyTorchIndexing) {
    Tensor x = iota({2, 3, 4});
    EXPECT_EQ(to_vector<float>(select(x, 1, 2)), (std::vector<float>{8, 9, 10, 11, 20, 21, 22, 23}));
    EXPECT_EQ(to_vector<float>(slice(select(x, 0, 0), 1, 1, 100, 2)),
              (std::vector<float>{1, 3, 5, 7, 9, 11}));
    EXPECT_EQ(to_vector<float>(slice(iota({5}), 0, -3, -1)), (std::vector<float>{2, 3}));
    EXPECT_EQ(to_vector<float>(permute(iota({2, 3}), {1, 0})), (std::vector<float>{0, 3, 1, 4, 2, 5}));
    EXPECT_EQ(to_vector<float>(expand(iota({2, 1}), {2, 3})), (std::vector<float>{0, 0, 0, 1, 1, 1}));
    EXPECT_EQ(squeeze(iota({1, 3, 1})).shape(), (Shape{3}));
    EXPECT_EQ(squeeze(iota({1, 3, 1}), 0).shape(), (Shape{3, 1}));
    EXPECT_EQ(unsqueeze(iota({3}), -1).shape(), (Shape{3, 1}));
    EXPECT_EQ(flatten(iota({2, 3, 4}), 0, 1).shape(), (Shape{6, 4}));
}

TEST(View, ReshapeCopiesOnlyWhenItMust) {
    Tensor x = iota({4, 6});
    Tensor cols = narrow(x, 1, 0, 4);  // Rows are strided but each row is contiguous.
    Tensor v = reshape(cols, {4, 2, 2});
    EXPECT_EQ(v.storage(), x.storage()) << "splitting a dim of a strided view needs no copy";
    Tensor t = transpose(x, 0, 1);
    Tensor r = reshape(t, {24});
    EXPECT_NE(r.storage(), x.storage());
    EXPECT_EQ(to_vector<float>(r)[1], 6.0f);
    EXPECT_THROW(view(t, {24}), ShapeError);
    EXPECT_EQ(contiguous(x).storage(), x.storage());
}

TEST(View, BadArgumentsGiveClearErrors) {
    Tensor x = iota({2, 3});
    EXPECT_THROW(view(x, {4, 2}), ShapeError);
    EXPECT_THROW(reshape(x, {-1, -1}), ShapeError);
    EXPECT_THROW(permute(x, {0}), ShapeError);
    EXPECT_THROW(permute(x, {0, 0}), ValueError);
    EXPECT_THROW(transpose(x, 0, 2), IndexError);
    EXPECT_THROW(narrow(x, 1, 2, 2), IndexError);
    EXPECT_THROW(select(x, 0, 2), IndexError);
    EXPECT_THROW(expand(x, {2, 4}), ShapeError);
    try {
        select(x, 1, 5);
    } catch (const IndexError& e) {
        EXPECT_STREQ(e.what(), "select: index 5 out of range for dim 1 of size 3 ([2, 3] float32)");
    }
}

TEST(Join, CatStackSplitChunk) {
    Tensor a = iota({2, 2}), b = add(iota({1, 2}), 10.0);
    EXPECT_EQ(to_vector<float>(cat({a, b}, 0)), (std::vector<float>{0, 1, 2, 3, 10, 11}));
    EXPECT_EQ(cat({a, to(a, DType::Float64)}, 1).dtype(), DType::Float64);
    EXPECT_EQ(stack({a, a}, 2).shape(), (Shape{2, 2, 2}));
    auto parts = split(iota({5}), 2);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[2].shape(), (Shape{1}));
    EXPECT_EQ(chunk(iota({6}), 4).size(), 3u);  // torch.chunk: ceil(6/4)=2 per piece.
    EXPECT_THROW(cat({a, iota({2, 3})}, 0), ShapeError);
    EXPECT_THROW(stack({a, b}), ShapeError);
    EXPECT_THROW(split_with_sizes(iota({5}), {2, 2}), ShapeError);
}

}  // namespace
}  // namespace kaya
