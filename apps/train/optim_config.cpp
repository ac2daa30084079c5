// SPDX-License-Identifier: MIT
#include "apps/train/optim_config.h"

namespace kaya::app {

OptimSettings OptimSettings::read(const Config& cfg) {
    OptimSettings s;
    s.optimizer =
        cfg.get_choice("train.optimizer", s.optimizer,
                       {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"});
    const bool sgd_family =
        s.optimizer == "sgd" || s.optimizer == "momentum" || s.optimizer == "nesterov";
    const double inf = INFINITY;
    s.lr =
        cfg.get_double("train.lr", sgd_family || s.optimizer == "adagrad" ? 0.01 : 0.001, 0, inf);
    s.momentum = cfg.get_double(
        "train.momentum", s.optimizer == "momentum" || s.optimizer == "nesterov" ? 0.9 : 0.0, 0, 1);
    s.weight_decay = cfg.get_double("train.weight_decay", s.weight_decay, 0, inf);
    s.beta1 = cfg.get_double("train.beta1", s.beta1, 0, 1);
    s.beta2 = cfg.get_double("train.beta2", s.beta2, 0, 1);
    s.alpha = cfg.get_double("train.alpha", s.alpha, 0, 1);
    s.amsgrad = cfg.get_bool("train.amsgrad", s.amsgrad);
    s.schedule =
        cfg.get_choice("train.schedule", s.schedule,
                       {"none", "step", "exponential", "cosine", "warmup_cosine", "warmup_inverse_sqrt",
                        "plateau"});
    s.schedule_unit = cfg.get_choice("train.schedule_unit", s.schedule_unit, {"epoch", "batch"});
    if (s.schedule == "plateau" && s.schedule_unit == "batch")
        cfg.fail("train.schedule_unit", "train.schedule = \"plateau\" follows the validation loss: its unit is the epoch");
    s.step_size = cfg.get_int("train.step_size", s.step_size, 1);
    s.gamma = cfg.get_double("train.gamma", s.schedule == "exponential" ? 0.95 : 0.5, 0, inf);
    s.eta_min = cfg.get_double("train.eta_min", s.eta_min, 0, inf);
    s.warmup = cfg.get_int("train.warmup", s.warmup, 0);
    if (s.schedule == "warmup_inverse_sqrt" && s.warmup < 1)
        cfg.fail("train.warmup", "train.schedule = \"warmup_inverse_sqrt\" needs train.warmup of at least 1");
    s.plateau_patience = cfg.get_int("train.plateau_patience", s.plateau_patience, 0);
    if (s.schedule == "plateau" && !(s.gamma > 0 && s.gamma < 1))
        cfg.fail(
            "train.gamma",
            "train.gamma is the factor ReduceLROnPlateau cuts the rate by: it must be in (0, 1)");
    return s;
}

std::unique_ptr<optim::Optimizer> build_optimizer(const OptimSettings& s,
                                                  const std::vector<Tensor>& params) {
    const std::string& name = s.optimizer;
    if (name == "sgd" || name == "momentum" || name == "nesterov") {
        return std::make_unique<optim::SGD>(params,
                                            optim::SGDOptions{.lr = s.lr,
                                                              .momentum = s.momentum,
                                                              .weight_decay = s.weight_decay,
                                                              .nesterov = name == "nesterov"});
    }
    if (name == "adagrad") {
        return std::make_unique<optim::Adagrad>(
            params, optim::AdagradOptions{.lr = s.lr, .weight_decay = s.weight_decay});
    }
    if (name == "rmsprop") {
        return std::make_unique<optim::RMSprop>(
            params, optim::RMSpropOptions{.lr = s.lr,
                                          .alpha = s.alpha,
                                          .weight_decay = s.weight_decay,
                                          .momentum = s.momentum});
    }
    optim::AdamOptions o{.lr = s.lr,
                         .betas = {s.beta1, s.beta2},
                         .weight_decay = s.weight_decay,
                         .amsgrad = s.amsgrad};
    if (name == "adamw") return std::make_unique<optim::AdamW>(params, o);
    return std::make_unique<optim::Adam>(params, o);
}

std::unique_ptr<optim::LRScheduler> build_schedule(const OptimSettings& s, optim::Optimizer& opt,
                                                   int64_t epochs, int64_t batches) {
    // A run of 0 epochs (evaluation only) still builds a valid schedule.
    const int64_t span = std::max<int64_t>(epochs, 1) * (s.schedule_unit == "batch" ? std::max<int64_t>(batches, 1) : 1);
    if (s.schedule == "step") return std::make_unique<optim::StepLR>(opt, s.step_size, s.gamma);
    if (s.schedule == "exponential") return std::make_unique<optim::ExponentialLR>(opt, s.gamma);
    if (s.schedule == "cosine")
        return std::make_unique<optim::CosineAnnealingLR>(opt, span, s.eta_min);
    if (s.schedule == "warmup_cosine") {
        const char* unit = s.schedule_unit == "batch" ? "batches" : "epochs";
        // A run of 0 epochs only evaluates: its schedule is never stepped.
        KAYA_CHECK(epochs == 0 || s.warmup < span + 1, ValueError, "train.warmup = ", s.warmup, " ", unit,
                   " does not fit in the run's ", span, " ", unit,
                   " (train.epochs", s.schedule_unit == "batch" ? " x batches an epoch" : "",
                   "): lower train.warmup or train more");
        return std::make_unique<optim::WarmupDecayLR>(
            opt, s.warmup, optim::WarmupDecayLR::Decay::Cosine, std::max(span, s.warmup) + 1);
    }
    if (s.schedule == "warmup_inverse_sqrt")
        return std::make_unique<optim::WarmupDecayLR>(opt, s.warmup, optim::WarmupDecayLR::Decay::InverseSqrt);
    return nullptr;  // none, plateau.
}

}  // namespace kaya::app
