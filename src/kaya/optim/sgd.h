// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/optim/optimizer.h"

namespace kaya::optim {

struct SGDOptions {
    double lr = 0.01;
    double momentum = 0.0;
    double dampening = 0.0;
    double weight_decay = 0.0;
    bool nesterov = false;
};

// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
// weight decay, step for step as torch.optim.SGD: g += wd p; b = mu b + (1 - dampening) g
// (b = g on the first step); g = g + mu b (Nesterov) or b; p -= lr g.
class SGD : public OptimizerWithGroups<SGDOptions> {
public:
    SGD(std::vector<Tensor> params, SGDOptions options);
    explicit SGD(std::vector<ParamGroup<SGDOptions>> groups);
    void step() override;
    std::string name() const override { return "SGD"; }
};

}  // namespace kaya::optim
