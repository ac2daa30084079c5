// SPDX-License-Identifier: MIT
#pragma once

#include <initializer_list>
#include <memory>
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
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Sequential"; }

    size_t size() const { return modules_.size(); }
    const std::shared_ptr<Module>& operator[](size_t i) const { return modules_.at(i); }

private:
    std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace kaya::nn
