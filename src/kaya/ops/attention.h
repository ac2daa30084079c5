// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include "kaya/core/random.h"
#include "kaya/core/tensor.h"

namespace kaya {

// Masks and options of scaled dot-product attention. PyTorch 2's
// F.scaled_dot_product_attention conventions (PyTorch 1.13 has no public equivalent).
struct AttentionOptions {
    // Undefined, or broadcastable to (*, L, S): bool, where true means the key takes part, or
    // floating, added to the scores (-inf excludes a key).
    Tensor mask;
    // Query i sees keys 0 .. i + (S - L): the queries are the last L of the S positions, as in
    // a decoder with a key/value cache (needs L <= S). Same as PyTorch 2's when L == S.
    bool is_causal = false;
    double dropout_p = 0.0;           // On the attention weights; 0 in evaluation.
    std::optional<double> scale;      // Default 1 / sqrt(E).
    Generator* gen = nullptr;         // For the dropout; nullptr uses the default generator.
};

// softmax(q k^T * scale + mask) over the keys: the attention weights, (*, L, S).
// q (*, L, E), k (*, S, E), leading dims broadcast. A query whose keys are all masked gets
// weights 0 (no key), not the NaN that softmax over -inf alone gives; its output row is then 0.
// Throws ShapeError for mismatched feature sizes or an unbroadcastable mask, DTypeError for a
// non-floating input or a mask that is neither bool nor q's dtype.
Tensor attention_weights(const Tensor& q, const Tensor& k, const AttentionOptions& options = {});

// attention_weights(q, k) (with dropout) times v: q (*, L, E), k (*, S, E), v (*, S, Ev)
// -> (*, L, Ev) (Vaswani et al. 2017, eq. 1).
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const AttentionOptions& options = {});

// A (L, S) bool mask that lets query i see keys 0..i + (S - L), i.e. the last L of S
// positions attend causally (true = takes part).
Tensor causal_mask(int64_t L, int64_t S);

}  // namespace kaya
