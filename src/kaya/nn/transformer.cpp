// SPDX-License-Identifier: MIT
#include "kaya/nn/transformer.h"

#include "kaya/ops/ops.h"

namespace kaya::nn {

namespace {

void check_options(const char* who, const TransformerLayerOptions& o) {
    KAYA_CHECK(o.d_model > 0 && o.nhead > 0 && o.d_model % o.nhead == 0, ValueError, who,
               ": d_model must be a positive multiple of nhead, got d_model=", o.d_model,
               ", nhead=", o.nhead);
    KAYA_CHECK(o.dim_feedforward > 0, ValueError, who, ": dim_feedforward must be positive, got ",
               o.dim_feedforward);
    KAYA_CHECK(o.activation == "relu" || o.activation == "gelu", ValueError, who,
               ": activation must be \"relu\" or \"gelu\", got \"", o.activation, "\"");
}

std::shared_ptr<MultiheadAttention> make_attention(const TransformerLayerOptions& o) {
    return std::make_shared<MultiheadAttention>(MultiheadAttentionOptions{
        .embed_dim = o.d_model, .num_heads = o.nhead, .dropout = o.dropout,
        .batch_first = o.batch_first, .dtype = o.dtype, .gen = o.gen});
}

std::shared_ptr<Linear> make_linear(const TransformerLayerOptions& o, int64_t in, int64_t out) {
    return std::make_shared<Linear>(
        LinearOptions{.in = in, .out = out, .dtype = o.dtype, .gen = o.gen});
}

std::shared_ptr<LayerNorm> make_norm(const TransformerLayerOptions& o) {
    return std::make_shared<LayerNorm>(LayerNormOptions{
        .normalized_shape = {o.d_model}, .eps = o.layer_norm_eps, .dtype = o.dtype});
}

Tensor activate(const std::string& name, const Tensor& x) {
    return name == "gelu" ? gelu(x) : relu(x);
}

}  // namespace

TransformerEncoderLayer::TransformerEncoderLayer(TransformerLayerOptions o) : options_(o) {
    check_options("TransformerEncoderLayer", o);
    self_attn = register_module("self_attn", make_attention(o));
    linear1 = register_module("linear1", make_linear(o, o.d_model, o.dim_feedforward));
    dropout = register_module("dropout", std::make_shared<Dropout>(o.dropout, o.gen));
    linear2 = register_module("linear2", make_linear(o, o.dim_feedforward, o.d_model));
    norm1 = register_module("norm1", make_norm(o));
    norm2 = register_module("norm2", make_norm(o));
    dropout1 = register_module("dropout1", std::make_shared<Dropout>(o.dropout, o.gen));
    dropout2 = register_module("dropout2", std::make_shared<Dropout>(o.dropout, o.gen));
}

Tensor TransformerEncoderLayer::feed_forward(const Tensor& x) {
    return (*dropout2)((*linear2)((*dropout)(activate(options_.activation, (*linear1)(x)))));
}

Tensor TransformerEncoderLayer::forward(const Tensor& src, const EncoderMasks& m) {
    auto attend = [&](const Tensor& x) {
        return (*dropout1)(self_attn->forward(x, x, x, {.key_padding_mask = m.key_padding_mask,
                                                        .attn_mask = m.mask,
                                                        .need_weights = false,
                                                        .is_causal = m.is_causal})
                               .output);
    };
    Tensor x = src;
    if (options_.norm_first) {
        x = add(x, attend((*norm1)(x)));
        return add(x, feed_forward((*norm2)(x)));
    }
    x = (*norm1)(add(x, attend(x)));
    return (*norm2)(add(x, feed_forward(x)));
}

TransformerDecoderLayer::TransformerDecoderLayer(TransformerLayerOptions o) : options_(o) {
    check_options("TransformerDecoderLayer", o);
    self_attn = register_module("self_attn", make_attention(o));
    multihead_attn = register_module("multihead_attn", make_attention(o));
    linear1 = register_module("linear1", make_linear(o, o.d_model, o.dim_feedforward));
    dropout = register_module("dropout", std::make_shared<Dropout>(o.dropout, o.gen));
    linear2 = register_module("linear2", make_linear(o, o.dim_feedforward, o.d_model));
    norm1 = register_module("norm1", make_norm(o));
    norm2 = register_module("norm2", make_norm(o));
    norm3 = register_module("norm3", make_norm(o));
    dropout1 = register_module("dropout1", std::make_shared<Dropout>(o.dropout, o.gen));
    dropout2 = register_module("dropout2", std::make_shared<Dropout>(o.dropout, o.gen));
    dropout3 = register_module("dropout3", std::make_shared<Dropout>(o.dropout, o.gen));
}

Tensor TransformerDecoderLayer::feed_forward(const Tensor& x) {
    return (*dropout3)((*linear2)((*dropout)(activate(options_.activation, (*linear1)(x)))));
}

// The three sublayers with their residual connections, post-norm or pre-norm.
Tensor TransformerDecoderLayer::sublayers(const Tensor& tgt, const std::function<Tensor(const Tensor&)>& self_block,
                                          const std::function<Tensor(const Tensor&)>& cross_block) {
    Tensor x = tgt;
    if (options_.norm_first) {
        x = add(x, self_block((*norm1)(x)));
        x = add(x, cross_block((*norm2)(x)));
        return add(x, feed_forward((*norm3)(x)));
    }
    x = (*norm1)(add(x, self_block(x)));
    x = (*norm2)(add(x, cross_block(x)));
    return (*norm3)(add(x, feed_forward(x)));
}

Tensor TransformerDecoderLayer::forward(const Tensor& tgt, const Tensor& memory,
                                        const DecoderMasks& m) {
    auto self_block = [&](const Tensor& x) {
        return (*dropout1)(self_attn->forward(x, x, x, {.key_padding_mask = m.tgt_key_padding_mask,
                                                        .attn_mask = m.tgt_mask,
                                                        .need_weights = false,
                                                        .is_causal = m.tgt_is_causal})
                               .output);
    };
    auto cross_block = [&](const Tensor& x) {
        auto r = multihead_attn->forward(x, memory, memory,
                                         {.key_padding_mask = m.memory_key_padding_mask,
                                          .attn_mask = m.memory_mask,
                                          .need_weights = record_cross_attention});
        if (record_cross_attention) cross_attention = detach(r.weights);
        return (*dropout2)(r.output);
    };
    return sublayers(tgt, self_block, cross_block);
}

Tensor TransformerDecoderLayer::forward_step(const Tensor& tgt, const Tensor& memory,
                                             KeyValueCache& self_cache, KeyValueCache& cross_cache,
                                             const Tensor& memory_key_padding_mask) {
    auto self_block = [&](const Tensor& x) {
        return self_attn->forward_cached(x, x, self_cache, {.need_weights = false, .is_causal = true})
            .output;
    };
    auto cross_block = [&](const Tensor& x) {
        const Tensor fresh = cross_cache.length() == 0 ? memory : Tensor();
        return multihead_attn
            ->forward_cached(x, fresh, cross_cache,
                             {.key_padding_mask = memory_key_padding_mask, .need_weights = false})
            .output;
    };
    return sublayers(tgt, self_block, cross_block);
}

TransformerEncoder::TransformerEncoder(const TransformerLayerOptions& layer, int64_t num_layers,
                                       bool final_norm) {
    KAYA_CHECK(num_layers > 0, ValueError, "TransformerEncoder: num_layers must be positive, got ",
               num_layers);
    layers = register_module("layers", std::make_shared<ModuleList<TransformerEncoderLayer>>());
    for (int64_t i = 0; i < num_layers; ++i) {
        layers->push_back(std::make_shared<TransformerEncoderLayer>(layer));
    }
    if (final_norm) norm = register_module("norm", make_norm(layer));
}

Tensor TransformerEncoder::forward(const Tensor& src, const EncoderMasks& masks) {
    Tensor x = src;
    for (const auto& layer : *layers) x = layer->forward(x, masks);
    return norm ? (*norm)(x) : x;
}

TransformerDecoder::TransformerDecoder(const TransformerLayerOptions& layer, int64_t num_layers,
                                       bool final_norm) {
    KAYA_CHECK(num_layers > 0, ValueError, "TransformerDecoder: num_layers must be positive, got ",
               num_layers);
    layers = register_module("layers", std::make_shared<ModuleList<TransformerDecoderLayer>>());
    for (int64_t i = 0; i < num_layers; ++i) {
        layers->push_back(std::make_shared<TransformerDecoderLayer>(layer));
    }
    if (final_norm) norm = register_module("norm", make_norm(layer));
}

Tensor TransformerDecoder::forward(const Tensor& tgt, const Tensor& memory, const DecoderMasks& masks) {
    Tensor x = tgt;
    for (const auto& layer : *layers) x = layer->forward(x, memory, masks);
    return norm ? (*norm)(x) : x;
}

Tensor TransformerDecoder::forward_step(const Tensor& tgt, const Tensor& memory, Cache& cache,
                                        const Tensor& memory_key_padding_mask) {
    const size_t n = layers->size();
    if (cache.self.size() != n) cache.self.assign(n, {});
    if (cache.cross.size() != n) cache.cross.assign(n, {});
    Tensor x = tgt;
    size_t i = 0;
    for (const auto& layer : *layers) {
        x = layer->forward_step(x, memory, cache.self[i], cache.cross[i], memory_key_padding_mask);
        ++i;
    }
    return norm ? (*norm)(x) : x;
}

}  // namespace kaya::nn
