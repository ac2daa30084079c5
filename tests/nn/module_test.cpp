// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>

#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"

namespace kaya::nn {
namespace {

std::shared_ptr<Sequential> mlp() {
    return std::make_shared<Sequential>(Sequential{std::make_shared<Linear>(4, 3),
                                                   std::make_shared<ReLU>(),
                                                   std::make_shared<Linear>(3, 2)});
}

TEST(Module, NamesParametersLikePyTorch) {
    auto m = mlp();
    auto named = m->named_parameters();
    ASSERT_EQ(named.size(), 4u);
    EXPECT_EQ(named[0].first, "0.weight");
    EXPECT_EQ(named[1].first, "0.bias");
    EXPECT_EQ(named[3].first, "2.bias");
    EXPECT_EQ(named[0].second.shape(), (Shape{3, 4}));
    EXPECT_EQ(m->num_parameters(), 4 * 3 + 3 + 3 * 2 + 2);
    for (auto& p : m->parameters()) EXPECT_TRUE(p.requires_grad() && p.is_leaf());
}

TEST(Module, ReprMatchesPyTorch) {
    EXPECT_EQ(mlp()->repr(),
              "Sequential(\n"
              "  (0): Linear(in_features=4, out_features=3, bias=True)\n"
              "  (1): ReLU()\n"
              "  (2): Linear(in_features=3, out_features=2, bias=True)\n"
              ")");
}

TEST(Module, LinearInitialisationFollowsPyTorchBounds) {
    manual_seed(0);
    Linear l(100, 50);
    double b = 1.0 / std::sqrt(100.0);
    EXPECT_LE(max(abs(l.weight)).item<double>(), b);
    EXPECT_GT(max(abs(l.weight)).item<double>(), 0.9 * b);
    EXPECT_LE(max(abs(l.bias)).item<double>(), b);
}

TEST(Module, ForwardBackwardAndZeroGrad) {
    auto m = mlp();
    Tensor x = randn({5, 4});
    Tensor y = (*m)(x);
    EXPECT_EQ(y.shape(), (Shape{5, 2}));
    autograd::backward(sum(y));
    for (auto& p : m->parameters()) EXPECT_TRUE(p.grad().defined());
    m->zero_grad();
    for (auto& p : m->parameters()) EXPECT_FALSE(p.grad().defined());
    EXPECT_THROW((*m)(randn({5, 3})), ShapeError);
}

TEST(Module, StateDictRoundTripAndStrictErrors) {
    auto a = mlp(), b = mlp();
    b->load_state_dict(a->state_dict());
    Tensor x = randn({2, 4});
    EXPECT_EQ(to_vector<float>((*a)(x)), to_vector<float>((*b)(x)));
    // The handles stay the same tensors: loading copies values.
    EXPECT_TRUE(b->named_parameters()[0].second.is_same(std::static_pointer_cast<Linear>((*b)[0])->weight));

    NamedTensors bad = a->state_dict();
    bad.erase(bad.begin());                        // missing 0.weight
    bad.emplace_back("extra.weight", zeros({1}));  // unexpected
    bad[0].second = zeros({7});                    // 0.bias mis-shaped
    try {
        b->load_state_dict(bad);
        FAIL();
    } catch (const ValueError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("missing keys:\n    0.weight"), std::string::npos) << msg;
        EXPECT_NE(msg.find("unexpected keys:\n    extra.weight"), std::string::npos) << msg;
        EXPECT_NE(msg.find("0.bias: checkpoint [7], model [3]"), std::string::npos) << msg;
    }
}

TEST(Module, TrainEvalControlsDropout) {
    Generator g(3);
    Dropout d(0.5, &g);
    Tensor x = ones({10000});
    Tensor y = d(x);
    double kept = mean(to(gt(y, 0), DType::Float32)).item<double>();
    EXPECT_NEAR(kept, 0.5, 0.02);
    EXPECT_NEAR(mean(y).item<double>(), 1.0, 0.05) << "survivors are scaled by 1/(1-p)";
    d.eval();
    EXPECT_TRUE(d(x).is_same(x));
    EXPECT_THROW(Dropout(1.5), ValueError);
}

TEST(Init, FansAndGains) {
    Tensor w = empty({8, 4, 3, 3});
    EXPECT_EQ(init::fan_in(w), 36);
    EXPECT_EQ(init::fan_out(w), 72);
    EXPECT_NEAR(init::calculate_gain("relu"), std::sqrt(2.0), 1e-12);
    EXPECT_THROW(init::calculate_gain("swish"), ValueError);
    EXPECT_THROW(init::fan_in(empty({3})), ValueError);
    Tensor v = empty({400, 300});
    init::xavier_uniform_(v);
    EXPECT_LE(max(abs(v)).item<double>(), std::sqrt(6.0 / 700.0));
    init::kaiming_normal_(v, 0, false, "relu");
    EXPECT_NEAR(std(v).item<double>(), std::sqrt(2.0 / 300.0), 0.003);
}

}  // namespace
// A Conv2d followed by a ReLU runs as one convolution with a ReLU epilogue: the bits of the two
// modules, with a graph and without; a subclass of Conv2d keeps its own forward; forward_first
// stops where it is told.
class ShiftedConv : public Conv2d {
public:
    using Conv2d::Conv2d;
    Tensor forward(const Tensor& x) override { return sub(Conv2d::forward(x), 0.5); }
};

TEST(Module, SequentialRunsAConvolutionAndItsReluAsOne) {
    manual_seed(4);
    const Conv2dOptions o{.in = 16, .out = 16, .params = {.padding = {1, 1}}};
    auto conv = std::make_shared<Conv2d>(o), last = std::make_shared<Conv2d>(o);
    auto shifted = std::make_shared<ShiftedConv>(o);
    Sequential net{conv, std::make_shared<ReLU>(), shifted, std::make_shared<ReLU>(), last};
    Tensor x = randn({2, 16, 11, 11});
    auto by_hand = [&](size_t n) {
        Tensor h = relu(conv->forward(x));
        if (n > 2) h = relu(shifted->forward(h));
        return n > 4 ? last->forward(h) : h;
    };
    auto same = [](const Tensor& a, const Tensor& b) {
        return a.shape() == b.shape() && to_vector<float>(a) == to_vector<float>(b);
    };
    EXPECT_TRUE(same(net.forward(x), by_hand(5)));  // with a graph
    {
        autograd::NoGradGuard no_grad;
        EXPECT_TRUE(same(net.forward(x), by_hand(5)));
        EXPECT_TRUE(same(net.forward_first(x, 2), by_hand(2)));
        EXPECT_TRUE(same(net.forward_first(x, 4), by_hand(4)));
        EXPECT_TRUE(same(net.forward_first(x, 1), conv->forward(x)));  // the ReLU not asked for
    }
    EXPECT_THROW(net.forward_first(x, 6), ValueError);
}

}  // namespace kaya::nn
