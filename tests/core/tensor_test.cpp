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
}
}  // namespace
}  // namespace kaya
