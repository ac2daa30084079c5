// SPDX-License-Identifier: MIT
// The policy network's shape and weights file, and the player's move choice: sensible moves
// only, passing and resigning.
#include "apps/go/policy/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

#include "apps/go/board/coords.h"
#include "apps/go/features/features.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"
#include "kaya/autograd/gradcheck.h"
#include "kaya/optim/optim.h"
#include "support/module_reference.h"

namespace kaya::go {
namespace {

std::string temp_path(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / "kaya_policy_test";
    std::filesystem::create_directories(dir);
    return (dir / name).string();
}

TEST(Policy, LayersAreThePapersWithPyTorchNames) {
    PolicyNet net({.board = 9, .filters = 8, .layers = 4});
    // A module's own parameters come before its children's, as in PyTorch.
    std::vector<std::pair<std::string, Shape>> want = {
        {"position_bias", {81}},     {"body.0.weight", {8, 48, 5, 5}}, {"body.0.bias", {8}},
        {"body.2.weight", {8, 8, 3, 3}}, {"body.2.bias", {8}},         {"body.4.weight", {8, 8, 3, 3}},
        {"body.4.bias", {8}},        {"body.6.weight", {1, 8, 1, 1}}};
    auto state = net.state_dict();
    ASSERT_EQ(state.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(state[i].first, want[i].first);
        EXPECT_EQ(state[i].second.shape(), want[i].second) << want[i].first;
    }
    Tensor logits = net.forward(zeros({2, 48, 9, 9}));
    EXPECT_EQ(logits.shape(), (Shape{2, 81}));
    EXPECT_THROW(net.forward(zeros({2, 47, 9, 9})), ShapeError);
    EXPECT_THROW(PolicyNet({.layers = 1}), ValueError);
    EXPECT_THROW(PolicyNet({.first_kernel = 4}), ValueError);
}

TEST(Policy, WeightsFileCarriesTheShape) {
    PolicyNet net({.board = 7, .filters = 4, .layers = 3, .first_kernel = 3});
    const std::string path = temp_path("net.safetensors");
    save_policy(path, net);
    auto back = load_policy(path);
    EXPECT_EQ(back->options().board, 7);
    EXPECT_EQ(back->options().filters, 4);
    EXPECT_EQ(back->options().layers, 3);
    EXPECT_EQ(back->options().first_kernel, 3);
    Tensor x = randn({1, 48, 7, 7});
    EXPECT_EQ(to_vector<float>(net.forward(x)), to_vector<float>(back->forward(x)));
    // A safetensors file without the metadata is refused with the reason.
    io::save_safetensors(path, net.state_dict());
    try {
        load_policy(path);
        FAIL() << "loaded a file without metadata";
    } catch (const ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("metadata key 'board' missing"), std::string::npos) << e.what();
    }
}

TEST(Policy, TheValueHeadSharesTheBodyAndTravelsInTheFile) {
    Generator gen(3);
    PolicyNet net(
        {.board = 7, .filters = 4, .layers = 3, .first_kernel = 3, .value_hidden = 6, .value_planes = 3, .gen = &gen});
    EXPECT_TRUE(net.has_value_head());
    std::vector<std::pair<std::string, Shape>> head = {
        {"value_conv.weight", {3, 4, 1, 1}}, {"value_conv.bias", {3}},   {"value_fc1.weight", {6, 147}},
        {"value_fc1.bias", {6}},             {"value_fc2.weight", {1, 6}}, {"value_fc2.bias", {1}}};
    auto state = net.state_dict();
    ASSERT_EQ(state.size(), 6 + head.size());
    for (size_t i = 0; i < head.size(); ++i) {
        EXPECT_EQ(state[6 + i].first, head[i].first);
        EXPECT_EQ(state[6 + i].second.shape(), head[i].second) << head[i].first;
    }
    autograd::NoGradGuard no_grad;
    Tensor x = randn({3, 48, 7, 7}, DType::Float32, &gen);
    auto [logits, values] = net.forward_with_value(x);
    EXPECT_EQ(to_vector<float>(logits), to_vector<float>(net.forward(x)));
    ASSERT_EQ(values.shape(), (Shape{3}));
    // The head by hand from the body's features: tanh(fc2(relu(fc1(conv(h))))), the
    // convolution's planes flattened.
    Tensor h = x;
    for (size_t i = 0; i + 1 < net.body->size(); ++i) h = (*(*net.body)[i])(h);
    Tensor v = reshape((*net.value_conv)(h), {3, 3 * 49});
    v = tanh((*net.value_fc2)(relu((*net.value_fc1)(v))));
    const auto by_hand = to_vector<float>(reshape(v, {3})), got = to_vector<float>(values);
    for (size_t b = 0; b < 3; ++b) EXPECT_NEAR(got[b], by_hand[b], 1e-6f);
    for (float f : to_vector<float>(values)) EXPECT_TRUE(f > -1 && f < 1) << f;
    // Averaged over the symmetries: symmetry 0 alone is the head's value; over all 8 the value
    // of a transformed board is the same.
    EXPECT_EQ(to_vector<float>(symmetric_outputs(net, x, 1).values), to_vector<float>(values));
    std::vector<float> in = to_vector<float>(x), moved(in.size());
    symmetric_planes(5, 7, 3 * 48, in.data(), moved.data());
    const auto ens = to_vector<float>(symmetric_outputs(net, x, 8).values);
    const auto ens_moved = to_vector<float>(symmetric_outputs(net, from_vector<float>(moved, {3, 48, 7, 7}), 8).values);
    for (size_t b = 0; b < 3; ++b) EXPECT_NEAR(ens[b], ens_moved[b], 1e-6f);
    // The file carries the head; a net without one says so when asked for a value.
    const std::string path = temp_path("value.safetensors");
    save_policy(path, net);
    auto back = load_policy(path);
    EXPECT_EQ(back->options().value_hidden, 6);
    EXPECT_EQ(back->options().value_planes, 3);
    EXPECT_EQ(to_vector<float>(back->forward_with_value(x).second), to_vector<float>(values));
    PolicyNet plain({.board = 7, .filters = 4, .layers = 3, .first_kernel = 3});
    EXPECT_FALSE(plain.has_value_head());
    EXPECT_FALSE(symmetric_outputs(plain, x, 2).values.defined());
    EXPECT_THROW(plain.forward_with_value(x), ValueError);
    EXPECT_THROW(PolicyNet({.value_hidden = -1}), ValueError);
    EXPECT_THROW(PolicyNet({.value_hidden = 4, .value_planes = 0}), ValueError);
}

TEST(Policy, TheOwnershipHeadSharesTheBodyTurnsWithTheBoardAndTravelsInTheFile) {
    Generator gen(4);
    PolicyNet net({.board = 7, .filters = 4, .layers = 3, .first_kernel = 3, .ownership = true, .gen = &gen});
    EXPECT_TRUE(net.has_ownership_head());
    EXPECT_FALSE(net.has_value_head());
    auto state = net.state_dict();
    ASSERT_EQ(state.size(), 8u);
    EXPECT_EQ(state[6].first, "ownership_conv.weight");
    EXPECT_EQ(state[6].second.shape(), (Shape{1, 4, 1, 1}));
    EXPECT_EQ(state[7].first, "ownership_conv.bias");
    autograd::NoGradGuard no_grad;
    Tensor x = randn({2, 48, 7, 7}, DType::Float32, &gen);
    PolicyOutputs out = net.forward_heads(x);
    EXPECT_EQ(to_vector<float>(out.logits), to_vector<float>(net.forward(x)));
    EXPECT_FALSE(out.values.defined());
    ASSERT_EQ(out.ownership.shape(), (Shape{2, 49}));
    // By hand: tanh of the 1x1 convolution of the body's features.
    Tensor h = x;
    for (size_t i = 0; i + 1 < net.body->size(); ++i) h = (*(*net.body)[i])(h);
    const auto by_hand = to_vector<float>(tanh(reshape((*net.ownership_conv)(h), {2, 49})));
    const auto got = to_vector<float>(out.ownership);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], by_hand[i], 1e-6f);
    EXPECT_EQ(to_vector<float>(tanh(out.ownership_raw)), got);
    // Under symmetry s, the ensemble's ownership of a turned board is the original's turned.
    EXPECT_EQ(to_vector<float>(symmetric_outputs(net, x, 1).ownership), got);
    std::vector<float> in = to_vector<float>(x), moved(in.size());
    symmetric_planes(3, 7, 2 * 48, in.data(), moved.data());
    const auto ens = to_vector<float>(symmetric_outputs(net, x, 8).ownership);
    const auto ens_moved = to_vector<float>(symmetric_outputs(net, from_vector<float>(moved, {2, 48, 7, 7}), 8).ownership);
    std::vector<float> ens_turned(ens.size());
    symmetric_planes(3, 7, 2, ens.data(), ens_turned.data());
    for (size_t i = 0; i < ens.size(); ++i) EXPECT_NEAR(ens_turned[i], ens_moved[i], 1e-5f) << i;
    // The file says the head is there.
    const std::string path = temp_path("ownership.safetensors");
    save_policy(path, net);
    auto back = load_policy(path);
    EXPECT_TRUE(back->options().ownership);
    EXPECT_EQ(to_vector<float>(back->forward_heads(x).ownership), got);
    auto meta = policy_metadata(net.options());
    meta["ownership"] = "2";
    EXPECT_THROW(policy_options_from(meta, "f"), ParseError);
}

TEST(Policy, TheResidualTrunkWithGlobalPoolingMatchesPyTorch) {
    // tools/gen_module_reference.py's GoNet: 2 plain layers, 2 blocks with global pooling,
    // both heads; every output and every gradient against PyTorch's.
    PolicyNet net({.board = 5, .filters = 4, .layers = 3, .value_hidden = 6, .ownership = true, .blocks = 2,
                   .global_pool = true});
    test::check_against_pytorch(net, "go_net_residual_gpool", [&](const test::Inputs& in) {
        PolicyOutputs out = net.forward_heads(in.at("planes"));
        return std::vector<Tensor>{out.logits, out.values, out.ownership};
    });
}

TEST(Policy, TheNormalisedValueHeadMatchesPyTorch) {
    // GoNet with one block and value_norm: the value head's hidden units layer-normalised.
    PolicyNet net({.board = 5, .filters = 4, .layers = 3, .value_hidden = 6, .value_norm = true, .ownership = true,
                   .blocks = 1, .global_pool = true});
    test::check_against_pytorch(net, "go_net_value_norm", [&](const test::Inputs& in) {
        PolicyOutputs out = net.forward_heads(in.at("planes"));
        return std::vector<Tensor>{out.logits, out.values, out.ownership};
    });
}

TEST(Policy, TheNormalisedValueHeadCannotFallSilentAndTravelsInTheFile) {
    Generator gen(8);
    const PolicyNetOptions o{
        .board = 7, .filters = 4, .layers = 3, .first_kernel = 3, .value_hidden = 6, .value_norm = true, .gen = &gen};
    PolicyNet norm(o);
    PolicyNetOptions plain_options = o;
    plain_options.value_norm = false;
    PolicyNet plain(plain_options);
    autograd::NoGradGuard no_grad;
    // Both heads with every hidden unit's bias far below its inputs: the dead state the 9-dan
    // runs ended in.
    for (PolicyNet* net : {&norm, &plain}) {
        auto from = norm.state_dict(), to = net->state_dict();
        for (size_t i = 0; i < from.size(); ++i) copy_(to[i].second, from[i].second);
        fill_(net->value_fc1->bias, -1e4);
    }
    Tensor x = randn({4, 48, 7, 7}, DType::Float32, &gen);
    const auto dead = to_vector<float>(plain.forward_heads(x).values);
    const auto alive = to_vector<float>(norm.forward_heads(x).values);
    for (float v : dead) EXPECT_EQ(v, dead[0]);  // tanh(fc2's bias) whatever the position.
    EXPECT_GT(*std::max_element(alive.begin(), alive.end()) - *std::min_element(alive.begin(), alive.end()), 1e-4f);
    const std::string path = temp_path("value_norm.safetensors");
    save_policy(path, norm);
    auto back = load_policy(path);
    EXPECT_TRUE(back->options().value_norm);
    EXPECT_EQ(to_vector<float>(back->forward_heads(x).values), alive);
    auto meta = policy_metadata(o);
    EXPECT_EQ(meta.at("value_norm"), "1");
    EXPECT_EQ(policy_metadata(plain_options).count("value_norm"), 0u);  // Files as before it.
    meta["value_norm"] = "2";
    EXPECT_THROW(policy_options_from(meta, "f"), ParseError);
    meta = policy_metadata(o);
    meta.erase("value_hidden");
    EXPECT_THROW(policy_options_from(meta, "f"), ParseError);
    EXPECT_THROW(PolicyNet({.value_norm = true}), ValueError);  // No head to normalise.
}

TEST(Policy, InferenceFusesTheAddsAndRelusIntoTheConvolutionsWithTheSameBits) {
    // The search's evaluation (no graph: each ReLU and residual add in its convolution's
    // epilogue, Winograd's path at 16 filters) against training's (the ops one by one).
    manual_seed(22);
    PolicyNet net({.board = 19,
                   .filters = 16,
                   .layers = 3,
                   .value_hidden = 8,
                   .ownership = true,
                   .blocks = 2,
                   .global_pool = true});
    {
        autograd::NoGradGuard no_grad;  // Away from the zero start, so that the blocks count.
        for (auto& [name, p] : net.named_parameters()) copy_(p, mul(randn(p.shape()), 0.2));
    }
    Tensor x = randn({3, 48, 19, 19});
    auto outputs = [&] {
        PolicyOutputs out = net.forward_heads(x);
        return std::vector<std::vector<float>>{to_vector<float>(out.logits),
                                               to_vector<float>(out.values),
                                               to_vector<float>(out.ownership)};
    };
    const auto trained = outputs();
    autograd::NoGradGuard no_grad;
    EXPECT_EQ(outputs(), trained);
}

TEST(Policy, TheResidualBlockGradcheckInDouble) {
    manual_seed(21);
    ResidualBlock block(3, true, nullptr, DType::Float64);
    {
        autograd::NoGradGuard no_grad;  // Away from the zero start, so that every path counts.
        for (Tensor* t : {&block.conv2->weight, &block.conv2->bias, &block.pool_fc->weight, &block.pool_fc->bias})
            copy_(*t, mul(randn(t->shape(), DType::Float64), 0.3));
    }
    Tensor x = randn({2, 3, 4, 4}, DType::Float64).requires_grad_(true);
    std::vector<Tensor> inputs{x};
    for (const auto& [name, p] : block.named_parameters()) inputs.push_back(p);
    auto r = autograd::gradcheck(
        [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{block.forward(in[0])}; }, inputs);
    EXPECT_TRUE(r) << r.message;
}

TEST(Policy, AResidualNetGrownFromAPlainOneStartsAsItAndTravelsInTheFile) {
    Generator gen(5);
    const PolicyNetOptions plain_options{
        .board = 7, .filters = 4, .layers = 3, .first_kernel = 3, .value_hidden = 5, .ownership = true, .gen = &gen};
    PolicyNet plain(plain_options);
    PolicyNetOptions grown_options = plain_options;
    grown_options.blocks = 2;
    grown_options.global_pool = true;
    PolicyNet grown(grown_options);
    std::vector<std::string> block_names;
    for (const auto& [name, t] : grown.state_dict())
        if (name.rfind("blocks.", 0) == 0) block_names.push_back(name);
    EXPECT_EQ(block_names, (std::vector<std::string>{"blocks.0.conv1.weight", "blocks.0.conv1.bias",
                                                     "blocks.0.conv2.weight", "blocks.0.conv2.bias",
                                                     "blocks.0.pool_fc.weight", "blocks.0.pool_fc.bias",
                                                     "blocks.1.conv1.weight", "blocks.1.conv1.bias",
                                                     "blocks.1.conv2.weight", "blocks.1.conv2.bias",
                                                     "blocks.1.pool_fc.weight", "blocks.1.pool_fc.bias"}));
    EXPECT_THROW(grown.load_state_dict(plain.state_dict()), ValueError);  // Strict: the blocks are missing.
    grown.load_state_dict(plain.state_dict(), false);
    autograd::NoGradGuard no_grad;
    Tensor x = randn({2, 48, 7, 7}, DType::Float32, &gen);
    PolicyOutputs a = plain.forward_heads(x), b = grown.forward_heads(x);
    EXPECT_EQ(to_vector<float>(a.logits), to_vector<float>(b.logits));
    EXPECT_EQ(to_vector<float>(a.values), to_vector<float>(b.values));
    EXPECT_EQ(to_vector<float>(a.ownership), to_vector<float>(b.ownership));
    // The file carries the blocks; bad metadata about them is refused.
    const std::string path = temp_path("residual.safetensors");
    save_policy(path, grown);
    auto back = load_policy(path);
    EXPECT_EQ(back->options().blocks, 2);
    EXPECT_TRUE(back->options().global_pool);
    EXPECT_EQ(to_vector<float>(back->forward(x)), to_vector<float>(b.logits));
    auto meta = policy_metadata(grown.options());
    meta["blocks"] = "-1";
    EXPECT_THROW(policy_options_from(meta, "f"), ParseError);
    meta = policy_metadata(plain.options());
    meta["global_pool"] = "1";
    EXPECT_THROW(policy_options_from(meta, "f"), ParseError);
    EXPECT_THROW(PolicyNet({.board = 5, .global_pool = true}), ValueError);
}

TEST(Policy, AWidenedNetComputesWhatTheNarrowOneDidAndItsNewChannelsLearn) {
    Generator gen(8);
    const PolicyNetOptions narrow_options{.board = 7, .filters = 5, .layers = 3, .first_kernel = 3,
                                          .value_hidden = 6, .value_norm = true, .ownership = true,
                                          .blocks = 1, .global_pool = true, .gen = &gen};
    PolicyNet small(narrow_options);
    {
        autograd::NoGradGuard no_grad;  // Every weight away from its start (the blocks' zeros too).
        for (auto& [name, p] : small.named_parameters()) copy_(p, mul(randn(p.shape(), DType::Float32, &gen), 0.3));
    }
    PolicyNetOptions wide_options = narrow_options;
    wide_options.filters = 9;
    wide_options.blocks = 2;
    PolicyNet wide(wide_options);
    const NamedTensors state = widen_policy_state(small.state_dict(), narrow_options, wide);
    EXPECT_EQ(state.size(), small.state_dict().size());  // The second block is not in it.
    wide.load_state_dict(state, false);
    Tensor x = randn({3, 48, 7, 7}, DType::Float32, &gen);
    {
        autograd::NoGradGuard no_grad;
        PolicyOutputs a = small.forward_heads(x), b = wide.forward_heads(x);
        auto near = [](const Tensor& u, const Tensor& v) {
            const auto p = to_vector<float>(u), q = to_vector<float>(v);
            ASSERT_EQ(p.size(), q.size());
            for (size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], q[i], 1e-5 * (1 + std::abs(p[i]))) << i;
        };
        near(a.logits, b.logits);
        near(a.values, b.values);
        near(a.ownership, b.ownership);
    }
    // The weights out of a new channel start at zero, and their gradient does not.
    Tensor out_of_new = narrow(wide.body->named_parameters().at(2).second, 1, 5, 4);  // Layer 2, from channels 5-8.
    EXPECT_EQ(to_vector<float>(out_of_new), std::vector<float>(out_of_new.numel(), 0.0f));
    PolicyOutputs o = wide.forward_heads(x);
    autograd::backward(add(sum(o.logits), add(sum(o.values), sum(o.ownership))));
    const Tensor grad = narrow(wide.body->named_parameters().at(2).second.grad(), 1, 5, 4);
    EXPECT_GT(to_vector<float>(sum(abs(grad)))[0], 0.0f);
    // A head the wide net lacks is not dropped in silence: a strict load names it.
    PolicyNetOptions headless = wide_options;
    headless.ownership = false;
    PolicyNet no_ownership(headless);
    try {
        no_ownership.load_state_dict(widen_policy_state(small.state_dict(), narrow_options, no_ownership));
        FAIL() << "the ownership head was dropped";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("ownership_conv.weight"), std::string::npos) << e.what();
    }
    // Only filters and blocks may grow, never shrink.
    PolicyNetOptions deeper = wide_options;
    deeper.layers = 4;
    PolicyNet other(deeper);
    EXPECT_THROW(widen_policy_state(small.state_dict(), narrow_options, other), ValueError);
    EXPECT_THROW(widen_policy_state(wide.state_dict(), wide_options, small), ValueError);
}

TEST(Policy, MetadataNamingABiggerNetThanTheFileHoldsIsRefusedBeforeBuildingIt) {
    PolicyNet net({.board = 5, .filters = 2, .layers = 2, .first_kernel = 1});
    auto meta = policy_metadata(net.options());
    meta["filters"] = "1000000000";
    meta["layers"] = "1000";
    const std::string path = temp_path("huge.safetensors");
    io::save_safetensors(path, net.state_dict(), meta);
    try {
        load_policy(path);
        FAIL() << "a file of 125 values was taken for a net of 1e21 parameters";
    } catch (const ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("the metadata describes a net of"), std::string::npos) << e.what();
    }
    // The same file with its own metadata loads.
    io::save_safetensors(path, net.state_dict(), policy_metadata(net.options()));
    EXPECT_EQ(load_policy(path)->options().filters, 2);
}

TEST(Policy, AnOwnershipValueIsTheSquashedScoreWithKomi) {
    const std::vector<float> own = {1, 1, 1, -1, 0.5f};  // 2.5 points for the side to move.
    EXPECT_FLOAT_EQ(ownership_value(own.data(), 5, 0, 10), std::tanh(0.25f));
    EXPECT_FLOAT_EQ(ownership_value(own.data(), 5, -7.5, 10), std::tanh(-0.5f));  // Black gives komi.
    EXPECT_FLOAT_EQ(ownership_value(own.data(), 5, 7.5, 1), std::tanh(10.0f));
    EXPECT_THROW(ownership_value(own.data(), 5, 0, 0), ValueError);
}

// The network's dead stones: every string whose predicted ownership favours the other colour.
// With the ownership head forced to one side (its bias far from 0), every string of the other
// colour is dead, whole, and no stone of that side is, under any number of symmetries.
TEST(Policy, TheOwnershipHeadJudgesWhichStonesAreDead) {
    Generator gen(6);
    PolicyNet net({.board = 7, .filters = 4, .layers = 3, .first_kernel = 3, .ownership = true, .gen = &gen});
    net.eval();
    Game g(7, 7.5);
    for (const char* m : {"C3", "E5", "C4", "E4", "B2"}) g.play(g.to_move(), parse_gtp_vertex(g.board(), m));
    ASSERT_EQ(g.to_move(), Color::White);
    auto judged = [&](int symmetries) {
        std::vector<std::string> dead;
        for (Point p : ownership_dead_stones(net, g, symmetries)) dead.push_back(point_to_gtp(g.board(), p));
        std::sort(dead.begin(), dead.end());
        return dead;
    };
    {
        autograd::NoGradGuard no_grad;
        fill_(net.ownership_conv->weight, 0.0);
        fill_(net.ownership_conv->bias, 10.0);  // Every point White's, the side to move.
    }
    for (int sym : {1, 8}) EXPECT_EQ(judged(sym), (std::vector<std::string>{"B2", "C3", "C4"})) << sym;
    {
        autograd::NoGradGuard no_grad;
        fill_(net.ownership_conv->bias, -10.0);  // Every point Black's.
    }
    EXPECT_EQ(judged(8), (std::vector<std::string>{"E4", "E5"}));
    PolicyNet plain({.board = 7, .filters = 4, .layers = 3, .first_kernel = 3});
    EXPECT_THROW(ownership_dead_stones(plain, g), ValueError);
    EXPECT_THROW(ownership_dead_stones(net, Game(9, 7.5)), ValueError);
}

TEST(Policy, SymmetryEnsembleIsInvariantUnderTheBoardsSymmetries) {
    Generator gen(5);
    PolicyNet net({.board = 5, .filters = 4, .layers = 3, .gen = &gen});
    autograd::NoGradGuard no_grad;
    Tensor planes = randn({2, 48, 5, 5}, DType::Float32, &gen);
    Tensor per = symmetric_log_probs(net, planes, 8);
    ASSERT_EQ(per.shape(), (Shape{8, 2, 25}));
    // Symmetry 0 is the net itself; every copy is a distribution.
    EXPECT_EQ(to_vector<float>(select(per, 0, 0)), to_vector<float>(log_softmax(net.forward(planes), 1)));
    for (float v : to_vector<float>(logsumexp(per, {2}))) EXPECT_NEAR(v, 0.0f, 1e-5f);
    // Copy s maps back: its value at point p is the net's at p's image on the transformed board.
    std::vector<float> in = to_vector<float>(planes), moved(in.size());
    const auto ens = to_vector<float>(ensemble_log_probs(per));
    for (int s = 1; s < 8; ++s) {
        symmetric_planes(s, 5, 2 * 48, in.data(), moved.data());
        const auto direct = to_vector<float>(log_softmax(net.forward(from_vector<float>(moved, {2, 48, 5, 5})), 1));
        const auto back = to_vector<float>(select(per, 0, s));
        // The ensemble of the transformed board is the ensemble of the board, transformed.
        const auto ens_moved =
            to_vector<float>(ensemble_log_probs(symmetric_log_probs(net, from_vector<float>(moved, {2, 48, 5, 5}), 8)));
        for (int b = 0; b < 2; ++b)
            for (int y = 0; y < 5; ++y)
                for (int x = 0; x < 5; ++x) {
                    int tx = x, ty = y;
                    symmetric_xy(s, 5, tx, ty);
                    const size_t at = static_cast<size_t>(b * 25 + y * 5 + x), to = static_cast<size_t>(b * 25 + ty * 5 + tx);
                    EXPECT_FLOAT_EQ(back[at], direct[to]) << "symmetry " << s;
                    EXPECT_NEAR(ens_moved[to], ens[at], 1e-5f) << "symmetry " << s;
                }
    }
    EXPECT_THROW(symmetric_log_probs(net, planes, 9), ValueError);
    EXPECT_THROW(symmetric_log_probs(net, zeros({2, 48, 7, 7}), 2), ShapeError);
    EXPECT_THROW(PolicyPlayer(std::make_shared<PolicyNet>(PolicyNetOptions{.board = 5, .filters = 2, .layers = 2}),
                              {.symmetries = 0}),
                 ValueError);
}

TEST(Policy, TheShippedNetworkIsBuiltIn) {
    const std::string file = std::string(KAYA_TEST_DATA) + "/../../models/go_policy_6x64.safetensors";
    EXPECT_EQ(std::string(shipped_policy_bytes()), io::read_file(file));
    auto net = load_shipped_policy();
    EXPECT_EQ(net->options().board, 19);
    EXPECT_EQ(net->options().filters, 64);
    EXPECT_EQ(net->options().layers, 6);
    // A trained net opens on the board, not on the first line.
    PolicyPlayer player(net);
    Game g(19, 7.5);
    const Point p = player.choose(g, Color::Black);
    ASSERT_TRUE(p != kPass && p != kResign);
    const int x = g.board().x_of(p), y = g.board().y_of(p);
    EXPECT_TRUE(x >= 2 && x <= 16 && y >= 2 && y <= 16) << point_to_gtp(g.board(), p);
    EXPECT_THROW(decode_policy(shipped_policy_bytes().substr(0, 1000), "cut"), ParseError);
    // The search's network is the file models/README.md names.
    EXPECT_EQ(std::string(shipped_search_net_bytes()),
              io::read_file(std::string(KAYA_TEST_DATA) + "/../../models/go_residual9d_vsgnugo_6x64b4.safetensors"));
}

// A net whose only opinion is position_bias: the player's choice is then fully predictable.
std::shared_ptr<PolicyNet> biased_net(int size, const std::vector<std::pair<std::string, float>>& prefs) {
    auto net = std::make_shared<PolicyNet>(PolicyNetOptions{.board = size, .filters = 2, .layers = 2});
    autograd::NoGradGuard no_grad;
    for (auto& p : net->parameters()) zero_(p);
    std::vector<float> bias(static_cast<size_t>(size * size), 0.0f);
    Board b(size);
    for (const auto& [vertex, v] : prefs) {
        Point p = parse_gtp_vertex(b, vertex);
        bias[static_cast<size_t>(b.y_of(p) * size + b.x_of(p))] = v;
    }
    copy_(net->position_bias, from_vector<float>(bias, {size * size}));
    return net;
}

std::string vertex(Point p, int size) {
    if (p == kResign) return "resign";
    return point_to_gtp(Board(size), p);
}

Game play_moves(int size, const std::vector<std::string>& moves) {
    Game g(size, 0.5);
    for (const auto& m : moves) g.play(g.to_move(), parse_gtp_vertex(g.board(), m));
    return g;
}

// After the opponent passes, a player that is behind plays only where the area count can still
// change (neutral points, strings in atari), not into settled areas where its stones would die.
TEST(Policy, AfterAPassOnlyMovesThatCanChangeTheArea) {
    // 7x7: Black walls column C, White walls column D; left of C is Black's, right of D White's.
    // White passed... then Black; White (behind: 21 + 0.5 against 14 + 7 points) is to move.
    std::vector<std::string> moves;
    for (int row = 1; row <= 7; ++row) {
        moves.push_back("C" + std::to_string(row));
        moves.push_back("D" + std::to_string(row));
    }
    Game g = play_moves(7, moves);
    g.play(Color::Black, kPass);
    auto net = biased_net(7, {{"A4", 9}, {"F4", 8}});  // Into Black's area; its own area.
    PolicyPlayer player(net, {.resign_margin = 0});
    EXPECT_EQ(player.choose(g, Color::White), kPass);
    // With a gap in both walls at row 4 nothing is settled: every empty point is neutral, and
    // White (behind by a stone) plays its preferred point.
    std::vector<std::string> gapped;
    for (int row = 1; row <= 7; ++row) {
        if (row == 4) continue;
        gapped.push_back("C" + std::to_string(row));
        gapped.push_back("D" + std::to_string(row));
    }
    gapped.insert(gapped.end(), {"A7", "pass", "pass"});
    Game h = play_moves(7, gapped);
    auto net2 = biased_net(7, {{"A4", 9}, {"C4", 8}});
    PolicyPlayer player2(net2, {.resign_margin = 0});
    EXPECT_EQ(vertex(player2.choose(h, Color::White), 7), "A4");
}

TEST(Policy, PlayerPicksTheMostProbableSensibleMove) {
    // Black has an eye at A1 (surrounded by B1, A2, B2); White has a stone at E5.
    Game g = play_moves(5, {"B1", "E5", "A2", "pass", "B2", "D5"});
    ASSERT_EQ(g.to_move(), Color::Black);
    // Preferences: the occupied E5 first, then Black's own eye A1, then C3.
    auto net = biased_net(5, {{"E5", 9}, {"A1", 8}, {"C3", 7}});
    PolicyPlayer player(net, {.resign_margin = 0});
    EXPECT_EQ(vertex(player.choose(g, Color::Black), 5), "C3");
    auto prob = player.probabilities(g, Color::Black);
    EXPECT_EQ(prob.size(), 25u);
    EXPECT_NEAR(std::accumulate(prob.begin(), prob.end(), 0.0), 1.0, 1e-5);
}

// With a temperature the move is drawn among the sensible ones with probability p^(1/T) over
// their sum; the same seed draws the same moves, and after sample_moves it plays the most probable.
TEST(Policy, PlayerDrawsItsMoveWithATemperature) {
    Game g = play_moves(5, {"B1", "E5", "A2", "pass", "B2", "D5"});
    auto net = biased_net(5, {{"E5", 9}, {"A1", 8}, {"C3", 3}, {"D3", 2}});
    for (double t : {1.0, 0.5}) {
        PolicyPlayer player(net, {.resign_margin = 0, .temperature = t, .seed = 7});
        const auto prob = player.probabilities(g, Color::Black);
        // The sensible candidates: every empty point but Black's eye A1.
        const Board& b = g.board();
        double total = 0;
        for (Point p : b.points())
            if (b.at(p) == Color::Empty && vertex(p, 5) != "A1") total += std::pow(prob[b.y_of(p) * 5 + b.x_of(p)], 1 / t);
        std::map<std::string, int> seen;
        const int draws = 4000;
        for (int i = 0; i < draws; ++i) ++seen[vertex(player.choose(g, Color::Black), 5)];
        EXPECT_EQ(seen.count("E5") + seen.count("A1"), 0u);  // Occupied, and its own eye.
        for (const char* v : {"C3", "D3", "A5"}) {
            const Point p = parse_gtp_vertex(b, v);
            const double expected = std::pow(prob[b.y_of(p) * 5 + b.x_of(p)], 1 / t) / total;
            EXPECT_NEAR(seen[v] / static_cast<double>(draws), expected, 4 * std::sqrt(expected / draws) + 1e-3)
                << v << " at T=" << t;
        }
        EXPECT_GT(seen.size(), 5u);
        // The same seed, the same draws; another seed, others.
        PolicyPlayer again(net, {.resign_margin = 0, .temperature = t, .seed = 7});
        PolicyPlayer other(net, {.resign_margin = 0, .temperature = t, .seed = 8});
        PolicyPlayer first(net, {.resign_margin = 0, .temperature = t, .seed = 7});
        std::vector<Point> a, c, d;
        for (int i = 0; i < 20; ++i) {
            a.push_back(first.choose(g, Color::Black));
            c.push_back(again.choose(g, Color::Black));
            d.push_back(other.choose(g, Color::Black));
        }
        EXPECT_EQ(a, c);
        EXPECT_NE(a, d);
    }
    // A temperature near 0 draws the most probable candidate (its weight 1, the others' 0).
    PolicyPlayer cold(net, {.resign_margin = 0, .temperature = 1e-3, .seed = 3});
    for (int i = 0; i < 20; ++i) EXPECT_EQ(vertex(cold.choose(g, Color::Black), 5), "C3");
    // Past the first sample_moves moves of the game (6 are played), the most probable.
    PolicyPlayer late(net, {.resign_margin = 0, .temperature = 1, .sample_moves = 6});
    for (int i = 0; i < 20; ++i) EXPECT_EQ(vertex(late.choose(g, Color::Black), 5), "C3");
    EXPECT_THROW(PolicyPlayer(net, {.temperature = -1}), ValueError);
    EXPECT_THROW(PolicyPlayer(net, {.temperature = std::nan("")}), ValueError);
    EXPECT_THROW(PolicyPlayer(net, {.sample_moves = -1}), ValueError);
}

TEST(Policy, PlayerPassesWhenNothingSensibleIsLeftOrItHasWon) {
    // 3x3: Black's row across the middle plus B1 and B3; the four corners are Black's eyes.
    Game g = play_moves(3, {"A2", "pass", "B2", "pass", "C2", "pass", "B1", "pass", "B3"});
    auto net = biased_net(3, {{"A1", 5}});
    PolicyPlayer player(net, {.resign_margin = 0});
    EXPECT_EQ(player.choose(g, Color::White), kPass);  // Every White move is suicide.
    EXPECT_EQ(player.choose(g, Color::Black), kPass);  // Every Black move fills an eye.
    // With sensible moves left, a player that leads passes after the opponent's pass.
    Game h = play_moves(5, {"B1", "E5", "A2", "pass", "B2", "pass"});
    auto net5 = biased_net(5, {{"C3", 5}});
    EXPECT_EQ(PolicyPlayer(net5).choose(h, Color::Black), kPass);
    h.undo();
    h.play(Color::White, parse_gtp_vertex(h.board(), "D5"));
    EXPECT_EQ(vertex(PolicyPlayer(net5).choose(h, Color::Black), 5), "C3");
}

TEST(Policy, PlayerResignsOnlyWhenFarBehindLateInTheGame) {
    // White owns the whole board except a few points late in a game; Black is to move.
    Game g(5, 0.5);
    std::vector<std::string> white = {"A3", "B3", "C3", "D3", "E3", "A4", "B4", "C4", "D4", "E4", "A5", "B5"};
    for (const auto& w : white) {
        g.play(Color::Black, kPass);
        g.play(Color::White, parse_gtp_vertex(g.board(), w));
    }
    auto net = biased_net(5, {{"C1", 5}});
    EXPECT_EQ(PolicyPlayer(net, {.resign_margin = 0.25, .resign_after = 0.6}).choose(g, Color::Black), kResign);
    EXPECT_EQ(vertex(PolicyPlayer(net, {.resign_margin = 0}).choose(g, Color::Black), 5), "C1");
    // Early in the game the same count does not resign.
    EXPECT_EQ(vertex(PolicyPlayer(net, {.resign_after = 2.0}).choose(g, Color::Black), 5), "C1");
}

}  // namespace
}  // namespace kaya::go

namespace kaya::go {
namespace {

// The policy network trains to the same bits at 1 and 2 threads (Winograd convolutions, whose
// products and transforms are shared between threads, and the 1x1 head).
TEST(Policy, TrainingIsBitwiseIdenticalAtOneAndTwoThreads) {
    auto train_at = [](int threads) {
        const int before = num_threads();
        set_num_threads(threads);
        manual_seed(3);
        PolicyNet net({.board = 19, .filters = 32, .layers = 4});
        Generator g(4);
        Tensor planes = to(gt(uniform({16, kNumFeaturePlanes, 19, 19}, 0, 1, DType::Float32, &g), 0.7), DType::Float32);
        Tensor moves = randint(0, 361, {16}, &g);
        optim::Adam opt(net.parameters(), {.lr = 1e-3});
        for (int s = 0; s < 3; ++s) {
            opt.zero_grad();
            autograd::backward(nn::cross_entropy(net.forward(planes), moves));
            opt.step();
        }
        set_num_threads(before);
        std::vector<std::vector<float>> out;
        for (const auto& p : net.parameters()) out.push_back(to_vector<float>(p));
        return out;
    };
    EXPECT_EQ(train_at(1), train_at(2));
}

}  // namespace
}  // namespace kaya::go
