// SPDX-License-Identifier: MIT
// The text-to-speech losses and the mel standardisation are compositions of gradient-checked
// ops; these checks hold the compositions themselves in double precision (first and second
// order), padding included, so a mask that leaks gradient into padded cells would fail here.
#include <gtest/gtest.h>

#include "apps/tts/layers.h"
#include "apps/tts/tacotron.h"
#include "kaya/autograd/gradcheck.h"
#include "kaya/core/random.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {
namespace {

const Tensor kLengths = from_vector<int64_t>({5, 3}, {2});

TEST(TtsLosses, GuidedAttentionGradients) {
    manual_seed(3);
    Tensor a = softmax(randn({2, 4, 5}, DType::Float64), -1);
    a = contiguous(a).requires_grad_();
    const Tensor steps = from_vector<int64_t>({4, 2}, {2});
    const autograd::Function f = [&](const std::vector<Tensor>& x) {
        return std::vector<Tensor>{guided_attention_loss(x[0], kLengths, steps, 0.3)};
    };
    EXPECT_TRUE(autograd::gradcheck(f, {a}).ok);
    EXPECT_TRUE(autograd::gradgradcheck(f, {a}).ok);
    // The gradient is the penalty itself: zero in padded cells (item 1: steps >= 2, chars >= 3).
    const Tensor g = autograd::grad({guided_attention_loss(a, kLengths, steps, 0.3)}, {a})[0];
    EXPECT_EQ(max(abs(narrow(narrow(select(g, 0, 1), 0, 2, 2), 1, 0, 5))).item<double>(), 0.0);
    EXPECT_EQ(max(abs(narrow(select(g, 0, 1), 1, 3, 2))).item<double>(), 0.0);
    EXPECT_GT(max(abs(select(g, 0, 0))).item<double>(), 0.0);
}

TEST(TtsLosses, MaskedL1Gradients) {
    manual_seed(4);
    Tensor p = randn({2, 5, 3}, DType::Float64).requires_grad_();
    const Tensor t = randn({2, 5, 3}, DType::Float64);
    const autograd::Function f = [&](const std::vector<Tensor>& x) {
        return std::vector<Tensor>{masked_l1(x[0], t, kLengths)};
    };
    EXPECT_TRUE(autograd::gradcheck(f, {p}).ok);
    EXPECT_TRUE(autograd::gradgradcheck(f, {p}).ok);
    // 8 valid frames of 3 bands: each valid cell's gradient is sign / 24, padding gets none.
    const Tensor g = autograd::grad({masked_l1(p, t, kLengths)}, {p})[0];
    EXPECT_NEAR(max(abs(select(g, 0, 0))).item<double>(), 1.0 / 24, 1e-12);
    EXPECT_EQ(max(abs(narrow(select(g, 0, 1), 0, 3, 2))).item<double>(), 0.0);
}

TEST(TtsLosses, MelNormalizerGradientsAndInverse) {
    manual_seed(5);
    MelNormalizer norm(3);
    norm.fit({mul(randn({40, 3}), 3.0), add(randn({20, 3}), 2.0)});
    Tensor m = randn({2, 4, 3}, DType::Float64).requires_grad_();
    for (const auto& f : {autograd::Function([&](const std::vector<Tensor>& x) {
                              return std::vector<Tensor>{norm.normalize(x[0])};
                          }),
                          autograd::Function([&](const std::vector<Tensor>& x) {
                              return std::vector<Tensor>{norm.denormalize(x[0])};
                          })}) {
        EXPECT_TRUE(autograd::gradcheck(f, {m}).ok);
        EXPECT_TRUE(autograd::gradgradcheck(f, {m}).ok);
    }
    EXPECT_LT(max(abs(sub(norm.denormalize(norm.normalize(m)), m))).item<double>(), 1e-5);
}

}  // namespace
}  // namespace kaya::tts
