// SPDX-License-Identifier: MIT
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "kaya/nn/module.h"

namespace kaya::nn {

// Modules applied in order, registered as "0", "1", ... (torch.nn.Sequential).
class Sequential : public Module {
public:
    Sequential() = default;
    Sequential(std::initializer_list<std::shared_ptr<Module>> modules);

    // Appends a module; returns *this for chaining.
    Sequential& push_back(std::shared_ptr<Module> m);
    // The modules in order. A Conv2d followed by a ReLU runs as one convolution with a ReLU
    // epilogue (conv2d with Conv2dEpilogue: the same result and gradients, one pass over the
    // output and one tensor fewer).
    Tensor forward(const Tensor& x) override;
    // The first n modules only (a trunk whose last module is a head), as forward.
    Tensor forward_first(const Tensor& x, size_t n);
    std::string type_name() const override { return "Sequential"; }

    size_t size() const { return modules_.size(); }
    const std::shared_ptr<Module>& operator[](size_t i) const { return modules_.at(i); }

private:
    std::vector<std::shared_ptr<Module>> modules_;
};

// A list of modules registered as "0", "1", ... with no forward of its own
// (torch.nn.ModuleList): the owner decides how to call them.
template <class M = Module>
class ModuleList : public Module {
public:
    ModuleList& push_back(std::shared_ptr<M> m) {
        register_module(std::to_string(modules_.size()), m);
        modules_.push_back(std::move(m));
        return *this;
    }
    std::string type_name() const override { return "ModuleList"; }

    size_t size() const { return modules_.size(); }
    const std::shared_ptr<M>& operator[](size_t i) const { return modules_.at(i); }
    auto begin() const { return modules_.begin(); }
    auto end() const { return modules_.end(); }

private:
    std::vector<std::shared_ptr<M>> modules_;
};

}  // namespace kaya::nn
