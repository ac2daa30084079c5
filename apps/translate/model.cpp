// SPDX-License-Identifier: MIT
#include "apps/translate/model.h"

#include <cmath>

#include "kaya/ops/ops.h"

namespace kaya::translate {

Tensor padding_mask(const Tensor& ids) { return eq(ids, 0.0); }

Translator::Translator(TranslatorOptions o) : o_(o) {
    KAYA_CHECK(o.src_vocab > 4 && o.tgt_vocab > 4, ValueError, "Translator: vocabularies of ",
               o.src_vocab, " and ", o.tgt_vocab, " tokens are too small");
    KAYA_CHECK(o.max_len > 2, ValueError, "Translator: max_len must be > 2, got ", o.max_len);
    auto table = [&](const char* name, int64_t n) {
        auto e = register_module(name, std::make_shared<nn::Embedding>(
                                           nn::EmbeddingOptions{.num = n, .dim = o.d_model, .padding_idx = 0, .gen = o.gen}));
        // N(0, 1/d) as fairseq: the sqrt(d) scaling below brings rows to unit size.
        nn::init::normal_(e->weight, 0.0, 1.0 / std::sqrt(static_cast<double>(o.d_model)), o.gen);
        {
            autograd::NoGradGuard no_grad;
            Tensor row = narrow(e->weight, 0, 0, 1);
            nn::init::zeros_(row);
        }
        return e;
    };
    src_embed = table("src_embed", o.src_vocab);
    tgt_embed = table("tgt_embed", o.tgt_vocab);
    const nn::TransformerLayerOptions layer{.d_model = o.d_model,
                                            .nhead = o.heads,
                                            .dim_feedforward = o.feedforward,
                                            .dropout = o.dropout,
                                            .batch_first = true,
                                            .norm_first = o.norm_first,
                                            .gen = o.gen};
    encoder = register_module("encoder", std::make_shared<nn::TransformerEncoder>(layer, o.encoder_layers, o.norm_first));
    decoder = register_module("decoder", std::make_shared<nn::TransformerDecoder>(layer, o.decoder_layers, o.norm_first));
    if (!o.tie_output)
        out = register_module("out", std::make_shared<nn::Linear>(nn::LinearOptions{
                                         .in = o.d_model, .out = o.tgt_vocab, .bias = false, .gen = o.gen}));
    positions_ = std::make_shared<nn::SinusoidalPositionalEncoding>(o.d_model, o.max_len);
    dropout_ = register_module("dropout", std::make_shared<nn::Dropout>(o.dropout, o.gen));
}

Tensor Translator::forward(const Tensor&) {
    throw NotImplemented("Translator::forward needs a source and a target: forward(src, tgt_in)");
}

Tensor Translator::embed(nn::Embedding& table, const Tensor& ids, int64_t first) {
    KAYA_CHECK(ids.dim() == 2 && ids.dtype() == DType::Int64, ShapeError,
               "Translator: expected (N, T) int64 token ids, got ", describe(ids));
    const int64_t T = ids.shape()[1];
    KAYA_CHECK(first + T <= o_.max_len, ValueError, "Translator: ", first + T,
               " tokens exceed the model's max_len ", o_.max_len);
    Tensor x = mul(table(ids), std::sqrt(static_cast<double>(o_.d_model)));
    x = add(x, narrow(positions_->table(first + T), 0, first, T));
    return (*dropout_)(x);
}

Tensor Translator::logits(const Tensor& h) {
    return out ? (*out)(h) : linear(h, tgt_embed->weight);
}

Tensor Translator::encode(const Tensor& src) {
    return encoder->forward(embed(*src_embed, src, 0), {.key_padding_mask = padding_mask(src)});
}

Tensor Translator::decode(const Tensor& tgt_in, const Tensor& memory, const Tensor& src) {
    Tensor h = decoder->forward(embed(*tgt_embed, tgt_in, 0), memory,
                                {.tgt_key_padding_mask = padding_mask(tgt_in),
                                 .memory_key_padding_mask = padding_mask(src),
                                 .tgt_is_causal = true});
    return logits(h);
}

Tensor Translator::step(const Tensor& tokens, int64_t position, const Tensor& memory, const Tensor& src,
                        nn::TransformerDecoder::Cache& cache) {
    const bool first = cache.self.empty() || cache.self[0].length() == 0;
    Tensor h = decoder->forward_step(embed(*tgt_embed, tokens, position), first ? memory : Tensor(),
                                     cache, padding_mask(src));
    return squeeze(logits(h), 1);
}

}  // namespace kaya::translate
