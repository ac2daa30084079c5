// SPDX-License-Identifier: MIT
// Sequence modules against PyTorch 1.13 runs of the same modules with the same weights
// (tests/data/modules, written by tools/gen_module_reference.py): state_dict names and shapes,
// outputs, and the gradients of sum(output * gout) for every parameter and float input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "kaya/autograd/gradcheck.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/io/safetensors.h"
#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"
#include "support/module_reference.h"
#include "support/npy.h"

namespace kaya::nn {
namespace {

using test::check_against_pytorch;
using test::Inputs;
using test::load_reference;
using test::Reference;

TEST(SequenceModules, MultiheadAttentionSelfWithKeyPadding) {
    MultiheadAttention m({.embed_dim = 8, .num_heads = 2});
    check_against_pytorch(m, "mha_self", [&](const Inputs& in) {
        auto r = m.forward(in.at("x"), in.at("x"), in.at("x"),
                           {.key_padding_mask = in.at("key_padding_mask")});
        return std::vector<Tensor>{r.output, r.weights};
    });
}

TEST(SequenceModules, MultiheadAttentionCrossBatchFirstFloatMaskPerHeadWeights) {
    MultiheadAttention m({.embed_dim = 8, .num_heads = 4, .batch_first = true});
    check_against_pytorch(m, "mha_cross_batch_first", [&](const Inputs& in) {
        auto r = m.forward(in.at("q"), in.at("memory"), in.at("memory"),
                           {.attn_mask = in.at("attn_mask"), .average_attn_weights = false});
        return std::vector<Tensor>{r.output, r.weights};
    });
}

TEST(SequenceModules, MultiheadAttentionDistinctKeyValueNoBiasPerHeadMask) {
    MultiheadAttention m({.embed_dim = 6, .num_heads = 2, .bias = false});
    check_against_pytorch(m, "mha_distinct_kv_no_bias", [&](const Inputs& in) {
        auto r = m.forward(in.at("q"), in.at("k"), in.at("v"), {.attn_mask = in.at("attn_mask")});
        return std::vector<Tensor>{r.output, r.weights};
    });
}

TEST(SequenceModules, EncoderLayerPostNormRelu) {
    TransformerEncoderLayer m(
        {.d_model = 8, .nhead = 2, .dim_feedforward = 16, .dropout = 0.0, .batch_first = true});
    check_against_pytorch(m, "encoder_layer_post_relu", [&](const Inputs& in) {
        return std::vector<Tensor>{m.forward(in.at("x"), {.key_padding_mask = in.at("key_padding_mask")})};
    });
}

TEST(SequenceModules, EncoderLayerPreNormGeluCausal) {
    TransformerEncoderLayer m({.d_model = 8, .nhead = 4, .dim_feedforward = 12, .dropout = 0.0,
                               .activation = "gelu", .norm_first = true});
    check_against_pytorch(m, "encoder_layer_pre_gelu", [&](const Inputs& in) {
        return std::vector<Tensor>{m.forward(in.at("x"), {.mask = in.at("mask")})};
    });
    // is_causal is the same mask.
    Reference ref = load_reference("encoder_layer_pre_gelu");
    Tensor x = ref.at("input.x");
    test::expect_close(m.forward(x, {.is_causal = true}), m.forward(x, {.mask = ref.at("input.mask")}),
                 "is_causal against the explicit mask", 1e-6);
}

TEST(SequenceModules, DecoderLayerPostNorm) {
    TransformerDecoderLayer m({.d_model = 8, .nhead = 2, .dim_feedforward = 16, .dropout = 0.0});
    check_against_pytorch(m, "decoder_layer", [&](const Inputs& in) {
        return std::vector<Tensor>{m.forward(
            in.at("tgt"), in.at("memory"),
            {.tgt_mask = in.at("tgt_mask"),
             .memory_key_padding_mask = in.at("memory_key_padding_mask")})};
    });
}

TEST(SequenceModules, DecoderStackPreNormWithFinalNorm) {
    TransformerDecoder m({.d_model = 8, .nhead = 2, .dim_feedforward = 16, .dropout = 0.0,
                          .batch_first = true, .norm_first = true},
                         2, true);
    check_against_pytorch(m, "decoder_pre_norm_stack", [&](const Inputs& in) {
        return std::vector<Tensor>{
            m.forward(in.at("tgt"), in.at("memory"), {.tgt_mask = in.at("tgt_mask")})};
    });
}

TEST(SequenceModules, EncoderStackPreNormWithFinalNorm) {
    TransformerEncoder m({.d_model = 8, .nhead = 2, .dim_feedforward = 16, .dropout = 0.0,
                          .norm_first = true},
                         2, true);
    check_against_pytorch(m, "encoder_stack", [&](const Inputs& in) {
        return std::vector<Tensor>{m.forward(in.at("x"), {.key_padding_mask = in.at("key_padding_mask")})};
    });
}

TEST(SequenceModules, LayerNormOverTwoDims) {
    LayerNorm m({.normalized_shape = {3, 4}, .eps = 1e-4});
    check_against_pytorch(m, "layer_norm_2d", [&](const Inputs& in) {
        return std::vector<Tensor>{m(in.at("x"))};
    });
}

TEST(SequenceModules, EmbeddingWithPaddingRow) {
    Embedding m({.num = 7, .dim = 4, .padding_idx = 0});
    check_against_pytorch(m, "embedding_padding", [&](const Inputs& in) {
        return std::vector<Tensor>{m(in.at("indices"))};
    });
    // PyTorch's gradient of the padding row is zero although it was looked up.
    EXPECT_EQ(to_vector<float>(select(m.weight.grad(), 0, 0)), std::vector<float>(4, 0.0f));
}

TEST(SequenceModules, EmbeddingMaxNormRenormalisesLookedUpRows) {
    Embedding m({.num = 6, .dim = 3, .max_norm = 1.5});
    check_against_pytorch(m, "embedding_max_norm", [&](const Inputs& in) {
        return std::vector<Tensor>{m(in.at("indices"))};
    });
    // Rows 1 and 4 were not looked up and keep their norms; looked-up rows are at most 1.5.
    Reference ref = load_reference("embedding_max_norm");
    auto norms = to_vector<float>(norm(m.weight, 2.0, {1}));
    auto before = to_vector<float>(norm(ref.at("param.weight"), 2.0, {1}));
    EXPECT_FLOAT_EQ(norms[1], before[1]);
    EXPECT_FLOAT_EQ(norms[4], before[4]);
    for (int r : {0, 2, 3, 5}) EXPECT_LE(norms[r], 1.5f + 1e-5f) << r;
    EXPECT_GT(before[0], 1.5f);
}

TEST(SequenceModules, PositionalEncodings) {
    SinusoidalPositionalEncoding pe(6, 10);
    Tensor table = pe.table(4);
    auto v = to_vector<float>(table);
    // pe[t, 2i] = sin(t / 10000^(2i/d)), pe[t, 2i+1] = cos(t / 10000^(2i/d)).
    for (int t = 0; t < 4; ++t) {
        for (int i = 0; i < 3; ++i) {
            const double f = std::pow(10000.0, -2.0 * i / 6);
            EXPECT_NEAR(v[t * 6 + 2 * i], std::sin(t * f), 1e-6);
            EXPECT_NEAR(v[t * 6 + 2 * i + 1], std::cos(t * f), 1e-6);
        }
    }
    Tensor x = zeros({2, 4, 6});
    EXPECT_EQ(to_vector<float>(select(pe(x), 0, 1)), v);
    EXPECT_NE(test::error_of([&] { pe(zeros({2, 11, 6})); }).find("longer than max_len 10"), std::string::npos);
    EXPECT_NE(test::error_of([&] { pe(zeros({2, 4, 5})); }).find("expected input"), std::string::npos);
    LearnedPositionalEncoding learned(6, 10);
    ASSERT_EQ(learned.named_parameters().size(), 1u);
    EXPECT_EQ(learned.named_parameters()[0].first, "weight");
    Tensor y = learned(x);
    autograd::backward(sum(y));
    // Only the first 4 positions get gradient.
    auto g = to_vector<float>(learned.weight.grad());
    EXPECT_EQ(g[3 * 6], 2.0f);
    EXPECT_EQ(g[4 * 6], 0.0f);
}

TEST(SequenceModules, LstmBidirectionalTwoLayersVariableLengths) {
    LSTM m({.input_size = 5, .hidden_size = 4, .num_layers = 2, .batch_first = true,
            .bidirectional = true});
    check_against_pytorch(m, "lstm_bi_2layer_packed", [&](const Inputs& in) {
        auto r = m.forward(in.at("x"), in.at("lengths"), in.at("h0"), in.at("c0"));
        return std::vector<Tensor>{r.output, r.h_n, r.c_n};
    });
}

TEST(SequenceModules, LstmWithoutBias) {
    LSTM m({.input_size = 3, .hidden_size = 4, .bias = false});
    check_against_pytorch(m, "lstm_no_bias", [&](const Inputs& in) {
        auto r = m.forward(in.at("x"), Tensor());
        return std::vector<Tensor>{r.output, r.h_n, r.c_n};
    });
}

TEST(SequenceModules, GruBidirectionalTimeMajor) {
    GRU m({.input_size = 4, .hidden_size = 3, .bidirectional = true});
    check_against_pytorch(m, "gru_bi_time_major", [&](const Inputs& in) {
        auto r = m.forward(in.at("x"), Tensor(), in.at("h0"));
        return std::vector<Tensor>{r.output, r.h_n};
    });
}

TEST(SequenceModules, GruTwoLayersVariableLengths) {
    GRU m({.input_size = 3, .hidden_size = 5, .num_layers = 2, .batch_first = true});
    check_against_pytorch(m, "gru_2layer_packed", [&](const Inputs& in) {
        auto r = m.forward(in.at("x"), in.at("lengths"));
        return std::vector<Tensor>{r.output, r.h_n};
    });
}

TEST(SequenceModules, LstmAndGruGradcheckInDoubleWithLengths) {
    manual_seed(11);
    LSTM lstm({.input_size = 3, .hidden_size = 2, .bidirectional = true, .dtype = DType::Float64});
    GRU gru({.input_size = 3, .hidden_size = 2, .batch_first = true, .dtype = DType::Float64});
    Tensor lengths = from_vector<int64_t>({3, 1}, {2});
    Tensor x = randn({3, 2, 3}, DType::Float64).requires_grad_(true);
    auto r1 = autograd::gradcheck(
        [&](const std::vector<Tensor>& in) {
            auto r = lstm.forward(in[0], lengths);
            return std::vector<Tensor>{r.output, r.h_n, r.c_n};
        },
        {x});
    EXPECT_TRUE(r1) << r1.message;
    Tensor xb = randn({2, 3, 3}, DType::Float64).requires_grad_(true);
    auto r2 = autograd::gradgradcheck(
        [&](const std::vector<Tensor>& in) {
            auto r = gru.forward(in[0], lengths);
            return std::vector<Tensor>{r.output, r.h_n};
        },
        {xb});
    EXPECT_TRUE(r2) << r2.message;
}

TEST(SequenceModules, LstmCellMatchesPyTorch) {
    LSTMCell m({.input_size = 3, .hidden_size = 4});
    check_against_pytorch(m, "lstm_cell", [&](const Inputs& in) {
        auto s = m.forward(in.at("x"), {in.at("h0"), in.at("c0")});
        return std::vector<Tensor>{s.h, s.c};
    });
}

TEST(SequenceModules, LstmCellGradcheckAndAgreesWithTheLayer) {
    manual_seed(12);
    LSTMCell cell({.input_size = 3, .hidden_size = 2, .dtype = DType::Float64});
    Tensor x = randn({2, 3}, DType::Float64).requires_grad_(true);
    Tensor h = randn({2, 2}, DType::Float64).requires_grad_(true);
    Tensor c = randn({2, 2}, DType::Float64).requires_grad_(true);
    auto step = [&](const std::vector<Tensor>& in) {
        auto s = cell.forward(in[0], {in[1], in[2]});
        return std::vector<Tensor>{s.h, s.c};
    };
    auto r1 = autograd::gradcheck(step, {x, h, c});
    EXPECT_TRUE(r1) << r1.message;
    auto r2 = autograd::gradgradcheck(step, {x, h, c});
    EXPECT_TRUE(r2) << r2.message;
    // Two steps of the cell are two steps of an LSTM layer with the same weights.
    LSTM layer({.input_size = 3, .hidden_size = 2, .dtype = DType::Float64});
    NamedTensors renamed;
    for (const auto& [n, t] : cell.state_dict()) renamed.emplace_back(n + "_l0", t);
    layer.load_state_dict(renamed);
    autograd::NoGradGuard no_grad;
    Tensor xs = randn({2, 2, 3}, DType::Float64);
    auto r = layer.forward(xs, Tensor());
    auto s1 = cell.forward(select(xs, 0, 0), {});
    auto s2 = cell.forward(select(xs, 0, 1), s1);
    test::expect_close(s2.h, select(r.output, 0, 1), "h after two steps", 1e-12);
    test::expect_close(s2.c, select(r.c_n, 0, 0), "c after two steps", 1e-12);
    // Unbatched input and zero state.
    auto u = cell.forward(select(select(xs, 0, 0), 0, 1), {});
    test::expect_close(u.h, select(s1.h, 0, 1), "unbatched h", 1e-12);
    EXPECT_NE(test::error_of([&] { cell.forward(zeros({2, 4}, DType::Float64), {}); }).find("expected input (N, 3)"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { cell.forward(x, {zeros({3, 2}, DType::Float64), Tensor()}); })
                  .find("expected h of shape [2, 2]"),
              std::string::npos);
}

TEST(SequenceModules, Conv1dMatchesPyTorch) {
    Conv1d m({.in = 4, .out = 6, .kernel = 3, .params = {.stride = 2, .padding = 2, .dilation = 2, .groups = 2}});
    check_against_pytorch(m, "conv1d_strided_groups", [&](const Inputs& in) {
        return std::vector<Tensor>{m.forward(in.at("x"))};
    });
}

TEST(SequenceModules, Conv1dGradcheckInDouble) {
    manual_seed(13);
    Tensor x = randn({2, 3, 7}, DType::Float64).requires_grad_(true);
    Tensor w = randn({4, 3, 3}, DType::Float64).requires_grad_(true);
    Tensor b = randn({4}, DType::Float64).requires_grad_(true);
    auto f = [](const std::vector<Tensor>& in) {
        return std::vector<Tensor>{conv1d(in[0], in[1], in[2], {.stride = 2, .padding = 1})};
    };
    auto r1 = autograd::gradcheck(f, {x, w, b});
    EXPECT_TRUE(r1) << r1.message;
    auto r2 = autograd::gradgradcheck(f, {x, w, b});
    EXPECT_TRUE(r2) << r2.message;
    EXPECT_EQ(conv1d(zeros({3, 7}), zeros({4, 3, 3})).shape(), Shape({4, 5}));
    EXPECT_NE(test::error_of([&] { conv1d(zeros({2, 3, 7}), zeros({4, 3})); }).find("conv1d: expected weight"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { conv1d(zeros({7}), zeros({4, 3, 3})); }).find("conv1d: expected input"),
              std::string::npos);
}

TEST(SequenceModules, RecurrentErrorsNameTheProblem) {
    LSTM m({.input_size = 3, .hidden_size = 2});
    Tensor x = zeros({4, 2, 3});
    EXPECT_NE(test::error_of([&] { m.forward(zeros({4, 2, 5}), Tensor()); }).find("expected input (T, N, 3)"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { m.forward(x, from_vector<int64_t>({5, 1}, {2})); })
                  .find("every length must be in [1, 4]"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { m.forward(x, from_vector<int64_t>({1}, {1})); }).find("lengths must be int64 of shape [2]"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { m.forward(x, Tensor(), zeros({2, 2, 2})); }).find("h0 must be [1, 2, 2]"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { m.forward(to(x, DType::Float64), Tensor()); }).find("weights are float32"),
              std::string::npos);
}

TEST(SequenceModules, WeightsOfTheWrongShapeNameTheTensor) {
    LSTM m({.input_size = 3, .hidden_size = 2});
    NamedTensors state = m.state_dict();
    state[0].second = zeros({8, 4});
    const std::string msg = test::error_of([&] { m.load_state_dict(state); });
    EXPECT_NE(msg.find("weight_ih_l0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[8, 3]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[8, 4]"), std::string::npos) << msg;
}

}  // namespace
}  // namespace kaya::nn
