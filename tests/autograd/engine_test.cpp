// SPDX-License-Identifier: MIT
// Autograd semantics: accumulation, retain_graph, no_grad, detach, retain_grad, in-place
// checks, higher-order gradients (Hessian, Hessian-vector product), and that gradcheck
// itself catches wrong rules.
#include <gtest/gtest.h>

#include <cmath>

#include "kaya/autograd/gradcheck.h"
#include "kaya/autograd/node.h"
#include "kaya/ops/ops.h"

namespace kaya {
namespace {

Tensor leaf(std::vector<double> v, Shape s) {
    Tensor t = from_vector(v, s);
    t.requires_grad_();
    return t;
}

TEST(Engine, LeafGradientsAccumulateAcrossBackwardCalls) {
    Tensor x = leaf({1, 2, 3}, {3});
    autograd::backward(sum(mul(x, x)));
    autograd::backward(sum(mul(x, 3.0)));
    EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{5, 7, 9}));
}

TEST(Engine, TransposedAndBroadcastContributionsAddUp) {
    // x meets two gradients that are both non-contiguous: a transposed one (from t) and a
    // broadcast one (from sum): the sum reads the first by tiles (kernels' transposed path).
    for (DType dt : {DType::Float32, DType::Float64}) {
        Tensor x = randn({37, 23}, dt).requires_grad_();
        const Tensor w = randn({23, 37}, dt);
        const Tensor loss = add(sum(mul(t(x), w)), mul(sum(x), 2.0));
        const Tensor g = autograd::grad({loss}, {x})[0];
        EXPECT_EQ(g.shape(), Shape({37, 23}));
        EXPECT_LT(max(abs(sub(g, add(t(w), 2.0)))).item<double>(), 1e-6);
        // The same with a graph (double backward's path).
        const Tensor again = add(sum(mul(t(x), w)), mul(sum(x), 2.0));
        const Tensor gg = autograd::grad({again}, {x}, {}, {.create_graph = true})[0];
        EXPECT_LT(max(abs(sub(gg, add(t(w), 2.0)))).item<double>(), 1e-6);
    }
}

TEST(Engine, SecondBackwardWithoutRetainGraphThrows) {
    Tensor x = leaf({1, 2}, {2});
    Tensor y = sum(exp(x));
    autograd::backward(y);
    try {
        autograd::backward(y);
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("second time"), std::string::npos) << e.what();
    }
}

TEST(Engine, RetainGraphAllowsSecondBackward) {
    Tensor x = leaf({0.5}, {1});
    Tensor y = sum(exp(x));
    autograd::backward(y, Tensor(), {.retain_graph = true});
    autograd::backward(y);
    EXPECT_NEAR(x.grad().item<double>(), 2 * std::exp(0.5), 1e-12);
}

TEST(Engine, NoGradAndDetachRecordNothing) {
    Tensor x = leaf({1, 2}, {2});
    {
        autograd::NoGradGuard guard;
        EXPECT_FALSE(mul(x, 2.0).requires_grad());
    }
    EXPECT_TRUE(mul(x, 2.0).requires_grad());
    Tensor d = detach(x);
    EXPECT_FALSE(d.requires_grad());
    EXPECT_EQ(d.storage(), x.storage());
}

TEST(Engine, RetainGradFillsNonLeafGrad) {
    Tensor x = leaf({1, 2}, {2});
    Tensor h = mul(x, 3.0);
    autograd::retain_grad(h);
    autograd::backward(sum(mul(h, h)));
    EXPECT_EQ(to_vector<double>(h.grad()), (std::vector<double>{6, 12}));
    EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{18, 36}));
}

TEST(Engine, ModifiedSavedTensorIsReported) {
    Tensor x = leaf({1, 2}, {2});
    Tensor h = mul(x, 1.0);
    Tensor y = sum(mul(h, h));  // Saves h.
    add_(h, 1.0);
    try {
        autograd::backward(y);
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("in-place"), std::string::npos) << e.what();
    }
}

TEST(Engine, InPlaceOnLeafRequiringGradThrows) {
    Tensor x = leaf({1, 2}, {2});
    EXPECT_THROW(add_(x, 1.0), ValueError);
    autograd::NoGradGuard guard;
    add_(x, 1.0);  // Allowed without grad mode, as an optimizer step.
    EXPECT_EQ(to_vector<double>(x), (std::vector<double>{2, 3}));
}

TEST(Engine, InPlaceOnNonLeafJoinsTheGraph) {
    Tensor x = leaf({1, 2}, {2});
    Tensor y = mul(x, 2.0);
    Tensor w = leaf({3, 4}, {2});
    add_(y, w);  // y = 2x + w
    mul_(y, 5.0);
    autograd::backward(sum(y));
    EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{10, 10}));
    EXPECT_EQ(to_vector<double>(w.grad()), (std::vector<double>{5, 5}));
    EXPECT_EQ(to_vector<double>(y), (std::vector<double>{25, 40}));
}

TEST(Engine, NonScalarRootNeedsGradOutput) {
    Tensor x = leaf({1, 2}, {2});
    EXPECT_THROW(autograd::backward(mul(x, 2.0)), ValueError);
    autograd::backward(mul(x, 2.0), from_vector<double>({1, -1}, {2}));
    EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{2, -2}));
}

TEST(Engine, GradOfUnusedInputNeedsAllowUnused) {
    Tensor x = leaf({1}, {1}), z = leaf({1}, {1});
    Tensor y = sum(mul(x, 2.0));
    EXPECT_THROW(autograd::grad({y}, {z}, {}, {.retain_graph = true}), ValueError);
    auto g = autograd::grad({y}, {x, z}, {}, {.allow_unused = true});
    EXPECT_FALSE(g[1].defined());
    EXPECT_EQ(g[0].item<double>(), 2.0);
    EXPECT_FALSE(x.grad().defined()) << "grad() must not touch .grad";
}

TEST(Engine, RequiresGradOnIntegerTensorThrows) {
    Tensor i = arange(3);
    EXPECT_THROW(i.requires_grad_(), DTypeError);
}

// f(x) = x0^2 x1 + x1^3 + sin(x0): H = [[2 x1 - sin(x0), 2 x0], [2 x0, 6 x1]].
TEST(HigherOrder, HessianByDoubleBackwardEqualsAnalytic) {
    Tensor x = leaf({0.7, -1.3}, {2});
    Tensor x0 = select(x, 0, 0), x1 = select(x, 0, 1);
    Tensor f = add(add(mul(mul(x0, x0), x1), pow(x1, 3)), sin(x0));
    Tensor g = autograd::grad({f}, {x}, {}, {.create_graph = true})[0];
    ASSERT_TRUE(g.requires_grad());
    double a = 0.7, b = -1.3;
    double expected[2][2] = {{2 * b - std::sin(a), 2 * a}, {2 * a, 6 * b}};
    for (int i = 0; i < 2; ++i) {
        Tensor row = autograd::grad({select(g, 0, i)}, {x}, {}, {.retain_graph = true})[0];
        auto r = to_vector<double>(row);
        EXPECT_NEAR(r[0], expected[i][0], 1e-12);
        EXPECT_NEAR(r[1], expected[i][1], 1e-12);
    }
}

// Hessian-vector product of an MLP loss: grad(<grad L(w), v>) against central differences
// of the gradient, (grad L(w + h v) - grad L(w - h v)) / 2h.
TEST(HigherOrder, MlpHessianVectorProductMatchesFiniteDifferences) {
    Generator gen(3);
    Tensor X = randn({16, 5}, DType::Float64, &gen);
    Tensor Y = randn({16, 1}, DType::Float64, &gen);
    Tensor w1 = mul(randn({5, 8}, DType::Float64, &gen), 0.5).requires_grad_();
    Tensor w2 = mul(randn({8, 1}, DType::Float64, &gen), 0.5).requires_grad_();
    w1 = detach(w1).requires_grad_();
    w2 = detach(w2).requires_grad_();
    Tensor v1 = randn({5, 8}, DType::Float64, &gen), v2 = randn({8, 1}, DType::Float64, &gen);
    auto loss_of = [&](const Tensor& a, const Tensor& b) {
        Tensor d = sub(matmul(tanh(matmul(X, a)), b), Y);
        return mean(mul(d, d));
    };
    auto grads = autograd::grad({loss_of(w1, w2)}, {w1, w2}, {}, {.create_graph = true});
    Tensor gv = add(sum(mul(grads[0], v1)), sum(mul(grads[1], v2)));
    auto hvp = autograd::grad({gv}, {w1, w2});
    const double h = 1e-5;
    auto grad_at = [&](double s) {
        Tensor a = detach(add(w1, mul(v1, s))).requires_grad_();
        Tensor b = detach(add(w2, mul(v2, s))).requires_grad_();
        return autograd::grad({loss_of(a, b)}, {a, b});
    };
    auto gp = grad_at(h), gm = grad_at(-h);
    for (int k = 0; k < 2; ++k) {
        auto ana = to_vector<double>(hvp[k]);
        auto p = to_vector<double>(gp[k]), m = to_vector<double>(gm[k]);
        for (size_t i = 0; i < ana.size(); ++i) {
            EXPECT_NEAR(ana[i], (p[i] - m[i]) / (2 * h), 1e-6 + 1e-5 * std::abs(ana[i]));
        }
    }
}

// A cube op with a hand-written rule, to show that the checkers can fail.
Tensor cube_with_rule(const Tensor& x, double factor, bool differentiable_rule) {
    Tensor out = detach(mul(mul(x, x), x));
    autograd::record("TestCube", out, {x}, [=](const Tensor& g) {
        Tensor xx = differentiable_rule ? x : detach(x);
        return std::vector<Tensor>{mul(g, mul(mul(xx, xx), factor))};
    });
    return out;
}

// tanh, sigmoid and exp keep their output for the backward rule (no recomputation), so
// changing that output in place afterwards is an error, as in PyTorch; their double backward
// still works (the rule recomputes the output with history under create_graph).
TEST(Engine, RulesThatKeepTheOutputReportChangesToIt) {
    for (auto f : {+[](const Tensor& t) { return tanh(t); }, +[](const Tensor& t) { return sigmoid(t); },
                   +[](const Tensor& t) { return exp(t); }}) {
        Tensor x = leaf({0.5, -1}, {2});
        Tensor y = f(x);
        Tensor loss = sum(y);
        {
            autograd::NoGradGuard no_grad;
            fill_(y, 3.0);
        }
        EXPECT_THROW(autograd::backward(loss), ValueError);
        Tensor x2 = leaf({0.5, -1}, {2});
        auto g = autograd::grad({sum(f(x2))}, {x2}, {}, {.create_graph = true});
        auto h = autograd::grad({sum(g[0])}, {x2});
        EXPECT_TRUE(h[0].defined());
    }
}

// A prepared pass gives autograd::grad's results bit for bit, seed after seed, on a graph with
// shared subexpressions, a gradient graph (create_graph) and an input it does not reach.
TEST(GradPlan, RunsEqualGradCallsBitForBit) {
    Generator gen(3);
    Tensor w = randn({6, 4}, DType::Float64, &gen).requires_grad_(true);
    Tensor b = randn({6}, DType::Float64, &gen).requires_grad_(true);
    Tensor unused = randn({2}, DType::Float64, &gen).requires_grad_(true);
    Tensor x = randn({5, 4}, DType::Float64, &gen);
    Tensor h = tanh(linear(x, w, b));
    Tensor loss = sum(h * h) + sum(exp(h) * b);
    auto g = autograd::grad({loss}, {w, b}, {}, {.create_graph = true});
    autograd::GradPlan plan(g, {w, b, unused});
    for (int trial = 0; trial < 3; ++trial) {
        std::vector<Tensor> seeds = {randn({6, 4}, DType::Float64, &gen), randn({6}, DType::Float64, &gen)};
        auto want = autograd::grad(g, {w, b, unused}, seeds, {.retain_graph = true, .allow_unused = true});
        auto got = plan.run(seeds);
        ASSERT_EQ(got.size(), 3u);
        EXPECT_EQ(to_vector<double>(got[0]), to_vector<double>(want[0]));
        EXPECT_EQ(to_vector<double>(got[1]), to_vector<double>(want[1]));
        EXPECT_FALSE(got[2].defined());
        EXPECT_FALSE(got[0].requires_grad());
    }
    EXPECT_THROW(plan.run({zeros({6, 4}, DType::Float64)}), ValueError);
    EXPECT_THROW(plan.run({zeros({4, 6}, DType::Float64), zeros({6}, DType::Float64)}), ShapeError);
    EXPECT_THROW(autograd::GradPlan({x}, {w}), ValueError);
    EXPECT_THROW(autograd::GradPlan({loss}, {x}), ValueError);
}

TEST(Gradcheck, CatchesAWrongFirstDerivative) {
    Tensor x = leaf({0.3, -0.8}, {2});
    autograd::Function bad = [](const std::vector<Tensor>& xs) {
        return std::vector<Tensor>{cube_with_rule(xs[0], 2.9, true)};
    };
    autograd::Function good = [](const std::vector<Tensor>& xs) {
        return std::vector<Tensor>{cube_with_rule(xs[0], 3.0, true)};
    };
    EXPECT_FALSE(autograd::gradcheck(bad, {x}).ok);
    EXPECT_TRUE(autograd::gradcheck(good, {x}).ok);
    EXPECT_TRUE(autograd::gradgradcheck(good, {x}).ok);
}

TEST(Gradcheck, GradgradcheckCatchesANonDifferentiableRule) {
    Tensor x = leaf({0.3, -0.8}, {2});
    autograd::Function f = [](const std::vector<Tensor>& xs) {
        return std::vector<Tensor>{cube_with_rule(xs[0], 3.0, false)};
    };
    EXPECT_TRUE(autograd::gradcheck(f, {x}).ok);
    EXPECT_FALSE(autograd::gradgradcheck(f, {x}).ok);
}

TEST(Gradcheck, RefusesFloat32Inputs) {
    Tensor x = ones({2}).requires_grad_();
    autograd::Function f = [](const std::vector<Tensor>& xs) { return std::vector<Tensor>{xs[0]}; };
    EXPECT_THROW(autograd::gradcheck(f, {x}), ValueError);
}

}  // namespace
}  // namespace kaya
