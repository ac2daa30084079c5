// SPDX-License-Identifier: MIT
// gradcheck and gradgradcheck on every differentiable op, in float64, on contiguous,
// non-contiguous and broadcast inputs, plus the "used twice" accumulation check.
#include <gtest/gtest.h>

#include <cmath>

#include "kaya/autograd/gradcheck.h"
#include "kaya/ops/ops.h"
#include "support/op_cases.h"

namespace kaya {
namespace {

using autograd::Function;
using test::OpCase;

// Inputs drawn in [lo, hi) with a seed per case; non_contiguous builds each >= 2-D input as a
// transposed view of a tensor with the last two dims swapped.
std::vector<Tensor> make_inputs(const OpCase& c, bool non_contiguous, uint64_t seed) {
    Generator gen(seed);
    std::vector<Tensor> xs;
    for (const auto& s : c.shapes) {
        Tensor x;
        if (non_contiguous && s.size() >= 2) {
            Shape swapped = s;
            std::swap(swapped[s.size() - 1], swapped[s.size() - 2]);
            x = transpose(uniform(swapped, c.lo, c.hi, DType::Float64, &gen), -1, -2);
            EXPECT_TRUE(x.is_contiguous() == false || s[s.size() - 1] == 1 || s[s.size() - 2] == 1);
        } else {
            x = uniform(s, c.lo, c.hi, DType::Float64, &gen);
        }
        x.requires_grad_(true);
        xs.push_back(x);
    }
    return xs;
}

Function wrap(const OpCase& c) {
    return [f = c.f](const std::vector<Tensor>& xs) { return std::vector<Tensor>{f(xs)}; };
}

class OpGrad : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpGrad, Gradcheck) {
    auto xs = make_inputs(GetParam(), false, 7);
    auto r = autograd::gradcheck(wrap(GetParam()), xs);
    EXPECT_TRUE(r.ok) << r.message;
}

TEST_P(OpGrad, GradcheckNonContiguous) {
    auto xs = make_inputs(GetParam(), true, 8);
    auto r = autograd::gradcheck(wrap(GetParam()), xs);
    EXPECT_TRUE(r.ok) << r.message;
}

TEST_P(OpGrad, Gradgradcheck) {
    auto xs = make_inputs(GetParam(), false, 9);
    auto r = autograd::gradgradcheck(wrap(GetParam()), xs);
    EXPECT_TRUE(r.ok) << r.message;
}

// y = f(x) + f(x): every input must receive exactly twice the gradient of f alone.
TEST_P(OpGrad, UsedTwiceAccumulates) {
    auto xs = make_inputs(GetParam(), false, 10);
    const auto& f = GetParam().f;
    Tensor once = f(xs);
    Tensor seed = uniform(once.shape(), -1, 1, DType::Float64);
    std::vector<Tensor> wrt = xs;
    auto g1 = autograd::grad({once}, wrt, {seed}, {.allow_unused = true});
    Tensor twice = add(f(xs), f(xs));
    auto g2 = autograd::grad({twice}, wrt, {seed}, {.allow_unused = true});
    for (size_t i = 0; i < xs.size(); ++i) {
        ASSERT_EQ(g1[i].defined(), g2[i].defined());
        if (!g1[i].defined()) continue;
        auto a = to_vector<double>(g1[i]), b = to_vector<double>(g2[i]);
        for (size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(2 * a[k], b[k], 1e-12) << "input " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpGrad, ::testing::ValuesIn(test::op_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace kaya
