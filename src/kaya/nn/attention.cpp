// SPDX-License-Identifier: MIT
#include "kaya/nn/attention.h"

#include <cmath>

#include "kaya/nn/init.h"
#include "kaya/ops/ops.h"

namespace kaya::nn {

namespace {

// PyTorch's mask conventions (true = excluded) turned into an additive or a "takes part"
// mask for attention_weights, broadcast to (N, H, L, S).
struct MaskParts {
    Tensor allowed;   // bool, true = takes part
    Tensor additive;  // floating, added to the scores
};

void add_mask(MaskParts& parts, const Tensor& m, const Shape& shape, DType dtype) {
    Tensor r = reshape(m, shape);
    if (r.dtype() == DType::Bool) {
        Tensor ok = logical_not(r);
        parts.allowed = parts.allowed.defined() ? logical_and(parts.allowed, ok) : ok;
    } else {
        KAYA_CHECK(r.dtype() == dtype, DTypeError, "MultiheadAttention: a float mask must have the ",
                   "query's dtype ", dtype_name(dtype), ", got ", describe(m));
        parts.additive = parts.additive.defined() ? add(parts.additive, r) : r;
    }
}

Tensor combine(const MaskParts& p, DType dtype) {
    if (!p.additive.defined()) return p.allowed;
    if (!p.allowed.defined()) return p.additive;
    return add(p.additive, where(p.allowed, zeros({}, dtype), -INFINITY));
}

// The call's key-padding and attention masks as one mask for attention_weights.
Tensor combined_mask(const MultiheadAttentionCall& call, bool batched, int64_t N, int64_t H,
                     int64_t L, int64_t S, DType dtype) {
    MaskParts parts;
    if (call.key_padding_mask.defined()) {
        const Tensor& m = call.key_padding_mask;
        const Shape expected = batched ? Shape{N, S} : Shape{S};
        KAYA_CHECK(m.shape() == expected, ShapeError,
                   "MultiheadAttention: key_padding_mask must be ", batched ? "(N, S) = [" : "(S) = [",
                   batched ? std::to_string(N) + ", " : "", S, "], got ", describe(m));
        add_mask(parts, m, {N, 1, 1, S}, dtype);
    }
    if (call.attn_mask.defined()) {
        const Tensor& m = call.attn_mask;
        const bool two_d = m.shape() == Shape{L, S};
        const bool per_head = m.shape() == Shape{N * H, L, S};
        KAYA_CHECK(two_d || per_head, ShapeError,
                   "MultiheadAttention: attn_mask must be (L, S) = [", L, ", ", S,
                   "] or (N * num_heads, L, S) = [", N * H, ", ", L, ", ", S, "], got ",
                   describe(m));
        add_mask(parts, m, two_d ? Shape{1, 1, L, S} : Shape{N, H, L, S}, dtype);
    }
    return combine(parts, dtype);
}

}  // namespace

MultiheadAttention::MultiheadAttention(MultiheadAttentionOptions o) : options_(o) {
    KAYA_CHECK(o.embed_dim > 0 && o.num_heads > 0 && o.embed_dim % o.num_heads == 0, ValueError,
               "MultiheadAttention: embed_dim must be a positive multiple of num_heads, got "
               "embed_dim=", o.embed_dim, ", num_heads=", o.num_heads);
    KAYA_CHECK(o.dropout >= 0.0 && o.dropout <= 1.0, ValueError,
               "MultiheadAttention: dropout must be in [0, 1], got ", o.dropout);
    const int64_t E = o.embed_dim;
    in_proj_weight = register_parameter("in_proj_weight", empty({3 * E, E}, o.dtype));
    init::xavier_uniform_(in_proj_weight, 1.0, o.gen);
    if (o.bias) in_proj_bias = register_parameter("in_proj_bias", zeros({3 * E}, o.dtype));
    out_proj = register_module(
        "out_proj", std::make_shared<Linear>(LinearOptions{
                        .in = E, .out = E, .bias = o.bias, .dtype = o.dtype, .gen = o.gen}));
    if (o.bias) {
        autograd::NoGradGuard no_grad;
        zero_(out_proj->bias);
    }
}

Tensor MultiheadAttention::forward(const Tensor& x) {
    return forward(x, x, x, {.need_weights = false}).output;
}

std::tuple<Tensor, Tensor, Tensor> MultiheadAttention::project(const Tensor& query, const Tensor& key,
                                                               const Tensor& value, const Tensor& q,
                                                               const Tensor& k, const Tensor& v) {
    const int64_t E = options_.embed_dim;
    // One product for self-attention, else one per distinct input.
    auto rows = [&](int64_t part, int64_t count) {
        return std::pair{narrow(in_proj_weight, 0, part * E, count * E),
                         in_proj_bias.defined() ? narrow(in_proj_bias, 0, part * E, count * E)
                                                : Tensor()};
    };
    if (query.is_same(key) && key.is_same(value)) {
        auto parts = chunk(linear(q, in_proj_weight, in_proj_bias), 3, -1);
        return {parts[0], parts[1], parts[2]};
    }
    auto [wq, bq] = rows(0, 1);
    Tensor qp = linear(q, wq, bq);
    if (key.is_same(value)) {
        auto [wkv, bkv] = rows(1, 2);
        auto parts = chunk(linear(k, wkv, bkv), 2, -1);
        return {qp, parts[0], parts[1]};
    }
    auto [wk, bk] = rows(1, 1);
    auto [wv, bv] = rows(2, 1);
    return {qp, linear(k, wk, bk), linear(v, wv, bv)};
}

MultiheadAttentionOutput MultiheadAttention::forward(const Tensor& query, const Tensor& key,
                                                     const Tensor& value,
                                                     const MultiheadAttentionCall& call) {
    const int64_t E = options_.embed_dim, H = options_.num_heads, hd = E / H;
    const bool batched = query.dim() == 3;
    KAYA_CHECK((query.dim() == 2 || batched) && key.dim() == query.dim() &&
                   value.dim() == query.dim() && query.shape().back() == E &&
                   key.shape().back() == E && value.shape().back() == E,
               ShapeError, "MultiheadAttention: expected query, key and value of ",
               options_.batch_first ? "(N, L, " : "(L, N, ", E, ") or unbatched (L, ", E,
               "), got ", describe(query), ", ", describe(key), ", ", describe(value));
    // Everything below works on (N, L, E).
    auto batch_major = [&](const Tensor& t) {
        if (!batched) return unsqueeze(t, 0);
        return options_.batch_first ? t : transpose(t, 0, 1);
    };
    Tensor q = batch_major(query), k = batch_major(key), v = batch_major(value);
    const int64_t N = q.shape()[0], L = q.shape()[1], S = k.shape()[1];
    KAYA_CHECK(k.shape()[0] == N && v.shape()[0] == N && v.shape()[1] == S, ShapeError,
               "MultiheadAttention: key and value must have the query's batch size and one "
               "length, got ", describe(query), ", ", describe(key), ", ", describe(value));

    auto [qp, kp, vp] = project(query, key, value, q, k, v);
    auto heads = [&](const Tensor& t, int64_t len) {  // (N, len, E) -> (N, H, len, hd)
        return transpose(reshape(t, {N, len, H, hd}), 1, 2);
    };
    q = heads(qp, L), k = heads(kp, S), v = heads(vp, S);
    const Tensor mask = combined_mask(call, batched, N, H, L, S, q.dtype());
    Tensor p = attention_weights(
        q, k, {.mask = mask, .is_causal = call.is_causal,
               .dropout_p = is_training() ? options_.dropout : 0.0, .gen = options_.gen});
    Tensor heads_out = matmul(p, v);                                          // (N, H, L, hd)
    Tensor out = (*out_proj)(reshape(transpose(heads_out, 1, 2), {N, L, E}));  // (N, L, E)
    if (!batched) {
        out = squeeze(out, 0);
    } else if (!options_.batch_first) {
        out = transpose(out, 0, 1);
    }
    MultiheadAttentionOutput result{out, Tensor()};
    if (call.need_weights) {
        Tensor w = call.average_attn_weights ? mean(p, {1}) : p;
        result.weights = batched ? w : squeeze(w, 0);
    }
    return result;
}

MultiheadAttentionOutput MultiheadAttention::forward_cached(const Tensor& query, const Tensor& new_kv,
                                                            KeyValueCache& cache,
                                                            const MultiheadAttentionCall& call) {
    const int64_t E = options_.embed_dim, H = options_.num_heads, hd = E / H;
    KAYA_CHECK(!is_training() || options_.dropout == 0, ValueError,
               "MultiheadAttention::forward_cached: incremental decoding runs in eval mode");
    KAYA_CHECK(query.dim() == 3 && query.shape().back() == E &&
                   (!new_kv.defined() || (new_kv.dim() == 3 && new_kv.shape().back() == E)),
               ShapeError, "MultiheadAttention::forward_cached: expected batched query and keys of ",
               options_.batch_first ? "(N, L, " : "(L, N, ", E, "), got ", describe(query), " and ",
               describe(new_kv));
    auto batch_major = [&](const Tensor& t) { return options_.batch_first ? t : transpose(t, 0, 1); };
    const Tensor q = batch_major(query);
    const int64_t N = q.shape()[0], L = q.shape()[1];
    auto heads = [&](const Tensor& t) {  // (N, len, E) -> (N, H, len, hd)
        return transpose(reshape(t, {N, t.shape()[1], H, hd}), 1, 2);
    };
    auto rows = [&](int64_t part, int64_t count) {
        return std::pair{narrow(in_proj_weight, 0, part * E, count * E),
                         in_proj_bias.defined() ? narrow(in_proj_bias, 0, part * E, count * E) : Tensor()};
    };
    if (new_kv.defined()) {
        const Tensor kv = batch_major(new_kv);
        KAYA_CHECK(kv.shape()[0] == N, ShapeError, "MultiheadAttention::forward_cached: keys for ",
                   kv.shape()[0], " sequences, queries for ", N);
        auto [wkv, bkv] = rows(1, 2);
        auto parts = chunk(linear(kv, wkv, bkv), 2, -1);
        const Tensor k = contiguous(heads(parts[0])), v = contiguous(heads(parts[1]));
        cache.keys = cache.keys.defined() ? cat({cache.keys, k}, 2) : k;
        cache.values = cache.values.defined() ? cat({cache.values, v}, 2) : v;
    }
    KAYA_CHECK(cache.length() > 0 && cache.keys.shape()[0] == N, ShapeError,
               "MultiheadAttention::forward_cached: the cache holds ",
               cache.length() > 0 ? describe(cache.keys) : std::string("nothing"), " for queries of ",
               N, " sequences");
    const int64_t S = cache.length();
    auto [wq, bq] = rows(0, 1);
    const Tensor qh = heads(linear(q, wq, bq));
    const Tensor mask = combined_mask(call, true, N, H, L, S, qh.dtype());
    Tensor p = attention_weights(qh, cache.keys, {.mask = mask, .is_causal = call.is_causal && L > 1});
    Tensor out = (*out_proj)(reshape(transpose(matmul(p, cache.values), 1, 2), {N, L, E}));
    if (!options_.batch_first) out = transpose(out, 0, 1);
    MultiheadAttentionOutput result{out, Tensor()};
    if (call.need_weights) result.weights = call.average_attn_weights ? mean(p, {1}) : p;
    return result;
}

}  // namespace kaya::nn
