// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::optim {

// Parameters sharing one set of hyperparameters (a PyTorch param_group).
template <class Options>
struct ParamGroup {
    std::vector<Tensor> params;
    Options options;
};

// Base of all optimizers (torch.optim.Optimizer). step() updates every parameter that has a
// gradient, without recording a graph; parameters without a gradient are skipped, as in
// PyTorch. State (momentum buffers, step counts) is kept per parameter in group order.
class Optimizer {
public:
    virtual ~Optimizer() = default;
    virtual void step() = 0;
    virtual std::string name() const = 0;
    // Drops the gradients of all parameters (zero_grad(set_to_none=True)).
    void zero_grad();

    virtual size_t num_groups() const = 0;
    virtual double lr(size_t group = 0) const = 0;
    virtual void set_lr(size_t group, double lr) = 0;
    // Every parameter, in group order.
    virtual std::vector<Tensor> parameters() const = 0;

    // Per-parameter state as named tensors: "state.<i>.<buffer>", "state.<i>.step", and
    // "param_groups.<g>.lr" (0-dim float64), for checkpoints.
    NamedTensors state_dict() const;
    // Restores what state_dict() produced; ValueError when parameters or shapes differ.
    void load_state_dict(const NamedTensors& state);

protected:
    struct ParamState {
        std::map<std::string, Tensor> buffers;
        int64_t step = 0;
    };
    // State of the i-th parameter (in parameters() order), created on first use.
    ParamState& state(size_t i);

private:
    std::vector<ParamState> state_;
};

// An Optimizer whose groups carry an Options struct with an `lr` field.
template <class Options>
class OptimizerWithGroups : public Optimizer {
public:
    size_t num_groups() const override { return groups_.size(); }
    double lr(size_t g = 0) const override { return groups_.at(g).options.lr; }
    void set_lr(size_t g, double lr) override { groups_.at(g).options.lr = lr; }
    std::vector<Tensor> parameters() const override {
        std::vector<Tensor> out;
        for (const auto& g : groups_) out.insert(out.end(), g.params.begin(), g.params.end());
        return out;
    }
    const std::vector<ParamGroup<Options>>& groups() const { return groups_; }

protected:
    explicit OptimizerWithGroups(std::vector<ParamGroup<Options>> groups);
    // Calls f(param, grad, state, options) for each parameter with a gradient.
    template <class F>
    void for_each_param(F f);

    std::vector<ParamGroup<Options>> groups_;
};

// Validates groups: non-empty, floating leaf tensors that require grad, no parameter twice.
void check_param_groups(const std::string& optimizer, const std::vector<std::vector<Tensor>>& groups);

template <class Options>
OptimizerWithGroups<Options>::OptimizerWithGroups(std::vector<ParamGroup<Options>> groups)
    : groups_(std::move(groups)) {
    std::vector<std::vector<Tensor>> params;
    for (const auto& g : groups_) params.push_back(g.params);
    check_param_groups("optimizer", params);
}

template <class Options>
template <class F>
void OptimizerWithGroups<Options>::for_each_param(F f) {
    size_t i = 0;
    for (auto& g : groups_) {
        for (auto& p : g.params) {
            Tensor grad = p.grad();
            if (grad.defined()) f(p, grad, state(i), g.options);
            ++i;
        }
    }
}

}  // namespace kaya::optim
