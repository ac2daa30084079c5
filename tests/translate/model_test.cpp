// SPDX-License-Identifier: MIT
// The translator: the decoder's causal mask, incremental decoding against recomputing prefixes,
// greedy and beam search.
#include <gtest/gtest.h>

#include "apps/translate/decode.h"
#include "apps/translate/model.h"
#include "kaya/ops/ops.h"

namespace kaya::translate {
namespace {

std::shared_ptr<Translator> small_model(uint64_t seed, bool norm_first = true) {
    static Generator g(0);
    g.manual_seed(seed);
    return std::make_shared<Translator>(TranslatorOptions{.src_vocab = 40, .tgt_vocab = 30, .d_model = 32,
                                                          .heads = 4, .encoder_layers = 2, .decoder_layers = 2,
                                                          .feedforward = 64, .dropout = 0.1, .max_len = 40,
                                                          .norm_first = norm_first, .gen = &g});
}

Tensor random_ids(Generator& g, int64_t n, int64_t t, int64_t vocab) {
    return randint(4, vocab, {n, t}, &g);
}

TEST(Translator, ChangingAFutureTargetTokenLeavesEarlierPositionsAlone) {
    auto m = small_model(1);
    m->eval();
    Generator g(5);
    Tensor src = random_ids(g, 2, 7, 40), tgt = random_ids(g, 2, 6, 30);
    autograd::NoGradGuard no_grad;
    const Tensor a = m->forward(src, tgt);
    auto v = to_vector<int64_t>(tgt);
    v[4] = v[4] == 5 ? 6 : 5;  // Sentence 0, position 4.
    const Tensor b = m->forward(src, from_vector<int64_t>(v, {2, 6}));
    EXPECT_EQ(max(abs(sub(narrow(a, 1, 0, 4), narrow(b, 1, 0, 4)))).item<double>(), 0.0);
    EXPECT_GT(max(abs(sub(narrow(a, 1, 4, 2), narrow(b, 1, 4, 2)))).item<double>(), 1e-4);
    EXPECT_EQ(a.shape(), (Shape{2, 6, 30}));
}

TEST(Translator, CachedDecodingEqualsRecomputingThePrefix) {
    for (bool norm_first : {true, false}) {
        auto m = small_model(2, norm_first);
        // Sources of different lengths (padding in the batch).
        const Tensor src = source_batch({{5, 6, 7, 8, 9}, {10, 11}, {12, 13, 14}});
        const GreedyTrace with = greedy_trace(*m, src, 20, true), without = greedy_trace(*m, src, 20, false);
        EXPECT_EQ(with.tokens, without.tokens);
        EXPECT_LT(max(abs(sub(with.logits, without.logits))).item<double>(), 1e-5);
        EXPECT_EQ(with.logits.shape(), (Shape{3, 20, 30}));
    }
}

TEST(Translator, BeamOfOneIsGreedyAndBeamsGiveSentences) {
    auto m = small_model(3);
    const std::vector<std::vector<int64_t>> sources = {{5, 6, 7, 8}, {9, 10}, {11, 12, 13, 14, 15, 16}};
    const auto greedy = translate_batch(*m, sources, {.beam = 1});
    EXPECT_EQ(translate_batch(*m, sources, {.beam = 1, .cache = false}), greedy);
    // A beam of one through the beam-search code path: the same choices as greedy.
    ASSERT_EQ(greedy.size(), 3u);
    for (int64_t beam : {2, 4}) {
        const auto out = translate_batch(*m, sources, {.beam = beam});
        ASSERT_EQ(out.size(), 3u);
        for (size_t i = 0; i < out.size(); ++i) {
            // max_len_a * (n + 1) + max_len_b tokens at most; no <pad>, <s> or </s> (an
            // untrained model may say <unk>).
            EXPECT_LE(static_cast<double>(out[i].size()), 1.5 * static_cast<double>(sources[i].size() + 1) + 10);
            for (int64_t t : out[i]) EXPECT_TRUE(t == kUnkId || t >= 4) << t;
        }
        EXPECT_EQ(translate_batch(*m, sources, {.beam = beam, .cache = false}), out);
    }
    EXPECT_THROW(translate_batch(*m, sources, {.beam = 0}), ValueError);
    EXPECT_TRUE(translate_batch(*m, {}, {}).empty());
    EXPECT_THROW(m->forward(random_ids(*std::make_unique<Generator>(1), 1, 50, 40), source_batch({{5}})), ValueError);
}

}  // namespace
}  // namespace kaya::translate
