// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <tuple>

#include "kaya/core/random.h"
#include "kaya/nn/linear.h"
#include "kaya/nn/module.h"

namespace kaya::nn {

struct MultiheadAttentionOptions {
    int64_t embed_dim = 0;
    int64_t num_heads = 1;     // Must divide embed_dim.
    double dropout = 0.0;      // On the attention weights, in training mode.
    bool bias = true;          // in_proj_bias and out_proj.bias.
    bool batch_first = false;  // (N, L, E) instead of PyTorch's default (L, N, E).
    DType dtype = kDefaultDType;
    Generator* gen = nullptr;  // For the initialisation and the dropout.
};

// Masks and switches of one attention call, with PyTorch's MultiheadAttention conventions.
struct MultiheadAttentionCall {
    // (N, S) or (S) unbatched: bool, true = this key is padding (ignored), or floating, added.
    Tensor key_padding_mask;
    // (L, S) or (N * num_heads, L, S): bool, true = not allowed to attend, or floating, added.
    Tensor attn_mask;
    bool need_weights = true;          // Return the attention weights too.
    bool average_attn_weights = true;  // Weights averaged over heads: (N, L, S), else (N, H, L, S).
    bool is_causal = false;            // Adds the causal mask (query i sees keys 0..i).
};

struct MultiheadAttentionOutput {
    Tensor output;   // Like the query: (L, N, E), (N, L, E) with batch_first, or (L, E).
    Tensor weights;  // Undefined unless need_weights.
};

// Incremental decoding's memory of one attention: the projected keys and values so far, each
// (N, num_heads, S, head_dim). Empty until the first call.
struct KeyValueCache {
    Tensor keys, values;
    int64_t length() const { return keys.defined() ? keys.shape()[2] : 0; }
};

// Multi-head attention (torch.nn.MultiheadAttention, Vaswani et al. 2017, section 3.2.2):
// q, k, v projected by the rows of in_proj_weight (3E, E) [and in_proj_bias (3E)], split into
// num_heads heads, scaled dot-product attention per head, heads concatenated, then out_proj
// (Linear E -> E). Parameter names and layout are PyTorch's, so state_dicts move both ways.
// A query whose keys are all masked gets output out_proj(0) (PyTorch gives NaN).
class MultiheadAttention : public Module {
public:
    explicit MultiheadAttention(MultiheadAttentionOptions options);

    // query (L, N, E), key and value (S, N, E) (batch_first: (N, L, E), (N, S, E); unbatched
    // (L, E), (S, E)). Throws ShapeError for mismatched shapes or masks.
    MultiheadAttentionOutput forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const MultiheadAttentionCall& call = {});
    // Self-attention without masks; the output only.
    Tensor forward(const Tensor& x) override;
    // Incremental decoding (a key/value cache, as fairseq's incremental_state): `new_kv`'s
    // keys and values (if defined; same layout as the query) are projected once and appended
    // to the cache, then `query` attends over everything in the cache. Self-attention steps
    // pass the new positions as both (with call.is_causal when several arrive at once: the
    // last L of S positions attend causally); cross-attention fills the cache with the
    // encoder's output once and then passes an undefined new_kv. Equals forward() on the whole
    // sequence, position by position. Only in eval mode (no dropout).
    MultiheadAttentionOutput forward_cached(const Tensor& query, const Tensor& new_kv,
                                            KeyValueCache& cache,
                                            const MultiheadAttentionCall& call = {});
    std::string type_name() const override { return "MultiheadAttention"; }
    const MultiheadAttentionOptions& options() const { return options_; }

    Tensor in_proj_weight;  // (3E, E): rows [0, E) for q, [E, 2E) for k, [2E, 3E) for v.
    Tensor in_proj_bias;    // (3E), undefined without bias
    std::shared_ptr<Linear> out_proj;

private:
    // q, k, v (N, *, E) projected by in_proj_weight's rows: (N, L, E), (N, S, E), (N, S, E).
    std::tuple<Tensor, Tensor, Tensor> project(const Tensor& query, const Tensor& key,
                                               const Tensor& value, const Tensor& q,
                                               const Tensor& k, const Tensor& v);
    MultiheadAttentionOptions options_;
};

}  // namespace kaya::nn
