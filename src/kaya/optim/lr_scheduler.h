// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "kaya/optim/optimizer.h"

namespace kaya::optim {

// Learning-rate schedules (torch.optim.lr_scheduler). Construction records each group's
// current lr as its base lr; step() advances one epoch (or iteration) and sets the new lr on
// every group. epoch() starts at 0.
class LRScheduler {
public:
    explicit LRScheduler(Optimizer& optimizer);
    virtual ~LRScheduler() = default;
    virtual void step();
    int64_t epoch() const { return epoch_; }
    // Restores the position (for resumed runs) and applies the lr of that epoch.
    void set_epoch(int64_t epoch);
    std::vector<double> last_lr() const;

protected:
    // The lr of group g at epoch e, from its base lr.
    virtual double lr_at(size_t g, int64_t e) const = 0;
    void apply();

    Optimizer& opt_;
    std::vector<double> base_lrs_;
    int64_t epoch_ = 0;
};

// lr = base * gamma^(epoch / step_size) (integer division) (StepLR).
class StepLR : public LRScheduler {
public:
    StepLR(Optimizer& opt, int64_t step_size, double gamma = 0.1);

protected:
    double lr_at(size_t g, int64_t e) const override;

private:
    int64_t step_size_;
    double gamma_;
};

// lr = base * gamma^epoch (ExponentialLR).
class ExponentialLR : public LRScheduler {
public:
    ExponentialLR(Optimizer& opt, double gamma);

protected:
    double lr_at(size_t g, int64_t e) const override;

private:
    double gamma_;
};

// lr = eta_min + (base - eta_min) (1 + cos(pi epoch / t_max)) / 2 (CosineAnnealingLR's
// closed form, which its recursive form equals when nothing else changes the lr).
class CosineAnnealingLR : public LRScheduler {
public:
    CosineAnnealingLR(Optimizer& opt, int64_t t_max, double eta_min = 0.0);

protected:
    double lr_at(size_t g, int64_t e) const override;

private:
    int64_t t_max_;
    double eta_min_;
};

// Linear warm-up from 0 over `warmup` steps, then a decay: InverseSqrt gives
// base * sqrt(warmup / step), which with base = d_model^-0.5 warmup^-0.5 is exactly the
// Transformer paper's schedule; Linear decays to 0 at `total`; Cosine follows a half cosine
// to 0 at `total`. The lr at step 0 is 0, as in the paper (step counts from 1 after one call).
class WarmupDecayLR : public LRScheduler {
public:
    enum class Decay { InverseSqrt, Linear, Cosine };
    WarmupDecayLR(Optimizer& opt, int64_t warmup, Decay decay = Decay::InverseSqrt, int64_t total = 0);

protected:
    double lr_at(size_t g, int64_t e) const override;

private:
    int64_t warmup_, total_;
    Decay decay_;
};

struct PlateauOptions {
    bool maximize = false;    // mode='max' when the metric should grow (accuracy).
    double factor = 0.1;
    int64_t patience = 10;
    double threshold = 1e-4;  // Relative improvement needed (threshold_mode='rel').
    int64_t cooldown = 0;
    double min_lr = 0.0;
    double eps = 1e-8;        // Changes smaller than this are skipped.
};

// Multiplies the lr by `factor` when the metric has not improved for `patience` epochs
// (ReduceLROnPlateau). Call step(metric) once per epoch.
class ReduceLROnPlateau {
public:
    ReduceLROnPlateau(Optimizer& opt, PlateauOptions options = {});
    void step(double metric);
    int64_t num_bad_epochs() const { return bad_; }
    // What a resumed run needs besides the optimizer's lr: the best metric so far, the epochs
    // since, and the cooldown left.
    struct State {
        double best;
        int64_t bad, cooldown_left;
    };
    State state() const { return {best_, bad_, cooldown_left_}; }
    void set_state(const State& s) {
        best_ = s.best;
        bad_ = s.bad;
        cooldown_left_ = s.cooldown_left;
    }

private:
    Optimizer& opt_;
    PlateauOptions o_;
    double best_;
    int64_t bad_ = 0, cooldown_left_ = 0;
};

// Rescales all gradients so that their global p-norm is at most max_norm (coefficient
// max_norm / (norm + 1e-6), as torch.nn.utils.clip_grad_norm_); returns the norm before
// clipping. Parameters without gradient are ignored.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);
// Clamps every gradient element into [-clip, clip] (clip_grad_value_).
void clip_grad_value_(const std::vector<Tensor>& params, double clip);

}  // namespace kaya::optim
