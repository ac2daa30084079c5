// SPDX-License-Identifier: MIT
// Training, not only single ops, gives the same bits at 1 and 2 threads: an MLP whose matrix
// products are split between threads, and a CNN (im2col and Winograd convolutions), each trained
// for some Adam steps from the same seed.
#include <gtest/gtest.h>

#include <functional>

#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"
#include "kaya/optim/optim.h"

namespace kaya {
namespace {

// Trains the model `make` builds for `steps` Adam steps on fixed random data at the given
// thread count; returns every parameter's values afterwards.
std::vector<std::vector<float>> train_at(int threads, const std::function<std::shared_ptr<nn::Module>()>& make,
                                         const Shape& x_shape, int64_t classes, int steps) {
    const int before = num_threads();
    set_num_threads(threads);
    manual_seed(7);
    auto model = make();
    Generator g(8);
    Tensor x = randn(x_shape, DType::Float32, &g);
    Tensor y = randint(0, classes, {x_shape[0]}, &g);
    optim::Adam opt(model->parameters(), {.lr = 1e-3});
    for (int s = 0; s < steps; ++s) {
        opt.zero_grad();
        autograd::backward(nn::cross_entropy((*model)(x), y));
        opt.step();
    }
    set_num_threads(before);
    std::vector<std::vector<float>> out;
    for (const auto& p : model->parameters()) out.push_back(to_vector<float>(p));
    return out;
}

TEST(Determinism, MlpTrainingIsBitwiseIdenticalAtOneAndTwoThreads) {
    auto make = [] {
        return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
            std::make_shared<nn::Linear>(117, 256), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(256, 64),
            std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(64, 10)});
    };
    EXPECT_EQ(train_at(1, make, {512, 117}, 10, 20), train_at(2, make, {512, 117}, 10, 20));
}

TEST(Determinism, CnnTrainingIsBitwiseIdenticalAtOneAndTwoThreads) {
    auto make = [] {
        return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
            std::make_shared<nn::Conv2d>(nn::Conv2dOptions{.in = 3, .out = 16, .kernel = {5, 5}, .params = {.padding = {2, 2}}}),
            std::make_shared<nn::ReLU>(),
            std::make_shared<nn::Conv2d>(nn::Conv2dOptions{.in = 16, .out = 32, .params = {.padding = {1, 1}}}),
            std::make_shared<nn::ReLU>(),
            std::make_shared<nn::Conv2d>(nn::Conv2dOptions{.in = 32, .out = 8, .params = {.stride = {2, 2}}}),
            std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(8 * 9 * 9, 10)});
    };
    EXPECT_EQ(train_at(1, make, {32, 3, 19, 19}, 10, 5), train_at(2, make, {32, 3, 19, 19}, 10, 5));
}

}  // namespace
}  // namespace kaya
