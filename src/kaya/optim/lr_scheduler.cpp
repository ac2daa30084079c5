// SPDX-License-Identifier: MIT
#include "kaya/optim/lr_scheduler.h"

#include <cmath>
#include <limits>
#include <numbers>

#include "kaya/autograd/grad_mode.h"
#include "kaya/ops/ops.h"

namespace kaya::optim {

LRScheduler::LRScheduler(Optimizer& opt) : opt_(opt) {
    for (size_t g = 0; g < opt.num_groups(); ++g) base_lrs_.push_back(opt.lr(g));
}

void LRScheduler::apply() {
    for (size_t g = 0; g < base_lrs_.size(); ++g) opt_.set_lr(g, lr_at(g, epoch_));
}

void LRScheduler::step() {
    ++epoch_;
    apply();
}

void LRScheduler::set_epoch(int64_t e) {
    KAYA_CHECK(e >= 0, ValueError, "LRScheduler: epoch must be non-negative, got ", e);
    epoch_ = e;
    apply();
}

std::vector<double> LRScheduler::last_lr() const {
    std::vector<double> out;
    for (size_t g = 0; g < opt_.num_groups(); ++g) out.push_back(opt_.lr(g));
    return out;
}

StepLR::StepLR(Optimizer& opt, int64_t step_size, double gamma)
    : LRScheduler(opt), step_size_(step_size), gamma_(gamma) {
    KAYA_CHECK(step_size > 0, ValueError, "StepLR: step_size must be positive, got ", step_size);
}
double StepLR::lr_at(size_t g, int64_t e) const {
    return base_lrs_[g] * std::pow(gamma_, static_cast<double>(e / step_size_));
}

ExponentialLR::ExponentialLR(Optimizer& opt, double gamma) : LRScheduler(opt), gamma_(gamma) {}
double ExponentialLR::lr_at(size_t g, int64_t e) const {
    return base_lrs_[g] * std::pow(gamma_, static_cast<double>(e));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& opt, int64_t t_max, double eta_min)
    : LRScheduler(opt), t_max_(t_max), eta_min_(eta_min) {
    KAYA_CHECK(t_max > 0, ValueError, "CosineAnnealingLR: t_max must be positive, got ", t_max);
}
double CosineAnnealingLR::lr_at(size_t g, int64_t e) const {
    double c = std::cos(std::numbers::pi * static_cast<double>(e) / static_cast<double>(t_max_));
    return eta_min_ + (base_lrs_[g] - eta_min_) * (1.0 + c) / 2.0;
}

WarmupDecayLR::WarmupDecayLR(Optimizer& opt, int64_t warmup, Decay decay, int64_t total)
    : LRScheduler(opt), warmup_(warmup), total_(total), decay_(decay) {
    KAYA_CHECK(warmup > 0, ValueError, "WarmupDecayLR: warmup must be positive, got ", warmup);
    KAYA_CHECK(decay == Decay::InverseSqrt || total > warmup, ValueError,
               "WarmupDecayLR: total (", total, ") must exceed warmup (", warmup, ")");
    apply();  // Step 0: lr 0.
}
double WarmupDecayLR::lr_at(size_t g, int64_t s) const {
    const double base = base_lrs_[g];
    if (s < warmup_) return base * static_cast<double>(s) / static_cast<double>(warmup_);
    const double done = static_cast<double>(s - warmup_);
    const double span = static_cast<double>(total_ - warmup_);
    switch (decay_) {
        case Decay::InverseSqrt: return base * std::sqrt(static_cast<double>(warmup_) / static_cast<double>(s));
        case Decay::Linear: return base * std::max(0.0, 1.0 - done / span);
        case Decay::Cosine: return done >= span ? 0.0 : base * 0.5 * (1.0 + std::cos(std::numbers::pi * done / span));
    }
    return base;
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& opt, PlateauOptions o) : opt_(opt), o_(o) {
    KAYA_CHECK(o.factor < 1.0 && o.factor > 0.0, ValueError,
               "ReduceLROnPlateau: factor must be in (0, 1), got ", o.factor);
    best_ = o.maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
}

void ReduceLROnPlateau::step(double metric) {
    bool better = o_.maximize ? metric > best_ * (1.0 + o_.threshold) : metric < best_ * (1.0 - o_.threshold);
    if (std::isinf(best_)) better = true;
    if (better) {
        best_ = metric;
        bad_ = 0;
    } else {
        ++bad_;
    }
    if (cooldown_left_ > 0) {
        --cooldown_left_;
        bad_ = 0;
    }
    if (bad_ > o_.patience) {
        for (size_t g = 0; g < opt_.num_groups(); ++g) {
            double old_lr = opt_.lr(g);
            double new_lr = std::max(old_lr * o_.factor, o_.min_lr);
            if (old_lr - new_lr > o_.eps) opt_.set_lr(g, new_lr);
        }
        cooldown_left_ = o_.cooldown;
        bad_ = 0;
    }
}

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
    autograd::NoGradGuard no_grad;
    std::vector<Tensor> norms;
    for (const auto& p : params) {
        Tensor g = p.grad();
        if (g.defined()) norms.push_back(reshape(norm(to(g, DType::Float64), norm_type), {1}));
    }
    if (norms.empty()) return 0.0;
    double total = norm(cat(norms), norm_type).item<double>();
    double coef = max_norm / (total + 1e-6);
    if (coef < 1.0) {
        for (const auto& p : params) {
            Tensor g = p.grad();
            if (g.defined()) mul_(g, coef);
        }
    }
    return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip) {
    KAYA_CHECK(clip >= 0, ValueError, "clip_grad_value_: clip must be non-negative, got ", clip);
    autograd::NoGradGuard no_grad;
    for (const auto& p : params) {
        Tensor g = p.grad();
        if (g.defined()) copy_(g, clamp(g, -clip, clip));
    }
}

}  // namespace kaya::optim
