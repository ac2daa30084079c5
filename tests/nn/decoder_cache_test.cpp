// SPDX-License-Identifier: MIT
// Incremental decoding with a key/value cache gives what the whole-sequence decoder with a
// causal mask gives, position by position.
#include <gtest/gtest.h>

#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"

namespace kaya::nn {
namespace {

double max_abs_diff(const Tensor& a, const Tensor& b) { return max(abs(sub(a, b))).item<double>(); }

void check_cached_equals_full(bool norm_first, bool batch_first, int64_t step) {
    Generator g(11);
    TransformerDecoder dec({.d_model = 16, .nhead = 4, .dim_feedforward = 32, .dropout = 0.1,
                            .batch_first = batch_first, .norm_first = norm_first, .gen = &g},
                           2, norm_first);
    dec.eval();
    const int64_t T = 6, S = 5, N = 3;
    Tensor tgt = randn(batch_first ? Shape{N, T, 16} : Shape{T, N, 16}, kDefaultDType, &g);
    Tensor memory = randn(batch_first ? Shape{N, S, 16} : Shape{S, N, 16}, kDefaultDType, &g);
    std::vector<int64_t> padded(static_cast<size_t>(N * S), 0);
    padded[1 * S + 4] = 1;  // Sequence 1's last memory position is padding.
    const Tensor pad = eq(from_vector<int64_t>(padded, {N, S}), 1.0);
    autograd::NoGradGuard no_grad;
    const Tensor full_out =
        dec.forward(tgt, memory, {.memory_key_padding_mask = pad, .tgt_is_causal = true});
    TransformerDecoder::Cache cache;
    const int64_t dim = batch_first ? 1 : 0;
    for (int64_t t = 0; t < T; t += step) {
        const Tensor part = dec.forward_step(narrow(tgt, dim, t, step), t == 0 ? memory : Tensor(),
                                             cache, pad);
        EXPECT_LT(max_abs_diff(part, narrow(full_out, dim, t, step)), 1e-5)
            << "position " << t << (norm_first ? " pre-norm" : " post-norm");
    }
    EXPECT_EQ(cache.self[0].length(), T);
    EXPECT_EQ(cache.cross[1].length(), S);
}

TEST(DecoderCache, CachedStepsEqualTheFullCausalDecoder) {
    for (bool norm_first : {false, true}) {
        for (bool batch_first : {false, true}) {
            check_cached_equals_full(norm_first, batch_first, 1);
            check_cached_equals_full(norm_first, batch_first, 2);  // Two positions at a time.
        }
    }
}

TEST(DecoderCache, RefusesTrainingModeAndMismatchedCaches) {
    Generator g(1);
    MultiheadAttention att({.embed_dim = 8, .num_heads = 2, .dropout = 0.1, .gen = &g});
    KeyValueCache cache;
    Tensor x = randn({1, 2, 8});
    EXPECT_THROW(att.forward_cached(x, x, cache), ValueError);  // Training mode with dropout.
    att.eval();
    EXPECT_THROW(att.forward_cached(x, Tensor(), cache), ShapeError);  // Empty cache, no keys.
    att.forward_cached(x, x, cache);
    EXPECT_THROW(att.forward_cached(randn({1, 3, 8}), Tensor(), cache), ShapeError);  // 3 vs 2.
}

}  // namespace
}  // namespace kaya::nn
