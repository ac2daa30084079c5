// SPDX-License-Identifier: MIT
// Batch normalisation, pooling and channel dropout modules against PyTorch 1.13 with the same
// weights and buffers (support/module_reference.h), and their own rules.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"
#include "support/module_reference.h"

namespace kaya::nn {
namespace {

using test::check_against_pytorch;
using test::Inputs;

TEST(VisionModules, BatchNorm2dTrainingUpdatesRunningStatistics) {
    BatchNorm2d m({.num_features = 3, .momentum = 0.2});
    check_against_pytorch(m, "batchnorm2d_train", [&](const Inputs& in) { return std::vector<Tensor>{m(in.at("x"))}; });
    EXPECT_EQ(m.num_batches_tracked.item<int64_t>(), 5);
    EXPECT_EQ(m.repr(), "BatchNorm2d(3, eps=1e-05, momentum=0.2, affine=True, track_running_stats=True)");
}

TEST(VisionModules, BatchNorm1dCumulativeAverageWithoutAffine) {
    BatchNorm1d m({.num_features = 4, .momentum = std::nullopt, .affine = false});
    check_against_pytorch(m, "batchnorm1d_cumulative", [&](const Inputs& in) { return std::vector<Tensor>{m(in.at("x"))}; });
}

TEST(VisionModules, BatchNorm1dEvaluationUsesRunningStatistics) {
    BatchNorm1d m(5);
    check_against_pytorch(
        m, "batchnorm1d_eval", [&](const Inputs& in) { return std::vector<Tensor>{m(in.at("x"))}; }, 1e-5, true);
    EXPECT_EQ(m.num_batches_tracked.item<int64_t>(), 0);
}

TEST(VisionModules, MaxPool2dWithIndices) {
    MaxPool2d m({.kernel_size = {3, 2}, .stride = std::array<int64_t, 2>{2, 1}, .padding = {1, 0},
                 .dilation = {1, 2}, .ceil_mode = true});
    check_against_pytorch(m, "maxpool_with_indices", [&](const Inputs& in) {
        auto r = m.forward_with_indices(in.at("x"));
        return std::vector<Tensor>{r.values, r.indices};
    });
    EXPECT_EQ(m.repr(), "MaxPool2d(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), ceil_mode=True)");
}

TEST(VisionModules, Dropout2dDropsWholeChannels) {
    manual_seed(3);
    Dropout2d d(0.5);
    Tensor x = ones({8, 16, 3, 3});
    auto v = to_vector<float>(d(x));
    int dropped = 0;
    for (int c = 0; c < 8 * 16; ++c) {
        const float first = v[c * 9];
        EXPECT_TRUE(first == 0.0f || first == 2.0f);
        for (int k = 1; k < 9; ++k) EXPECT_EQ(v[c * 9 + k], first) << c;
        dropped += first == 0.0f;
    }
    EXPECT_GT(dropped, 40);
    EXPECT_LT(dropped, 88);
    d.eval();
    EXPECT_EQ(to_vector<float>(d(x)), to_vector<float>(x));
    EXPECT_NE(test::error_of([&] { Dropout2d(1.5); }).find("[0, 1]"), std::string::npos);
}

// PyTorch's rules on both kernel paths (windows inside the input, and padded windows): the first
// maximum on ties, and the first NaN of a window beats every number.
TEST(VisionModules, MaxPoolTiesAndNaN) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    Tensor x = from_vector<float>({1, 3, 3, 0,   //
                                   2, 3, nan, 5,  //
                                   7, 7, 1, 1,    //
                                   7, 7, 1, nan},
                                  {1, 1, 4, 4});
    auto [v, i] = max_pool2d_with_indices(x, {.kernel_size = {2, 2}});
    auto vals = to_vector<float>(v);
    EXPECT_EQ(vals[0], 3.0f);
    EXPECT_TRUE(std::isnan(vals[1]));
    EXPECT_EQ(vals[2], 7.0f);
    EXPECT_TRUE(std::isnan(vals[3]));
    EXPECT_EQ(to_vector<int64_t>(i), (std::vector<int64_t>{1, 6, 8, 15}));
    // Padded: the window at (0, 0) holds only x[0][0]; NaN still wins where it is.
    auto [pv, pi] = max_pool2d_with_indices(x, {.kernel_size = {2, 2}, .padding = {1, 1}});
    auto pidx = to_vector<int64_t>(pi);
    EXPECT_EQ(pidx[0], 0);
    EXPECT_EQ(pidx[1], 1);  // 3 at (0, 1) before 3 at (0, 2).
    EXPECT_EQ(pidx[4], 6);  // Window rows 1-2, columns 1-2: the NaN at (1, 2) beats the 7.
    EXPECT_TRUE(std::isnan(to_vector<float>(pv)[4]));
}

// Float 2x2 windows take a vector path; double takes the scalar one: the same maxima and
// indices, with ties (ReLU's zeros), NaNs, rows longer than one vector and rows shorter (LeNet's
// 28 and 10 wide maps, an odd width), on one thread and on several (a short row's vectors write
// past its end inside a thread's own planes only).
TEST(VisionModules, MaxPoolVectorPathMatchesScalarPath) {
    Generator g(9);
    const int saved = num_threads();
    for (const Shape& shape : std::vector<Shape>{{3, 5, 36, 42}, {64, 6, 28, 28}, {8, 16, 10, 10}, {2, 3, 9, 11}}) {
        Tensor x = relu(randn(shape, DType::Float32, &g));
        float* p = x.data<float>();
        for (int64_t i = 0; i < x.numel(); i += 97) p[i] = std::numeric_limits<float>::quiet_NaN();
        auto [vd, id] = max_pool2d_with_indices(to(x, DType::Float64), {.kernel_size = {2, 2}});
        const auto b = to_vector<double>(vd);
        for (int threads : {1, 2}) {
            set_num_threads(threads);
            auto [v, i] = max_pool2d_with_indices(x, {.kernel_size = {2, 2}});
            EXPECT_EQ(to_vector<int64_t>(i), to_vector<int64_t>(id)) << format_shape(shape) << " threads " << threads;
            const auto a = to_vector<float>(v);
            for (size_t k = 0; k < a.size(); ++k) {
                if (std::isnan(b[k])) EXPECT_TRUE(std::isnan(a[k])) << k;
                else EXPECT_EQ(a[k], static_cast<float>(b[k])) << k;
            }
            // The gradient: each output's upstream value at its index, zeros elsewhere (the
            // backward writes 2x2 windows' rows in order instead of scattering).
            Tensor xg = clone(x).requires_grad_(), up = randn(v.shape(), DType::Float32, &g);
            autograd::backward(sum(mul(max_pool2d(xg, {.kernel_size = {2, 2}}), up)));
            std::vector<float> expect(static_cast<size_t>(x.numel()), 0.0f);
            const auto iv = to_vector<int64_t>(i);
            const auto uv = to_vector<float>(up);
            const int64_t plane = shape[2] * shape[3], out_plane = v.numel() / (shape[0] * shape[1]);
            for (size_t k = 0; k < iv.size(); ++k)
                expect[static_cast<size_t>(static_cast<int64_t>(k) / out_plane * plane + iv[k])] += uv[k];
            EXPECT_EQ(to_vector<float>(xg.grad()), expect) << format_shape(shape) << " threads " << threads;
        }
    }
    set_num_threads(saved);
}

TEST(VisionModules, ErrorsNameTheProblem) {
    BatchNorm2d bn(3);
    EXPECT_NE(test::error_of([&] { bn(zeros({2, 4, 5, 5})); }).find("expected input (N, 3, H, W)"), std::string::npos);
    EXPECT_NE(test::error_of([&] { bn(zeros({1, 3, 1, 1})); }).find("more than one value per channel"), std::string::npos);
    EXPECT_NE(test::error_of([&] { max_pool2d(zeros({1, 1, 4, 4}), {.kernel_size = {2, 2}, .padding = {2, 0}}); })
                  .find("at most half"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { max_pool2d(zeros({1, 1, 2, 2}), {.kernel_size = {3, 3}}); }).find("too small"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { avg_pool2d(zeros({4, 4}), {.kernel_size = {2, 2}}); }).find("expected input"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { max_pool2d(zeros({1, 1, 4, 4}, DType::Int64), {.kernel_size = {2, 2}}); })
                  .find("floating"),
              std::string::npos);
}

}  // namespace
}  // namespace kaya::nn
