// SPDX-License-Identifier: MIT
#pragma once

#include <functional>

#include <memory>
#include <string>

#include "kaya/nn/activation.h"
#include "kaya/nn/attention.h"
#include "kaya/nn/container.h"
#include "kaya/nn/linear.h"
#include "kaya/nn/norm.h"

namespace kaya::nn {

// Options of a Transformer encoder or decoder layer (torch.nn.TransformerEncoderLayer's
// arguments and defaults).
struct TransformerLayerOptions {
    int64_t d_model = 0;
    int64_t nhead = 1;
    int64_t dim_feedforward = 2048;
    double dropout = 0.1;
    std::string activation = "relu";  // "relu" or "gelu" (exact erf form).
    double layer_norm_eps = 1e-5;
    bool batch_first = false;         // (N, T, E) instead of (T, N, E).
    bool norm_first = false;          // Pre-norm (Xiong et al. 2020) instead of post-norm.
    DType dtype = kDefaultDType;
    Generator* gen = nullptr;         // For the initialisation and every dropout.
};

// Masks of an encoder call; PyTorch's conventions (bool true = excluded, floats added).
struct EncoderMasks {
    Tensor mask;              // (T, T) or (N * nhead, T, T)
    Tensor key_padding_mask;  // (N, T)
    bool is_causal = false;   // Adds the causal mask.
};

// Masks of a decoder call.
struct DecoderMasks {
    Tensor tgt_mask;                 // (T, T) or (N * nhead, T, T)
    Tensor memory_mask;              // (T, S) or (N * nhead, T, S)
    Tensor tgt_key_padding_mask;     // (N, T)
    Tensor memory_key_padding_mask;  // (N, S)
    bool tgt_is_causal = false;      // Adds the causal mask to the self-attention.
};

// Self-attention then a feed-forward block, each with dropout, a residual connection and
// layer norm (torch.nn.TransformerEncoderLayer): post-norm x = norm(x + block(x)), or pre-norm
// x = x + block(norm(x)). Submodules self_attn, linear1, dropout, linear2, norm1, norm2,
// dropout1, dropout2, as in PyTorch. src (T, N, E), (N, T, E) with batch_first, or (T, E).
class TransformerEncoderLayer : public Module {
public:
    explicit TransformerEncoderLayer(TransformerLayerOptions options);

    Tensor forward(const Tensor& src, const EncoderMasks& masks);
    Tensor forward(const Tensor& src) override { return forward(src, EncoderMasks{}); }
    std::string type_name() const override { return "TransformerEncoderLayer"; }

    std::shared_ptr<MultiheadAttention> self_attn;
    std::shared_ptr<Linear> linear1, linear2;
    std::shared_ptr<Dropout> dropout, dropout1, dropout2;
    std::shared_ptr<LayerNorm> norm1, norm2;

private:
    Tensor feed_forward(const Tensor& x);
    TransformerLayerOptions options_;
};

// Masked self-attention, attention over the encoder's output (memory), then a feed-forward
// block (torch.nn.TransformerDecoderLayer); submodules self_attn, multihead_attn, linear1,
// dropout, linear2, norm1-3, dropout1-3. tgt (T, N, E), memory (S, N, E) (or batch_first).
class TransformerDecoderLayer : public Module {
public:
    explicit TransformerDecoderLayer(TransformerLayerOptions options);

    Tensor forward(const Tensor& tgt, const Tensor& memory, const DecoderMasks& masks = {});
    using Module::forward;  // One input alone is not a decoder call: NotImplemented.
    std::string type_name() const override { return "TransformerDecoderLayer"; }

    // Incremental decoding (eval mode): the next positions `tgt` (the newest L of the target,
    // usually 1) given everything before them in `self_cache`; `cross_cache` holds the
    // memory's keys and values (filled from `memory` on the first call, which may be
    // undefined afterwards). Equals forward() with a causal mask at those positions.
    Tensor forward_step(const Tensor& tgt, const Tensor& memory, KeyValueCache& self_cache,
                        KeyValueCache& cross_cache, const Tensor& memory_key_padding_mask = {});

    std::shared_ptr<MultiheadAttention> self_attn, multihead_attn;
    std::shared_ptr<Linear> linear1, linear2;
    std::shared_ptr<Dropout> dropout, dropout1, dropout2, dropout3;
    std::shared_ptr<LayerNorm> norm1, norm2, norm3;

    // With record_cross_attention, forward() keeps the attention over the memory, averaged
    // over heads, in cross_attention: (N, T, S) (a forward hook's job in PyTorch).
    bool record_cross_attention = false;
    Tensor cross_attention;

private:
    Tensor feed_forward(const Tensor& x);
    Tensor sublayers(const Tensor& tgt, const std::function<Tensor(const Tensor&)>& self_block,
                     const std::function<Tensor(const Tensor&)>& cross_block);
    TransformerLayerOptions options_;
};

// num_layers encoder layers in sequence, with an optional final LayerNorm `norm` (usual with
// pre-norm layers) (torch.nn.TransformerEncoder): names layers.0..., norm.
class TransformerEncoder : public Module {
public:
    TransformerEncoder(const TransformerLayerOptions& layer, int64_t num_layers,
                       bool final_norm = false);

    Tensor forward(const Tensor& src, const EncoderMasks& masks);
    Tensor forward(const Tensor& src) override { return forward(src, EncoderMasks{}); }
    std::string type_name() const override { return "TransformerEncoder"; }

    std::shared_ptr<ModuleList<TransformerEncoderLayer>> layers;
    std::shared_ptr<LayerNorm> norm;  // Null without final_norm.
};

// num_layers decoder layers with an optional final LayerNorm (torch.nn.TransformerDecoder).
class TransformerDecoder : public Module {
public:
    TransformerDecoder(const TransformerLayerOptions& layer, int64_t num_layers,
                       bool final_norm = false);

    Tensor forward(const Tensor& tgt, const Tensor& memory, const DecoderMasks& masks = {});
    using Module::forward;  // One input alone is not a decoder call: NotImplemented.
    std::string type_name() const override { return "TransformerDecoder"; }

    // One cache per layer for self- and cross-attention.
    struct Cache {
        std::vector<KeyValueCache> self, cross;
    };
    // Incremental decoding through every layer (see TransformerDecoderLayer::forward_step).
    Tensor forward_step(const Tensor& tgt, const Tensor& memory, Cache& cache,
                        const Tensor& memory_key_padding_mask = {});

    std::shared_ptr<ModuleList<TransformerDecoderLayer>> layers;
    std::shared_ptr<LayerNorm> norm;  // Null without final_norm.
};

}  // namespace kaya::nn
