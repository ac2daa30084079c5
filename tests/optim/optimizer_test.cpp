// SPDX-License-Identifier: MIT
// Optimizer trajectories and LR schedules against PyTorch (tools/gen_reference.py), state
// round trips, clipping and error paths.
#include <gtest/gtest.h>

#include <cmath>

#include "kaya/ops/ops.h"
#include "kaya/optim/optim.h"
#include "support/npy.h"

namespace kaya::optim {
namespace {

Tensor load_ref(const std::string& name) { return test::load_npy(test::data_path("ref/" + name + ".npy")); }

struct OptCase {
    std::string name;
    std::function<std::unique_ptr<Optimizer>(Tensor&, Tensor&)> make;
};
std::ostream& operator<<(std::ostream& os, const OptCase& c) { return os << c.name; }

std::vector<OptCase> opt_cases() {
    using P = std::unique_ptr<Optimizer>;
    return {
        {"sgd", [](Tensor& w, Tensor& b) -> P { return std::make_unique<SGD>(std::vector<Tensor>{w, b}, SGDOptions{.lr = 0.1}); }},
        {"sgd_momentum", [](Tensor& w, Tensor& b) -> P {
             return std::make_unique<SGD>(std::vector<Tensor>{w, b}, SGDOptions{.lr = 0.05, .momentum = 0.9});
         }},
        {"sgd_dampening", [](Tensor& w, Tensor& b) -> P {
             return std::make_unique<SGD>(std::vector<Tensor>{w, b}, SGDOptions{.lr = 0.05, .momentum = 0.9, .dampening = 0.3});
         }},
        {"sgd_nesterov_wd", [](Tensor& w, Tensor& b) -> P {
             return std::make_unique<SGD>(std::vector<Tensor>{w, b},
                                          SGDOptions{.lr = 0.05, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
         }},
        {"adagrad", [](Tensor& w, Tensor& b) -> P {
             return std::make_unique<Adagrad>(std::vector<Tensor>{w, b},
                                              AdagradOptions{.lr = 0.1, .lr_decay = 0.01, .weight_decay = 0.01,
                                                             .initial_accumulator_value = 0.1});
         }},
        {"rmsprop", [](Tensor& w, Tensor& b) -> P { return std::make_unique<RMSprop>(std::vector<Tensor>{w, b}, RMSpropOptions{.lr = 0.01}); }},
        {"rmsprop_centered_momentum", [](Tensor& w, Tensor& b) -> P {
             return std::make_unique<RMSprop>(std::vector<Tensor>{w, b},
                                              RMSpropOptions{.lr = 0.01, .alpha = 0.9, .weight_decay = 0.01,
                                                             .momentum = 0.9, .centered = true});
         }},
        {"adam", [](Tensor& w, Tensor& b) -> P { return std::make_unique<Adam>(std::vector<Tensor>{w, b}, AdamOptions{.lr = 0.01}); }},
        {"adam_amsgrad_wd", [](Tensor& w, Tensor& b) -> P {
             return std::make_unique<Adam>(std::vector<Tensor>{w, b},
                                           AdamOptions{.lr = 0.01, .betas = {0.8, 0.99}, .weight_decay = 0.01, .amsgrad = true});
         }},
        {"adamw", [](Tensor& w, Tensor& b) -> P {
             return std::make_unique<AdamW>(std::vector<Tensor>{w, b}, AdamOptions{.lr = 0.01, .weight_decay = 0.1});
         }},
        {"adamw_amsgrad", [](Tensor& w, Tensor& b) -> P {
             return std::make_unique<AdamW>(std::vector<Tensor>{w, b}, AdamOptions{.lr = 0.02, .weight_decay = 0.01, .amsgrad = true});
         }},
        {"groups_sgd", [](Tensor& w, Tensor& b) -> P {
             return std::make_unique<SGD>(std::vector<ParamGroup<SGDOptions>>{
                 {{w}, SGDOptions{.lr = 0.1, .momentum = 0.9}}, {{b}, SGDOptions{.lr = 0.01}}});
         }},
    };
}

Tensor loss_of(const Tensor& w, const Tensor& b, const Tensor& X, const Tensor& Y) {
    Tensor d = sub(add(tanh(matmul(X, w)), b), Y);
    return mean(mul(d, d));
}

class Trajectory : public ::testing::TestWithParam<OptCase> {};

// 20 steps in float64 must follow PyTorch's parameters to 1e-6 relative (in practice ~1e-15).
TEST_P(Trajectory, MatchesPyTorchForTwentySteps) {
    Tensor X = load_ref("no_data.X"), Y = load_ref("no_data.Y");
    Tensor w = clone(load_ref("no_data.w0")).requires_grad_(), b = clone(load_ref("no_data.b0")).requires_grad_();
    auto opt = GetParam().make(w, b);
    Tensor ws = load_ref("no_" + GetParam().name + ".w"), bs = load_ref("no_" + GetParam().name + ".b");
    for (int64_t s = 0; s < 20; ++s) {
        opt->zero_grad();
        autograd::backward(loss_of(w, b, X, Y));
        opt->step();
        auto got_w = to_vector<double>(w), want_w = to_vector<double>(select(ws, 0, s));
        auto got_b = to_vector<double>(b), want_b = to_vector<double>(select(bs, 0, s));
        for (size_t i = 0; i < got_w.size(); ++i) {
            ASSERT_NEAR(got_w[i], want_w[i], 1e-6 * std::abs(want_w[i]) + 1e-12) << "step " << s;
        }
        for (size_t i = 0; i < got_b.size(); ++i) {
            ASSERT_NEAR(got_b[i], want_b[i], 1e-6 * std::abs(want_b[i]) + 1e-12) << "step " << s;
        }
    }
}

// Stopping after 10 steps, saving the state and continuing in a new optimizer must give the
// same trajectory as running straight through (what checkpoint resume relies on).
TEST_P(Trajectory, StateDictResumesExactly) {
    Tensor X = load_ref("no_data.X"), Y = load_ref("no_data.Y");
    Tensor w = clone(load_ref("no_data.w0")).requires_grad_(), b = clone(load_ref("no_data.b0")).requires_grad_();
    auto opt = GetParam().make(w, b);
    for (int s = 0; s < 10; ++s) {
        opt->zero_grad();
        autograd::backward(loss_of(w, b, X, Y));
        opt->step();
    }
    NamedTensors saved = opt->state_dict();
    Tensor w2 = clone(detach(w)).requires_grad_(), b2 = clone(detach(b)).requires_grad_();
    auto opt2 = GetParam().make(w2, b2);
    opt2->load_state_dict(saved);
    for (int s = 10; s < 20; ++s) {
        opt2->zero_grad();
        autograd::backward(loss_of(w2, b2, X, Y));
        opt2->step();
    }
    Tensor want = select(load_ref("no_" + GetParam().name + ".w"), 0, 19);
    auto got = to_vector<double>(w2), exp = to_vector<double>(want);
    for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], exp[i], 1e-6 * std::abs(exp[i]) + 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, Trajectory, ::testing::ValuesIn(opt_cases()),
                         [](const auto& info) { return info.param.name; });

std::vector<double> run_schedule(LRScheduler& s, Optimizer& o, int steps) {
    std::vector<double> lrs;
    for (int i = 0; i < steps; ++i) {
        s.step();
        lrs.push_back(o.lr());
    }
    return lrs;
}

void expect_lrs(const std::vector<double>& got, const std::string& name) {
    auto want = to_vector<double>(load_ref("ns_" + name + ".lr"));
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << name << " step " << i;
}

TEST(Schedules, MatchPyTorch) {
    auto make = [] {
        Tensor p = zeros({1}).requires_grad_();
        return SGD({p}, {.lr = 0.1});
    };
    {
        SGD o = make();
        StepLR s(o, 7, 0.5);
        expect_lrs(run_schedule(s, o, 30), "step");
    }
    {
        SGD o = make();
        ExponentialLR s(o, 0.9);
        expect_lrs(run_schedule(s, o, 30), "exponential");
    }
    {
        SGD o = make();
        CosineAnnealingLR s(o, 10, 0.01);
        expect_lrs(run_schedule(s, o, 30), "cosine");
    }
    {
        SGD o = make();
        WarmupDecayLR s(o, 5);
        EXPECT_EQ(o.lr(), 0.0);
        expect_lrs(run_schedule(s, o, 30), "warmup_inverse_sqrt");
    }
    {
        SGD o = make();
        ReduceLROnPlateau s(o, {.factor = 0.5, .patience = 2, .cooldown = 1, .min_lr = 0.02});
        std::vector<double> lrs;
        for (double m : to_vector<double>(load_ref("ns_plateau.metric"))) {
            s.step(m);
            lrs.push_back(o.lr());
        }
        expect_lrs(lrs, "plateau");
    }
}

TEST(Schedules, LinearAndCosineWarmupDecayReachZero) {
    Tensor p = zeros({1}).requires_grad_();
    SGD o({p}, {.lr = 1.0});
    WarmupDecayLR lin(o, 10, WarmupDecayLR::Decay::Linear, 110);
    auto lrs = run_schedule(lin, o, 110);
    EXPECT_DOUBLE_EQ(lrs[4], 0.5);
    EXPECT_DOUBLE_EQ(lrs[9], 1.0);
    EXPECT_DOUBLE_EQ(lrs[59], 0.5);
    EXPECT_DOUBLE_EQ(lrs[109], 0.0);
    EXPECT_THROW(WarmupDecayLR(o, 10, WarmupDecayLR::Decay::Cosine, 5), ValueError);
}

TEST(Clip, GradNormAndValue) {
    Tensor a = zeros({2}).requires_grad_(), b = zeros({1}).requires_grad_();
    a.set_grad(tensor({3, 0}));
    b.set_grad(tensor({4}));
    double n = clip_grad_norm_({a, b}, 1.0);
    EXPECT_NEAR(n, 5.0, 1e-6);
    EXPECT_NEAR(to_vector<float>(a.grad())[0], 0.6f, 1e-5);
    EXPECT_NEAR(to_vector<float>(b.grad())[0], 0.8f, 1e-5);
    EXPECT_NEAR(clip_grad_norm_({a, b}, 10.0), 1.0, 1e-5) << "no change below the limit";
    clip_grad_value_({a, b}, 0.7);
    EXPECT_NEAR(to_vector<float>(b.grad())[0], 0.7f, 1e-6);
    EXPECT_NEAR(clip_grad_norm_({a, b}, 1.0, INFINITY), 0.7, 1e-6);
}

TEST(Optimizer, RejectsBadParameters) {
    Tensor p = zeros({2}).requires_grad_();
    EXPECT_THROW(SGD({zeros({2})}, {}), ValueError) << "no requires_grad";
    EXPECT_THROW(SGD({p, p}, {}), ValueError) << "duplicate";
    EXPECT_THROW(SGD({p}, {.lr = -1}), ValueError);
    EXPECT_THROW(SGD({p}, {.nesterov = true}), ValueError);
    EXPECT_THROW(Adam({p}, {.betas = {1.0, 0.9}}), ValueError);
    SGD o({p}, {.lr = 0.1});
    NamedTensors bad = {{"state.3.momentum_buffer", zeros({2})}};
    EXPECT_THROW(o.load_state_dict(bad), ValueError);
}

TEST(Optimizer, ParametersWithoutGradAreSkipped) {
    Tensor p = ones({2}).requires_grad_(), q = ones({2}).requires_grad_();
    SGD o({p, q}, {.lr = 0.5});
    p.set_grad(ones({2}));
    o.step();
    EXPECT_EQ(to_vector<float>(p), (std::vector<float>{0.5f, 0.5f}));
    EXPECT_EQ(to_vector<float>(q), (std::vector<float>{1.0f, 1.0f}));
}

// The fused updates flush denormals (kernels/simd/denormals.h): a squared gradient whose moment
// would be a denormal (1e-20^2 x 0.001 = 1e-43) is held as 0, the parameter moves as PyTorch's
// does, and the calling thread computes denormals again afterwards.
TEST(Optimizer, FusedUpdatesFlushDenormalsAndRestoreTheThread) {
    Tensor p = ones({4}).requires_grad_();
    Adam adam({p}, {.lr = 0.01});
    p.set_grad(full({4}, 1e-20));
    adam.step();
    const NamedTensors state = adam.state_dict();
    bool found = false;
    for (const auto& [name, t] : state) {
        if (name.find("exp_avg_sq") == std::string::npos) continue;
        found = true;
        EXPECT_EQ(to_vector<float>(t), std::vector<float>(4, 0.0f)) << name;
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(to_vector<float>(p), std::vector<float>(4, 1.0f));
    volatile float tiny = 1e-38f;
    const float denormal = tiny / 64.0f;
    EXPECT_GT(denormal, 0.0f);
    EXPECT_LT(denormal, 1.17549435e-38f);
}

}  // namespace
}  // namespace kaya::optim
