// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "kaya/nn/nn.h"

namespace kaya::translate {

struct TranslatorOptions {
    int64_t src_vocab = 0, tgt_vocab = 0;
    int64_t d_model = 256, heads = 4, encoder_layers = 3, decoder_layers = 3, feedforward = 1024;
    double dropout = 0.1;
    int64_t max_len = 256;    // Longest source or target, in tokens (<s> and </s> included).
    bool tie_output = true;   // The output projection is the target embedding (Press & Wolf 2017).
    bool norm_first = true;   // Pre-norm layers with a final norm (stabler to train than post-norm).
    Generator* gen = nullptr;
};

// The encoder-decoder Transformer of Vaswani et al. (2017): source and target embeddings
// (scaled by sqrt(d_model), sinusoidal positions, dropout), an encoder, a decoder whose
// self-attention is causal, and a projection to target-vocabulary logits. Token 0 is padding
// on both sides. Names: src_embed, tgt_embed, encoder, decoder, out (absent when tied).
class Translator : public nn::Module {
public:
    explicit Translator(TranslatorOptions options);

    // src (N, S) int64 -> memory (N, S, d_model).
    Tensor encode(const Tensor& src);
    // Teacher forcing: logits (N, T, tgt_vocab) of the next token at every position of tgt_in
    // (N, T) (which starts with <s>), each seeing only the positions before it.
    Tensor decode(const Tensor& tgt_in, const Tensor& memory, const Tensor& src);
    Tensor forward(const Tensor& src, const Tensor& tgt_in) { return decode(tgt_in, encode(src), src); }
    Tensor forward(const Tensor& x) override;  // NotImplemented: a translator needs two inputs.

    // Incremental decoding (eval mode): logits (N, tgt_vocab) for the token after `tokens`
    // (N, 1), the target's position `position`, with the cache of the earlier positions.
    Tensor step(const Tensor& tokens, int64_t position, const Tensor& memory, const Tensor& src,
                nn::TransformerDecoder::Cache& cache);

    const TranslatorOptions& options() const { return o_; }
    std::string type_name() const override { return "Translator"; }

    std::shared_ptr<nn::Embedding> src_embed, tgt_embed;
    std::shared_ptr<nn::TransformerEncoder> encoder;
    std::shared_ptr<nn::TransformerDecoder> decoder;
    std::shared_ptr<nn::Linear> out;  // Null when tied.

private:
    Tensor embed(nn::Embedding& table, const Tensor& ids, int64_t first_position);
    Tensor logits(const Tensor& h);
    TranslatorOptions o_;
    std::shared_ptr<nn::SinusoidalPositionalEncoding> positions_;
    std::shared_ptr<nn::Dropout> dropout_;
};

// Padding positions of a batch of ids (true = padding, token 0).
Tensor padding_mask(const Tensor& ids);

}  // namespace kaya::translate
