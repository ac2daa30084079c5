// SPDX-License-Identifier: MIT
// Edge cases, first as regression tests for what a review found (each failed before its fix:
// a SIGFPE, an internal error, silent garbage or a misleading message), then systematically
// over every op case of tests/support/op_cases.cpp: zero-size inputs, 0-d inputs, float32 mixed
// with float64, and bitwise-equal results at 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "kaya/ops/ops.h"
#include "support/errors.h"
#include "support/op_cases.h"

namespace kaya {
namespace {

using test::error_of;

TEST(EdgeCases, ReductionsOverNothing) {
    EXPECT_EQ(sum(zeros({0})).item<double>(), 0.0);
    EXPECT_TRUE(std::isnan(mean(zeros({2, 0})).item<double>()));
    EXPECT_EQ(sum(zeros({2, 0}), {1}).shape(), (Shape{2}));
    EXPECT_EQ(to_vector<float>(sum(zeros({2, 0}), {1})), (std::vector<float>{0, 0}));
    EXPECT_EQ(logsumexp(zeros({3, 0}), {1}).shape(), (Shape{3}));
    EXPECT_TRUE(std::isinf(logsumexp(zeros({0}), {0}).item<double>()));
    EXPECT_NE(error_of([] { amax(zeros({0}), {0}); }).find("amax: empty"), std::string::npos);
    EXPECT_EQ(softmax(zeros({2, 0}), 1).shape(), (Shape{2, 0}));
    EXPECT_EQ(log_softmax(zeros({0, 3}), 1).shape(), (Shape{0, 3}));
    EXPECT_EQ(error_of([] { softmax(zeros({2, 3}), 5); }).substr(0, 21), "softmax: dimension 5 ");
    EXPECT_EQ(error_of([] { log_softmax(zeros({2, 3}), -3); }).substr(0, 25), "log_softmax: dimension -3");
}

TEST(EdgeCases, ZeroSizeBackwardMatmulAndConv) {
    Tensor a = zeros({3, 0}).requires_grad_(), b = zeros({1, 0}).requires_grad_(), c = zeros({0}).requires_grad_();
    autograd::backward(sum(add(a, b)));
    autograd::backward(sum(mul(a, c)));
    autograd::backward(sum(where(gt(a, 0), a, b)));
    EXPECT_EQ(b.grad().shape(), (Shape{1, 0}));
    EXPECT_EQ(c.grad().shape(), (Shape{0}));
    EXPECT_EQ(matmul(zeros({0, 3}), zeros({3, 4})).shape(), (Shape{0, 4}));
    EXPECT_EQ(to_vector<float>(matmul(zeros({2, 0}), zeros({0, 2}))), (std::vector<float>(4, 0.f)));
    Tensor x = zeros({0, 3, 5, 5}).requires_grad_(), w = randn({2, 3, 3, 3}).requires_grad_();
    autograd::backward(sum(conv2d(x, w)));
    EXPECT_EQ(to_vector<float>(w.grad()), std::vector<float>(54, 0.f));
}

// float32 activations scaled by a float64 0-d parameter, as in PyTorch: each gradient comes back
// in its input's dtype.
TEST(EdgeCases, MixedFloatDtypesBackward) {
    Tensor a = randn({3}).requires_grad_(), s = full({}, 2.0, DType::Float64).requires_grad_();
    using Binary = Tensor (*)(const Tensor&, const Tensor&);
    for (Binary f : {Binary(add), Binary(sub), Binary(mul), Binary(div)}) {
        a.set_grad(Tensor());
        s.set_grad(Tensor());
        Tensor y = f(a, s);
        EXPECT_EQ(y.dtype(), DType::Float32);
        autograd::backward(sum(y));
        EXPECT_EQ(a.grad().dtype(), DType::Float32);
        EXPECT_EQ(s.grad().dtype(), DType::Float64);
    }
    Tensor b = randn({3}, DType::Float64).requires_grad_();
    autograd::backward(sum(where(gt(a, 0), a, b)));
    EXPECT_EQ(b.grad().dtype(), DType::Float64);
    autograd::backward(sum(pow(a, s)));
    EXPECT_EQ(s.grad().dtype(), DType::Float64);
}

TEST(EdgeCases, ImpossibleSizesAreRefused) {
    EXPECT_NE(error_of([] { zeros({int64_t{1} << 62, 4}); }).find("more elements than an int64 can count"),
              std::string::npos);
    EXPECT_NE(error_of([] { zeros({int64_t{1} << 40, int64_t{1} << 40}); }).find("more elements"),
              std::string::npos);
    EXPECT_NE(error_of([] { zeros({int64_t{1} << 61}, DType::Float64); }).find("more bytes"), std::string::npos);
    EXPECT_NE(error_of([] { zeros({int64_t{1} << 44}); }).find("more than this machine's"), std::string::npos);
    EXPECT_EQ(zeros({int64_t{1} << 62, 4, 0}).numel(), 0);  // Holds nothing: not an overflow.
}

TEST(EdgeCases, SmallerFindings) {
    // Integers to negative powers: refused (PyTorch's rule), not silent zeros.
    EXPECT_NE(error_of([] { pow(from_vector<int64_t>({2, 3}, {2}), -1); }).find("negative integer powers"),
              std::string::npos);
    EXPECT_EQ(to_vector<int64_t>(pow(from_vector<int64_t>({2, 3}, {2}), 2)), (std::vector<int64_t>{4, 9}));
    // A seed of the wrong dtype is a dtype error.
    Tensor x = ones({2}).requires_grad_();
    EXPECT_THROW(autograd::backward(mul(x, 2.0), ones({2}, DType::Float64)), DTypeError);
    EXPECT_THROW(autograd::backward(mul(x, 2.0), ones({3})), ShapeError);
    // Errors name the op the user called and the tensors they passed.
    EXPECT_EQ(error_of([] { one_hot(from_vector<int64_t>({0, 5}, {2}), 3); }),
              "one_hot: class 5 (at flat position 1 of [2] int64) is out of range for num_classes 3");
    EXPECT_EQ(error_of([] { index_select(zeros({3, 2}), 0, from_vector<int64_t>({0, 7}, {2})); }),
              "index_select: index 7 (at flat position 1) is out of range for dim 0 of size 3 in [3, 2] float32");
    // Double backward through |x| (l1_loss): 0, as PyTorch gives.
    Tensor v = from_vector<double>({1, -2}, {2}).requires_grad_();
    auto g = autograd::grad({mean(abs(v))}, {v}, {}, {.create_graph = true});
    auto gg = autograd::grad({sum(g[0])}, {v});
    EXPECT_EQ(to_vector<double>(gg[0]), (std::vector<double>{0, 0}));
    // backward of a leaf fills its own .grad, as the header now says.
    Tensor leaf = ones({2}).requires_grad_();
    autograd::backward(leaf, full({2}, 3.0));
    EXPECT_EQ(to_vector<float>(leaf.grad()), (std::vector<float>{3, 3}));
}

// A float32 product whose rows are split between threads: the same bits at 1 and 2 threads.
TEST(EdgeCases, MatmulIsBitwiseIdenticalAtAnyThreadCount) {
    Generator g(3);
    Tensor a = randn({512, 64}, DType::Float32, &g), b = randn({64, 256}, DType::Float32, &g);
    const int before = num_threads();
    set_num_threads(1);
    const auto one = to_vector<float>(matmul(a, b));
    const auto one_t = to_vector<float>(matmul(transpose(b, 0, 1), transpose(a, 0, 1)));
    set_num_threads(2);
    const auto two = to_vector<float>(matmul(a, b));
    const auto two_t = to_vector<float>(matmul(transpose(b, 0, 1), transpose(a, 0, 1)));
    set_num_threads(before);
    EXPECT_EQ(one, two);
    EXPECT_EQ(one_t, two_t);
}

// ---- The op list, systematically ----

class OpEdges : public ::testing::TestWithParam<test::OpCase> {};

// Inputs for a case with the given shapes and dtypes, each requiring grad.
std::vector<Tensor> inputs(const test::OpCase& c, const std::vector<Shape>& shapes, const std::vector<DType>& dtypes) {
    std::vector<Tensor> in;
    Generator g(11);
    for (size_t i = 0; i < shapes.size(); ++i) {
        in.push_back(uniform(shapes[i], c.lo, c.hi, dtypes[i], &g).requires_grad_());
    }
    return in;
}

// Forward and backward of a case; "" when both ran, the kaya::Error message otherwise. An
// internal error, or a gradient of another shape or dtype than its input, fails the test.
std::string try_case(const test::OpCase& c, const std::vector<Tensor>& in) {
    std::string err;
    try {
        err = error_of([&] {
            Tensor out = c.f(in);
            if (out.requires_grad()) autograd::backward(sum(mul(out, out)));
        });
    } catch (const std::out_of_range& e) {
        // The case's own code takes pieces of a split that an empty input does not have.
        return std::string("case: ") + e.what();
    }
    EXPECT_EQ(err.find("internal error"), std::string::npos) << c.name << ": " << err;
    for (const auto& t : in) {
        if (!err.empty() || !t.grad().defined()) continue;
        EXPECT_EQ(t.grad().shape(), t.shape()) << c.name;
        EXPECT_EQ(t.grad().dtype(), t.dtype()) << c.name;
    }
    return err;
}

TEST_P(OpEdges, ZeroSizeInputsNeverCrash) {
    const auto& c = GetParam();
    // Dim 0 of every input set to 0, then of one input at a time: an op either computes an empty
    // (or reduced) result with gradients of the inputs' shapes, or refuses with a kaya::Error.
    std::vector<std::vector<Shape>> variants;
    std::vector<Shape> all = c.shapes;
    for (auto& s : all) {
        if (!s.empty()) s[0] = 0;
    }
    variants.push_back(all);
    for (size_t i = 0; i < c.shapes.size(); ++i) {
        std::vector<Shape> one = c.shapes;
        if (!one[i].empty()) one[i][0] = 0;
        variants.push_back(one);
    }
    for (const auto& shapes : variants) {
        try_case(c, inputs(c, shapes, std::vector<DType>(shapes.size(), DType::Float32)));
    }
}

TEST_P(OpEdges, ZeroDimInputsNeverCrash) {
    const auto& c = GetParam();
    const std::vector<Shape> scalars(c.shapes.size(), Shape{});
    try_case(c, inputs(c, scalars, std::vector<DType>(scalars.size(), DType::Float32)));
}

TEST_P(OpEdges, MixedFloatDtypesGiveEachInputItsDtype) {
    const auto& c = GetParam();
    if (c.shapes.size() < 2) GTEST_SKIP() << "one input";
    for (size_t i = 0; i < c.shapes.size(); ++i) {
        std::vector<DType> dtypes(c.shapes.size(), DType::Float32);
        dtypes[i] = DType::Float64;
        const std::string err = try_case(c, inputs(c, c.shapes, dtypes));
        // The ops that refuse mixed dtypes (matmul, conv) say so as a dtype error.
        if (!err.empty()) EXPECT_NE(err.find("float64"), std::string::npos) << c.name << ": " << err;
    }
}

// Each case with dim 0 of its first input scaled up to about 10^5 elements (where the op allows
// it) so that the kernels split work between threads: output and gradients bitwise equal at 1
// and 2 threads.
TEST_P(OpEdges, BitwiseIdenticalAtOneAndTwoThreads) {
    const auto& c = GetParam();
    std::vector<Shape> big = c.shapes;
    if (!big[0].empty()) big[0][0] *= std::max<int64_t>(1, 100000 / std::max<int64_t>(numel(big[0]), 1));
    auto run = [&](int threads, std::vector<Shape> shapes) {
        set_num_threads(threads);
        auto in = inputs(c, shapes, std::vector<DType>(shapes.size(), DType::Float32));
        Tensor out = c.f(in);
        autograd::backward(sum(mul(out, out)));
        std::vector<std::vector<float>> r{to_vector<float>(out)};
        for (const auto& t : in) r.push_back(to_vector<float>(t.grad()));
        return r;
    };
    const int before = num_threads();
    std::vector<Shape> shapes = big;
    if (!error_of([&] { run(1, big); }).empty()) shapes = c.shapes;  // The op needs its own shapes.
    const auto one = run(1, shapes), two = run(2, shapes);
    set_num_threads(before);
    ASSERT_EQ(one.size(), two.size());
    for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], two[i]) << c.name << " result " << i;
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpEdges, ::testing::ValuesIn(test::op_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace kaya
