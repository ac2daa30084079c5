// SPDX-License-Identifier: MIT
#pragma once

#include <utility>

#include "kaya/optim/optimizer.h"

namespace kaya::optim {

// Per-parameter adaptive learning rates: Adagrad, RMSprop, Adam and AdamW, each step for step
// as the torch.optim class of the same name (PyTorch 1.13, single-tensor path).

struct AdagradOptions {
    double lr = 0.01;
    double lr_decay = 0.0;
    double weight_decay = 0.0;
    double initial_accumulator_value = 0.0;
    double eps = 1e-10;
};

// sum += g^2; p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(sum) + eps).
class Adagrad : public OptimizerWithGroups<AdagradOptions> {
public:
    Adagrad(std::vector<Tensor> params, AdagradOptions options);
    explicit Adagrad(std::vector<ParamGroup<AdagradOptions>> groups);
    void step() override;
    std::string name() const override { return "Adagrad"; }
};

struct RMSpropOptions {
    double lr = 0.01;
    double alpha = 0.99;  // Smoothing of the squared-gradient average, hand-tuned as the notes say.
    double eps = 1e-8;
    double weight_decay = 0.0;
    double momentum = 0.0;
    bool centered = false;  // Normalise by the variance estimate instead of the raw second moment.
};

// v = alpha v + (1 - alpha) g^2; p -= lr g / (sqrt(v) + eps) (with optional centring and
// momentum on the normalised step).
class RMSprop : public OptimizerWithGroups<RMSpropOptions> {
public:
    RMSprop(std::vector<Tensor> params, RMSpropOptions options);
    explicit RMSprop(std::vector<ParamGroup<RMSpropOptions>> groups);
    void step() override;
    std::string name() const override { return "RMSprop"; }
};

struct AdamOptions {
    double lr = 1e-3;
    std::pair<double, double> betas = {0.9, 0.999};
    double eps = 1e-8;
    double weight_decay = 0.0;  // Adam: L2 added to the gradient. AdamW: decoupled decay.
    bool amsgrad = false;
};

// Adam = RMSprop-style second moment + momentum, bias-corrected (Kingma and Ba 2015).
class Adam : public OptimizerWithGroups<AdamOptions> {
public:
    Adam(std::vector<Tensor> params, AdamOptions options);
    explicit Adam(std::vector<ParamGroup<AdamOptions>> groups);
    void step() override;
    std::string name() const override { return "Adam"; }

protected:
    // decoupled: multiply p by (1 - lr wd) before the step instead of adding wd p to g.
    void adam_step(bool decoupled);
};

// Adam with decoupled weight decay (Loshchilov and Hutter 2019); PyTorch's default
// weight_decay for AdamW is 0.01, set it in the options.
class AdamW : public Adam {
public:
    AdamW(std::vector<Tensor> params, AdamOptions options);
    explicit AdamW(std::vector<ParamGroup<AdamOptions>> groups);
    void step() override;
    std::string name() const override { return "AdamW"; }
};

}  // namespace kaya::optim
