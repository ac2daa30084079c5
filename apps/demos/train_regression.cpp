// SPDX-License-Identifier: MIT
// The engine's first end-to-end run: a 1 -> 32 -> 32 -> 1 MLP learns y = sin(3x) + x/2 from
// 256 noisy samples with full-batch gradient descent, written with engine ops only (the nn and
// optim layers come later). Prints the loss as it falls; exits non-zero if it did not.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kaya/ops/ops.h"

using namespace kaya;

int main(int argc, char** argv) {
    const int steps = argc > 1 ? std::atoi(argv[1]) : 2000;
    manual_seed(0);
    Tensor x = uniform({256, 1}, -2.0, 2.0);
    Tensor y = add(sin(mul(x, 3.0)), mul(x, 0.5));
    y = add(y, mul(randn({256, 1}), 0.05));

    // Kaiming-uniform style initialisation, as PyTorch's nn.Linear.
    auto param = [](Shape shape, int64_t fan_in) {
        double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
        Tensor p = uniform(shape, -bound, bound);
        p.requires_grad_();
        return p;
    };
    std::vector<Tensor> params = {param({1, 32}, 1),   param({32}, 1),  param({32, 32}, 32),
                                  param({32}, 32),     param({32, 1}, 32), param({1}, 32)};
    auto forward = [&](const Tensor& in) {
        Tensor h = relu(add(matmul(in, params[0]), params[1]));
        h = relu(add(matmul(h, params[2]), params[3]));
        return add(matmul(h, params[4]), params[5]);
    };

    const double lr = 0.05, momentum = 0.9;
    std::vector<Tensor> velocity;
    for (const auto& p : params) velocity.push_back(zeros_like(p));
    double first = 0, last = 0;
    std::printf("training a 1-32-32-1 MLP on y = sin(3x) + x/2 (256 samples, SGD momentum)\n");
    for (int step = 0; step <= steps; ++step) {
        Tensor pred = forward(x);
        Tensor diff = sub(pred, y);
        Tensor loss = mean(mul(diff, diff));
        autograd::backward(loss);
        {
            autograd::NoGradGuard no_grad;
            for (size_t i = 0; i < params.size(); ++i) {
                mul_(velocity[i], momentum);
                add_(velocity[i], params[i].grad());
                add_(params[i], velocity[i], -lr);
                params[i].set_grad(Tensor());
            }
        }
        last = loss.item<double>();
        if (step == 0) first = last;
        if (step % (steps / 10 > 0 ? steps / 10 : 1) == 0) {
            std::printf("step %5d  loss %.6f\n", step, last);
        }
    }
    std::printf("loss fell from %.4f to %.4f (%.1fx)\n", first, last, first / last);
    return last < first / 10 ? 0 : 1;
}
