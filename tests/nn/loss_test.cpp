// SPDX-License-Identifier: MIT
// Losses against PyTorch (values and input gradients, float64), gradcheck on each, and the
// error paths. References: tools/gen_reference.py, loss_cases().
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "kaya/autograd/gradcheck.h"
#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"
#include "support/npy.h"

namespace kaya::nn {
namespace {

using Arrays = std::map<std::string, Tensor>;
struct LossCase {
    std::string name;
    std::vector<std::string> keys;
    std::function<Tensor(const Arrays&)> f;
};
std::ostream& operator<<(std::ostream& os, const LossCase& c) { return os << c.name; }

std::vector<LossCase> cases() {
    using A = const Arrays&;
    const std::vector<std::string> it = {"input", "target"}, itw = {"input", "target", "weight"};
    return {
        {"mse", it, [](A a) { return mse_loss(a.at("input"), a.at("target")); }},
        {"mse_sum", it, [](A a) { return mse_loss(a.at("input"), a.at("target"), Reduction::Sum); }},
        {"l1_none", it, [](A a) { return l1_loss(a.at("input"), a.at("target"), Reduction::None); }},
        {"huber", it, [](A a) { return huber_loss(a.at("input"), a.at("target"), 1.5); }},
        {"ce", it, [](A a) { return cross_entropy(a.at("input"), a.at("target")); }},
        {"ce_sum", it, [](A a) { return cross_entropy(a.at("input"), a.at("target"), {.reduction = Reduction::Sum}); }},
        {"ce_none", it, [](A a) { return cross_entropy(a.at("input"), a.at("target"), {.reduction = Reduction::None}); }},
        {"ce_weight", itw, [](A a) { return cross_entropy(a.at("input"), a.at("target"), {.weight = a.at("weight")}); }},
        {"ce_ignore", it, [](A a) { return cross_entropy(a.at("input"), a.at("target")); }},
        {"ce_smooth", it, [](A a) { return cross_entropy(a.at("input"), a.at("target"), {.label_smoothing = 0.1}); }},
        {"ce_all_options", itw, [](A a) {
             return cross_entropy(a.at("input"), a.at("target"), {.weight = a.at("weight"), .label_smoothing = 0.2});
         }},
        {"ce_smooth_none", itw, [](A a) {
             return cross_entropy(a.at("input"), a.at("target"),
                                  {.weight = a.at("weight"), .label_smoothing = 0.2, .reduction = Reduction::None});
         }},
        {"ce_spatial", it, [](A a) { return cross_entropy(a.at("input"), a.at("target")); }},
        {"ce_unbatched", it, [](A a) { return cross_entropy(a.at("input"), a.at("target")); }},
        {"ce_probs", it, [](A a) { return cross_entropy(a.at("input"), a.at("target")); }},
        {"ce_probs_all", itw, [](A a) {
             return cross_entropy(a.at("input"), a.at("target"), {.weight = a.at("weight"), .label_smoothing = 0.1});
         }},
        {"ce_huge_logits", it, [](A a) { return cross_entropy(a.at("input"), a.at("target")); }},
        {"nll_weight_ignore", itw, [](A a) {
             return nll_loss(a.at("input"), a.at("target"), {.weight = a.at("weight"), .ignore_index = 3});
         }},
        {"bce_logits", it, [](A a) { return binary_cross_entropy_with_logits(a.at("input"), a.at("target")); }},
        {"bce_logits_all", {"input", "target", "weight", "pos_weight"}, [](A a) {
             return binary_cross_entropy_with_logits(
                 a.at("input"), a.at("target"),
                 {.weight = a.at("weight"), .pos_weight = a.at("pos_weight"), .reduction = Reduction::Sum});
         }},
    };
}

std::string file(const std::string& name, const std::string& part) {
    return test::data_path("ref/nl_" + name + "." + part + ".npy");
}

Arrays load(const LossCase& c) {
    Arrays a;
    for (const auto& k : c.keys) a[k] = test::load_npy(file(c.name, k));
    return a;
}

class LossReference : public ::testing::TestWithParam<LossCase> {};

TEST_P(LossReference, ValueAndGradientMatchPyTorch) {
    const LossCase& c = GetParam();
    ASSERT_TRUE(std::filesystem::exists(file(c.name, "out"))) << "run tools/gen_reference.py";
    Arrays a = load(c);
    a["input"].requires_grad_();
    Tensor out = c.f(a);
    Tensor want = test::load_npy(file(c.name, "out"));
    ASSERT_EQ(out.shape(), want.shape());
    auto g = to_vector<double>(out), w = to_vector<double>(want);
    for (size_t i = 0; i < g.size(); ++i) {
        ASSERT_TRUE(std::isfinite(g[i])) << c.name;
        EXPECT_NEAR(g[i], w[i], 1e-10 * (1 + std::abs(w[i]))) << c.name << " element " << i;
    }
    Tensor grad = autograd::grad({sum(out)}, {a["input"]})[0];
    auto gg = to_vector<double>(grad), gw = to_vector<double>(test::load_npy(file(c.name, "grad")));
    for (size_t i = 0; i < gg.size(); ++i) EXPECT_NEAR(gg[i], gw[i], 1e-10) << c.name << " grad " << i;
}

TEST_P(LossReference, Gradcheck) {
    const LossCase& c = GetParam();
    if (c.name == "ce_huge_logits") GTEST_SKIP() << "finite differences of 1e4-scale logits";
    Arrays a = load(c);
    autograd::Function f = [&](const std::vector<Tensor>& xs) {
        Arrays b = a;
        b["input"] = xs[0];
        return std::vector<Tensor>{c.f(b)};
    };
    Tensor x = a["input"];
    x.requires_grad_();
    auto r = autograd::gradcheck(f, {x});
    EXPECT_TRUE(r.ok) << r.message;
}

INSTANTIATE_TEST_SUITE_P(Losses, LossReference, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

TEST(Loss, FloatLogitsOf1e4StayFinite) {
    Tensor logits = tensor({1e4, -1e4, 0, 5e3}, DType::Float32);
    logits = reshape(logits, {1, 4});
    logits.requires_grad_();
    Tensor l = cross_entropy(logits, from_vector<int64_t>({1}, {1}));
    EXPECT_NEAR(l.item<float>(), 2e4, 1.0);
    autograd::backward(l);
    for (float v : to_vector<float>(logits.grad())) EXPECT_TRUE(std::isfinite(v));
}

TEST(Loss, ErrorsNameTheProblem) {
    Tensor logits = zeros({3, 4});
    try {
        cross_entropy(logits, from_vector<int64_t>({0, 4, 1}, {3}));
        FAIL();
    } catch (const IndexError& e) {
        EXPECT_STREQ(e.what(), "cross_entropy: target 4 at flat position 1 is out of range for 4 "
                               "classes (ignore_index is -100)");
    }
    EXPECT_THROW(cross_entropy(logits, zeros({2}, DType::Int64)), ShapeError) << "wrong batch";
    EXPECT_THROW(cross_entropy(logits, zeros({3})), ShapeError) << "float target of the wrong shape";
    EXPECT_THROW(mse_loss(zeros({4, 1}), zeros({4})), ShapeError);
    EXPECT_THROW(cross_entropy(logits, zeros({3}, DType::Int64), {.weight = ones({3})}), ShapeError);
    EXPECT_THROW(cross_entropy(logits, zeros({3}, DType::Int64), {.label_smoothing = 2}), ValueError);
}

TEST(Loss, ModulesWrapTheFunctions) {
    CrossEntropyLoss ce({.label_smoothing = 0.1});
    Tensor x = randn({4, 3}), t = from_vector<int64_t>({0, 2, 1, 1}, {4});
    EXPECT_EQ(ce(x, t).item<float>(), cross_entropy(x, t, {.label_smoothing = 0.1}).item<float>());
    MSELoss mse;
    EXPECT_EQ(mse(x, x).item<float>(), 0.0f);
    EXPECT_EQ(ce.type_name(), "CrossEntropyLoss");
}

}  // namespace
}  // namespace kaya::nn
