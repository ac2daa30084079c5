// SPDX-License-Identifier: MIT
#include "kaya/nn/container.h"

namespace kaya::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
    for (const auto& m : modules) push_back(m);
}

Sequential& Sequential::push_back(std::shared_ptr<Module> m) {
    register_module(std::to_string(modules_.size()), m);
    modules_.push_back(std::move(m));
    return *this;
}

Tensor Sequential::forward(const Tensor& x) {
    Tensor h = x;
    for (auto& m : modules_) h = m->forward(h);
    return h;
}

}  // namespace kaya::nn
