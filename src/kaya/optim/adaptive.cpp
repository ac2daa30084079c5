// SPDX-License-Identifier: MIT
#include "kaya/optim/adaptive.h"

#include <cmath>

#include "kaya/autograd/grad_mode.h"
#include "kaya/kernels/ref/optim.h"
#include "kaya/ops/ops.h"

namespace kaya::optim {

namespace {
// The state buffer `key`, created as a tensor like p filled with `init` on first use.
Tensor& buffer(std::map<std::string, Tensor>& b, const std::string& key, const Tensor& p,
               double init = 0.0) {
    auto it = b.find(key);
    if (it == b.end()) it = b.emplace(key, full_like(p, init)).first;
    return it->second;
}
}  // namespace

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions o)
    : Adagrad(std::vector<ParamGroup<AdagradOptions>>{{std::move(params), o}}) {}
Adagrad::Adagrad(std::vector<ParamGroup<AdagradOptions>> groups) : OptimizerWithGroups(std::move(groups)) {
    for (const auto& g : groups_) {
        KAYA_CHECK(g.options.lr >= 0 && g.options.eps >= 0 && g.options.lr_decay >= 0, ValueError,
                   "Adagrad: lr, lr_decay and eps must be non-negative");
    }
}

void Adagrad::step() {
    autograd::NoGradGuard no_grad;
    for_each_param([](Tensor& p, Tensor g, ParamState& s, const AdagradOptions& o) {
        ++s.step;
        if (o.weight_decay != 0) g = add(g, mul(p, o.weight_decay));
        const double clr = o.lr / (1.0 + static_cast<double>(s.step - 1) * o.lr_decay);
        Tensor& sum_sq = buffer(s.buffers, "sum", p, o.initial_accumulator_value);
        add_(sum_sq, mul(g, g));
        add_(p, div(g, add(sqrt(sum_sq), o.eps)), -clr);
    });
}

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions o)
    : RMSprop(std::vector<ParamGroup<RMSpropOptions>>{{std::move(params), o}}) {}
RMSprop::RMSprop(std::vector<ParamGroup<RMSpropOptions>> groups) : OptimizerWithGroups(std::move(groups)) {
    for (const auto& g : groups_) {
        KAYA_CHECK(g.options.lr >= 0 && g.options.alpha >= 0 && g.options.eps >= 0 && g.options.momentum >= 0,
                   ValueError, "RMSprop: lr, alpha, eps and momentum must be non-negative");
    }
}

void RMSprop::step() {
    autograd::NoGradGuard no_grad;
    for_each_param([](Tensor& p, Tensor g, ParamState& s, const RMSpropOptions& o) {
        ++s.step;
        if (o.weight_decay != 0) g = add(g, mul(p, o.weight_decay));
        Tensor& sq = buffer(s.buffers, "square_avg", p);
        mul_(sq, o.alpha);
        add_(sq, mul(g, g), 1.0 - o.alpha);
        Tensor avg;
        if (o.centered) {
            Tensor& ga = buffer(s.buffers, "grad_avg", p);
            mul_(ga, o.alpha);
            add_(ga, g, 1.0 - o.alpha);
            avg = sqrt(sub(sq, mul(ga, ga)));
        } else {
            avg = sqrt(sq);
        }
        avg = add(avg, o.eps);
        if (o.momentum > 0) {
            Tensor& buf = buffer(s.buffers, "momentum_buffer", p);
            mul_(buf, o.momentum);
            add_(buf, div(g, avg));
            add_(p, buf, -o.lr);
        } else {
            add_(p, div(g, avg), -o.lr);
        }
    });
}

namespace {
void check_adam(const char* name, const AdamOptions& o) {
    KAYA_CHECK(o.lr >= 0 && o.eps >= 0 && o.weight_decay >= 0, ValueError, name,
               ": lr, eps and weight_decay must be non-negative");
    KAYA_CHECK(o.betas.first >= 0 && o.betas.first < 1 && o.betas.second >= 0 && o.betas.second < 1,
               ValueError, name, ": betas must be in [0, 1), got (", o.betas.first, ", ",
               o.betas.second, ")");
}
}  // namespace

Adam::Adam(std::vector<Tensor> params, AdamOptions o)
    : Adam(std::vector<ParamGroup<AdamOptions>>{{std::move(params), o}}) {}
Adam::Adam(std::vector<ParamGroup<AdamOptions>> groups) : OptimizerWithGroups(std::move(groups)) {
    for (const auto& g : groups_) check_adam("Adam", g.options);
}

void Adam::step() { adam_step(false); }

void Adam::adam_step(bool decoupled) {
    autograd::NoGradGuard no_grad;
    for_each_param([decoupled](Tensor& p, Tensor g, ParamState& s, const AdamOptions& o) {
        ++s.step;
        const auto [b1, b2] = o.betas;
        if (p.is_contiguous() && g.is_contiguous() && is_floating(p.dtype()) && g.dtype() == p.dtype()) {
            // One fused pass per parameter instead of about ten tensor ops.
            Tensor& m = buffer(s.buffers, "exp_avg", p);
            Tensor& v = buffer(s.buffers, "exp_avg_sq", p);
            Tensor* vmax = o.amsgrad ? &buffer(s.buffers, "max_exp_avg_sq", p) : nullptr;
            kernels::AdamStep step{o.lr, b1, b2, o.eps, o.weight_decay, s.step, decoupled, o.amsgrad};
            visit_floating(p.dtype(), "Adam", [&]<class T>() {
                kernels::adam_step(p.data<T>(), m.data<T>(), v.data<T>(), vmax ? vmax->data<T>() : nullptr,
                                   g.data<T>(), p.numel(), step);
            });
            p.bump_version();
            return;
        }
        if (o.weight_decay != 0) {
            if (decoupled) {
                mul_(p, 1.0 - o.lr * o.weight_decay);
            } else {
                g = add(g, mul(p, o.weight_decay));
            }
        }
        Tensor& m = buffer(s.buffers, "exp_avg", p);
        Tensor& v = buffer(s.buffers, "exp_avg_sq", p);
        mul_(m, b1);
        add_(m, g, 1.0 - b1);
        mul_(v, b2);
        add_(v, mul(g, g), 1.0 - b2);
        const double t = static_cast<double>(s.step);
        const double step_size = o.lr / (1.0 - std::pow(b1, t));
        const double bc2_sqrt = std::sqrt(1.0 - std::pow(b2, t));
        Tensor second = v;
        if (o.amsgrad) {
            Tensor& vmax = buffer(s.buffers, "max_exp_avg_sq", p);
            copy_(vmax, maximum(vmax, v));
            second = vmax;
        }
        Tensor denom = add(div(sqrt(second), bc2_sqrt), o.eps);
        add_(p, div(m, denom), -step_size);
    });
}

AdamW::AdamW(std::vector<Tensor> params, AdamOptions o)
    : AdamW(std::vector<ParamGroup<AdamOptions>>{{std::move(params), o}}) {}
AdamW::AdamW(std::vector<ParamGroup<AdamOptions>> groups) : Adam(std::move(groups)) {}

void AdamW::step() { adam_step(true); }

}  // namespace kaya::optim
