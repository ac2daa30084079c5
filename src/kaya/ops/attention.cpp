// SPDX-License-Identifier: MIT
#include "kaya/ops/attention.h"

#include <cmath>

#include "kaya/ops/binary.h"
#include "kaya/ops/compare.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/index.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/linalg.h"
#include "kaya/ops/random.h"
#include "kaya/ops/reduce.h"
#include "kaya/ops/unary.h"
#include "kaya/ops/view.h"

namespace kaya {

namespace {

int64_t last(const Tensor& t, int64_t from_end) { return t.shape()[t.dim() - from_end]; }

void check_mask(const Tensor& mask, const Tensor& q, const Shape& scores) {
    detail::check_inputs("attention", {&mask});
    KAYA_CHECK(mask.dtype() == DType::Bool || mask.dtype() == q.dtype(), DTypeError,
               "attention: mask must be bool (true = takes part) or ", dtype_name(q.dtype()),
               " like the query (added to the scores), got ", describe(mask));
    bool fits = mask.dim() <= static_cast<int64_t>(scores.size());
    for (int64_t i = 1; fits && i <= mask.dim(); ++i) {
        const int64_t m = mask.shape()[mask.dim() - i];
        fits = m == 1 || m == scores[scores.size() - i];
    }
    KAYA_CHECK(fits, ShapeError, "attention: mask ", describe(mask),
               " does not broadcast to the scores' shape ", format_shape(scores),
               " (batch..., queries, keys)");
}

// Softmax over the last dim in which a row of -inf (no key allowed) gives 0 instead of NaN.
Tensor softmax_allowing_empty_rows(const Tensor& scores) {
    Tensor m = amax(detach(scores), {-1}, true);
    m = masked_fill(m, eq(m, -INFINITY), 0.0);
    Tensor e = exp(sub(scores, m));
    Tensor s = sum(e, {-1}, true);
    return div(e, masked_fill(s, eq(s, 0.0), 1.0));
}

}  // namespace

Tensor causal_mask(int64_t L, int64_t S) {
    KAYA_CHECK(L >= 0 && S >= L, ValueError, "causal_mask: need 0 <= L <= S, got L = ", L,
               ", S = ", S);
    Tensor rows = reshape(arange(L), {L, 1});
    Tensor cols = reshape(arange(S), {1, S});
    return le(cols, add(rows, S - L));
}

Tensor attention_weights(const Tensor& q, const Tensor& k, const AttentionOptions& o) {
    detail::check_inputs("attention", {&q, &k});
    KAYA_CHECK(q.dim() >= 2 && k.dim() >= 2, ShapeError,
               "attention: query and key need at least 2 dims (..., length, features), got ",
               describe(q), " and ", describe(k));
    KAYA_CHECK(is_floating(q.dtype()) && q.dtype() == k.dtype(), DTypeError,
               "attention: query and key must share one floating dtype, got ", describe(q),
               " and ", describe(k));
    KAYA_CHECK(last(q, 1) == last(k, 1), ShapeError,
               "attention: query and key feature sizes differ: ", describe(q), " and ",
               describe(k));
    KAYA_CHECK(o.dropout_p >= 0.0 && o.dropout_p <= 1.0, ValueError,
               "attention: dropout_p must be in [0, 1], got ", o.dropout_p);
    const int64_t L = last(q, 2), S = last(k, 2);
    const double scale = o.scale ? *o.scale : 1.0 / std::sqrt(static_cast<double>(last(q, 1)));
    // Scaling q (L x E values) is cheaper than scaling the scores (L x S).
    Tensor scores = matmul(mul(q, scale), transpose(k, -2, -1));
    if (o.mask.defined()) {
        check_mask(o.mask, q, scores.shape());
        scores = o.mask.dtype() == DType::Bool ? where(o.mask, scores, -INFINITY)
                                               : add(scores, o.mask);
    }
    if (o.is_causal) {
        KAYA_CHECK(L <= S, ShapeError, "attention: is_causal needs no more queries than keys, got ",
                   L, " queries and ", S, " keys");
        scores = where(causal_mask(L, S), scores, -INFINITY);
    }
    // Without a mask no row can be empty: the fused softmax is the same and cheaper.
    Tensor p = o.mask.defined() || o.is_causal ? softmax_allowing_empty_rows(scores) : softmax(scores, -1);
    if (o.dropout_p > 0.0) {
        if (o.dropout_p == 1.0) return mul(p, 0.0);
        Tensor keep = bernoulli(full(p.shape(), 1.0 - o.dropout_p, p.dtype()), o.gen);
        p = mul(p, div(keep, 1.0 - o.dropout_p));
    }
    return p;
}

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const AttentionOptions& o) {
    detail::check_inputs("attention", {&v});
    KAYA_CHECK(v.dim() >= 2 && k.dim() >= 2 && last(v, 2) == last(k, 2), ShapeError,
               "attention: key and value must have one length (dim -2), got ", describe(k),
               " and ", describe(v));
    KAYA_CHECK(v.dtype() == q.dtype(), DTypeError, "attention: value is ", describe(v),
               " but the query is ", describe(q));
    return matmul(attention_weights(q, k, o), v);
}

}  // namespace kaya
