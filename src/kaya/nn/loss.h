// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/nn/module.h"

namespace kaya::nn {

// How per-element losses are combined (the `reduction` argument of torch losses).
enum class Reduction { Mean, Sum, None };

// Regression losses. input and target must have the same shape (ShapeError otherwise:
// PyTorch only warns when they broadcast, which is almost always a bug such as (N, 1) vs (N)).
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
// 0.5 d^2 for |d| < delta, delta (|d| - delta / 2) beyond (F.huber_loss).
Tensor huber_loss(const Tensor& input, const Tensor& target, double delta = 1.0,
                  Reduction reduction = Reduction::Mean);

struct CrossEntropyOptions {
    Tensor weight;                // (C) per-class weight, optional
    int64_t ignore_index = -100;  // Targets equal to it contribute nothing (index targets).
    double label_smoothing = 0.0; // In [0, 1].
    Reduction reduction = Reduction::Mean;
};

// Cross-entropy on raw logits (F.cross_entropy): input (N, C), (N, C, d1, ...) or (C);
// target either class indices (int64, shape of input without the class dim) or class
// probabilities (floating, same shape as input). Computed from one log_softmax, finite for
// logits of any size. Mean over index targets divides by the summed weights of non-ignored
// targets, exactly as PyTorch. IndexError for a class index outside [0, C).
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options = {});

struct NLLLossOptions {
    Tensor weight;
    int64_t ignore_index = -100;
    Reduction reduction = Reduction::Mean;
};
// Negative log-likelihood of log-probabilities (F.nll_loss); shapes as cross_entropy with
// index targets.
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NLLLossOptions& options = {});

struct BCEWithLogitsOptions {
    Tensor weight;      // Broadcast to input.
    Tensor pos_weight;  // (C) weight of positive examples, broadcast along the last dim.
    Reduction reduction = Reduction::Mean;
};
// Binary cross-entropy on logits, log-sum-exp form (F.binary_cross_entropy_with_logits).
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsOptions& options = {});

// Loss modules (torch.nn.MSELoss, ...): call as loss(input, target).
class Loss : public Module {
public:
    virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
    Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
    using Module::forward;
};

class MSELoss : public Loss {
public:
    explicit MSELoss(Reduction r = Reduction::Mean) : r_(r) {}
    Tensor forward(const Tensor& input, const Tensor& target) override { return mse_loss(input, target, r_); }
    std::string type_name() const override { return "MSELoss"; }

private:
    Reduction r_;
};

class L1Loss : public Loss {
public:
    explicit L1Loss(Reduction r = Reduction::Mean) : r_(r) {}
    Tensor forward(const Tensor& input, const Tensor& target) override { return l1_loss(input, target, r_); }
    std::string type_name() const override { return "L1Loss"; }

private:
    Reduction r_;
};

class HuberLoss : public Loss {
public:
    explicit HuberLoss(double delta = 1.0, Reduction r = Reduction::Mean) : delta_(delta), r_(r) {}
    Tensor forward(const Tensor& input, const Tensor& target) override {
        return huber_loss(input, target, delta_, r_);
    }
    std::string type_name() const override { return "HuberLoss"; }

private:
    double delta_;
    Reduction r_;
};

class CrossEntropyLoss : public Loss {
public:
    explicit CrossEntropyLoss(CrossEntropyOptions o = {});
    Tensor forward(const Tensor& input, const Tensor& target) override;
    std::string type_name() const override { return "CrossEntropyLoss"; }

private:
    CrossEntropyOptions o_;
};

class NLLLoss : public Loss {
public:
    explicit NLLLoss(NLLLossOptions o = {});
    Tensor forward(const Tensor& input, const Tensor& target) override;
    std::string type_name() const override { return "NLLLoss"; }

private:
    NLLLossOptions o_;
};

class BCEWithLogitsLoss : public Loss {
public:
    explicit BCEWithLogitsLoss(BCEWithLogitsOptions o = {});
    Tensor forward(const Tensor& input, const Tensor& target) override;
    std::string type_name() const override { return "BCEWithLogitsLoss"; }

private:
    BCEWithLogitsOptions o_;
};

}  // namespace kaya::nn
