// SPDX-License-Identifier: MIT
#include "kaya/nn/container.h"

#include <typeinfo>

#include "kaya/nn/activation.h"
#include "kaya/nn/conv.h"

namespace kaya::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
    for (const auto& m : modules) push_back(m);
}

Sequential& Sequential::push_back(std::shared_ptr<Module> m) {
    register_module(std::to_string(modules_.size()), m);
    modules_.push_back(std::move(m));
    return *this;
}

Tensor Sequential::forward(const Tensor& x) { return forward_first(x, modules_.size()); }

Tensor Sequential::forward_first(const Tensor& x, size_t n) {
    KAYA_CHECK(n <= modules_.size(), ValueError, "Sequential::forward_first: asked for the first ",
               n, " modules of ", modules_.size());
    // Exact types: a subclass may override forward.
    auto is = [&](size_t i, const std::type_info& type) {
        return i < n && typeid(*modules_[i]) == type;
    };
    Tensor h = x;
    for (size_t i = 0; i < n; ++i) {
        if (is(i, typeid(Conv2d)) && is(i + 1, typeid(ReLU))) {
            h = static_cast<Conv2d&>(*modules_[i]).forward(h, Conv2dEpilogue{.relu = true});
            ++i;
        } else {
            h = modules_[i]->forward(h);
        }
    }
    return h;
}

}  // namespace kaya::nn
