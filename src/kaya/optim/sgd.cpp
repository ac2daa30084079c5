// SPDX-License-Identifier: MIT
#include "kaya/optim/sgd.h"

#include "kaya/autograd/grad_mode.h"
#include "kaya/kernels/ref/optim.h"
#include "kaya/ops/ops.h"

namespace kaya::optim {

namespace {
void check(const SGDOptions& o) {
    KAYA_CHECK(o.lr >= 0 && o.momentum >= 0 && o.weight_decay >= 0, ValueError,
               "SGD: lr, momentum and weight_decay must be non-negative");
    KAYA_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0), ValueError,
               "SGD: Nesterov momentum requires a momentum and zero dampening");
}
}  // namespace

SGD::SGD(std::vector<Tensor> params, SGDOptions o) : SGD(std::vector<ParamGroup<SGDOptions>>{{std::move(params), o}}) {}

SGD::SGD(std::vector<ParamGroup<SGDOptions>> groups) : OptimizerWithGroups(std::move(groups)) {
    for (const auto& g : groups_) check(g.options);
}

void SGD::step() {
    autograd::NoGradGuard no_grad;
    for_each_param([](Tensor& p, Tensor g, ParamState& s, const SGDOptions& o) {
        if (p.is_contiguous() && g.is_contiguous() && is_floating(p.dtype()) && g.dtype() == p.dtype()) {
            // One fused pass per parameter.
            bool first = !s.buffers.count("momentum_buffer");
            Tensor* buf = nullptr;
            if (o.momentum != 0) {
                if (first) s.buffers.emplace("momentum_buffer", empty_like(p));
                buf = &s.buffers.at("momentum_buffer");
            }
            kernels::SgdStep step{o.lr, o.momentum, o.dampening, o.weight_decay, o.nesterov, first};
            visit_floating(p.dtype(), "SGD", [&]<class T>() {
                kernels::sgd_step(p.data<T>(), buf ? buf->data<T>() : nullptr, g.data<T>(), p.numel(), step);
            });
            ++s.step;
            p.bump_version();
            return;
        }
        if (o.weight_decay != 0) g = add(g, mul(p, o.weight_decay));
        if (o.momentum != 0) {
            auto it = s.buffers.find("momentum_buffer");
            if (it == s.buffers.end()) {
                it = s.buffers.emplace("momentum_buffer", clone(g)).first;
            } else {
                mul_(it->second, o.momentum);
                add_(it->second, g, 1.0 - o.dampening);
            }
            g = o.nesterov ? add(g, mul(it->second, o.momentum)) : it->second;
        }
        ++s.step;
        add_(p, g, -o.lr);
    });
}

}  // namespace kaya::optim
