// SPDX-License-Identifier: MIT
// rfft, irfft and unfold beyond the shared op cases: error messages, batch dims, round trips.
#include <gtest/gtest.h>

#include "kaya/ops/ops.h"

namespace kaya {
namespace {

TEST(FftOp, RoundTripOverBatchDimsAndLengths) {
    for (int64_t n : {1, 2, 5, 16, 400}) {
        Tensor x = uniform({2, 3, n}, -1, 1, DType::Float64);
        Tensor back = irfft(rfft(x), n);
        ASSERT_EQ(back.shape(), x.shape());
        auto a = to_vector<double>(x), b = to_vector<double>(back);
        for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-12) << n;
    }
}

TEST(FftOp, ShapesFollowTorch) {
    EXPECT_EQ(rfft(zeros({4, 10})).shape(), (Shape{4, 6, 2}));
    EXPECT_EQ(rfft(zeros({10}), 15).shape(), (Shape{8, 2}));
    EXPECT_EQ(irfft(zeros({4, 6, 2})).shape(), (Shape{4, 10}));
    EXPECT_EQ(irfft(zeros({6, 2}), 5).shape(), (Shape{5}));
    EXPECT_EQ(unfold(zeros({2, 10, 3}), 1, 4, 2).shape(), (Shape{2, 4, 3, 4}));
}

TEST(FftOp, BadInputsThrowNamingTheOp) {
    EXPECT_THROW(rfft(zeros({3}, DType::Int64)), DTypeError);
    EXPECT_THROW(rfft(zeros({3, 0})), ShapeError);
    EXPECT_THROW(rfft(zeros({3}), 0), ValueError);
    EXPECT_THROW(irfft(zeros({4, 3})), ShapeError);
    EXPECT_THROW(irfft(zeros({1, 2})), ValueError);
    EXPECT_THROW(unfold(zeros({5}), 0, 6, 1), ValueError);
    EXPECT_THROW(unfold(zeros({5}), 0, 2, 0), ValueError);
    try {
        irfft(zeros({4, 3}));
        FAIL();
    } catch (const ShapeError& e) {
        EXPECT_NE(std::string(e.what()).find("irfft: expected a spectrum"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace kaya
