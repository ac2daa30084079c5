// SPDX-License-Identifier: MIT
#include "apps/tts/tacotron.h"

#include <cmath>

#include "kaya/autograd/grad_mode.h"
#include "kaya/core/error.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

namespace {

std::shared_ptr<nn::Linear> linear_layer(int64_t in, int64_t out, bool bias = true) {
    return std::make_shared<nn::Linear>(nn::LinearOptions{.in = in, .out = out, .bias = bias});
}

}  // namespace

Tacotron::Tacotron(TacotronOptions o) : o_(o) {
    KAYA_CHECK(o.reduction >= 1 && o.symbols > 2 && o.n_mels > 0, ValueError,
               "Tacotron: reduction must be >= 1, symbols > 2 and n_mels > 0");
    KAYA_CHECK(o.location_kernel % 2 == 1, ValueError, "Tacotron: location_kernel must be odd, got ",
               o.location_kernel);
    const int64_t M = 2 * o.encoder_lstm;
    embedding_ = register_module("embedding", std::make_shared<nn::Embedding>(nn::EmbeddingOptions{
                                                  .num = o.symbols, .dim = o.embedding,
                                                  .padding_idx = 0}));
    encoder_convs_ = register_module("encoder_convs", std::make_shared<nn::ModuleList<ConvNormBlock>>());
    for (int64_t k = 0; k < o.encoder_convs; ++k) {
        encoder_convs_->push_back(std::make_shared<ConvNormBlock>(k == 0 ? o.embedding : o.encoder_channels,
                                                                  o.encoder_channels, o.encoder_kernel,
                                                                  ConvNormBlock::Activation::relu, o.dropout));
    }
    const int64_t lstm_in = o.encoder_convs > 0 ? o.encoder_channels : o.embedding;
    encoder_lstm_ = register_module("encoder_lstm", std::make_shared<nn::LSTM>(nn::RNNOptions{
                                                        .input_size = lstm_in, .hidden_size = o.encoder_lstm,
                                                        .batch_first = true, .bidirectional = true}));
    prenet1_ = register_module("prenet1", linear_layer(o.n_mels, o.prenet));
    prenet2_ = register_module("prenet2", linear_layer(o.prenet, o.prenet));
    attention_rnn_ = register_module("attention_rnn", std::make_shared<nn::LSTMCell>(nn::LSTMCellOptions{
                                                          .input_size = o.prenet + M, .hidden_size = o.attention_rnn}));
    query_ = register_module("query", linear_layer(o.attention_rnn, o.attention, false));
    keys_ = register_module("keys", linear_layer(M, o.attention, false));
    location_conv_ = register_module("location_conv", std::make_shared<nn::Conv1d>(nn::Conv1dOptions{
                                                          .in = 2, .out = o.location_filters,
                                                          .kernel = o.location_kernel,
                                                          .params = {.padding = (o.location_kernel - 1) / 2},
                                                          .bias = false}));
    location_dense_ = register_module("location_dense", linear_layer(o.location_filters, o.attention, false));
    energy_ = register_module("energy", linear_layer(o.attention, 1));
    decoder_rnn_ = register_module("decoder_rnn", std::make_shared<nn::LSTMCell>(nn::LSTMCellOptions{
                                                      .input_size = o.attention_rnn + M, .hidden_size = o.decoder_rnn}));
    frames_ = register_module("frames", linear_layer(o.decoder_rnn + M, o.reduction * o.n_mels));
    stop_ = register_module("stop", linear_layer(o.decoder_rnn + M, 1));
    postnet_ = register_module("postnet", std::make_shared<PostNet>(o.n_mels, o.postnet_channels, o.postnet_layers,
                                                                    o.postnet_kernel, o.dropout));
    normalizer_ = register_module("normalizer", std::make_shared<MelNormalizer>(o.n_mels));
}

Tensor Tacotron::forward(const Tensor&) {
    throw NotImplemented("Tacotron::forward needs text, its lengths and mel frames: forward(text, lengths, mel)");
}

Tensor Tacotron::prenet(const Tensor& frames) {
    // Always-on dropout: the variation that lets the decoder run from its own imperfect frames.
    Tensor h = nn::dropout(relu(prenet1_->forward(frames)), 0.5, true);
    return nn::dropout(relu(prenet2_->forward(h)), 0.5, true);
}

Tacotron::Encoded Tacotron::encode(const Tensor& text, const Tensor& lengths) {
    Tensor x = transpose(embedding_->forward(text), 1, 2);  // (N, E, L)
    for (size_t k = 0; k < encoder_convs_->size(); ++k) x = (*encoder_convs_)[k]->forward(x);
    Tensor memory = encoder_lstm_->forward(transpose(x, 1, 2), lengths).output;  // (N, L, M)
    return {memory, keys_->forward(memory), padding_from_lengths(lengths, text.shape()[1])};
}

Tacotron::State Tacotron::initial_state(const Encoded& e) const {
    const int64_t N = e.memory.shape()[0], L = e.memory.shape()[1], M = e.memory.shape()[2];
    State s;
    s.context = zeros({N, M});
    s.weights = zeros({N, L});
    s.cumulative = zeros({N, L});
    return s;
}

Tensor Tacotron::step(const Tensor& prenet_out, const Encoded& e, State& s) {
    s.attention = attention_rnn_->forward(cat({prenet_out, s.context}, 1), s.attention);
    // Location-sensitive energies: the query, the keys, and features of where attention was.
    const Tensor where = location_conv_->forward(stack({s.weights, s.cumulative}, 1));  // (N, F, L)
    const Tensor location = location_dense_->forward(transpose(where, 1, 2));          // (N, L, A)
    const Tensor q = unsqueeze(query_->forward(s.attention.h), 1);                     // (N, 1, A)
    Tensor energies = squeeze(energy_->forward(tanh(add(add(q, location), e.keys))), 2);  // (N, L)
    if (e.padding.defined()) energies = masked_fill(energies, e.padding, -INFINITY);
    s.weights = softmax(energies, 1);
    s.cumulative = add(s.cumulative, s.weights);
    s.context = squeeze(bmm(unsqueeze(s.weights, 1), e.memory), 1);  // (N, M)
    s.decoder = decoder_rnn_->forward(cat({s.attention.h, s.context}, 1), s.decoder);
    return cat({s.decoder.h, s.context}, 1);
}

TacotronOutput Tacotron::forward(const Tensor& text, const Tensor& text_lengths, const Tensor& mel,
                                 const Tensor& mel_lengths) {
    KAYA_CHECK(text.dim() == 2 && mel.dim() == 3 && mel.shape()[0] == text.shape()[0] && mel.shape()[2] == o_.n_mels,
               ShapeError, "Tacotron: expected text (N, L) and mel (N, T, ", o_.n_mels, "), got ", describe(text),
               " and ", describe(mel));
    const int64_t N = mel.shape()[0], T = mel.shape()[1], r = o_.reduction;
    const int64_t steps = (T + r - 1) / r;
    const Encoded e = encode(text, text_lengths);
    // Step s reads the last frame of step s - 1 (a "go" frame of zeros before the first).
    std::vector<Tensor> inputs = {full({N, 1, o_.n_mels}, 0.0)};
    if (steps > 1) inputs.push_back(normalizer_->normalize(slice(mel, 1, r - 1, (steps - 1) * r, r)));
    const Tensor pre = prenet(cat(inputs, 1));  // (N, steps, prenet)
    State s = initial_state(e);
    std::vector<Tensor> outs, weights;
    for (int64_t k = 0; k < steps; ++k) {
        outs.push_back(step(select(pre, 1, k), e, s));
        weights.push_back(s.weights);
    }
    const Tensor h = stack(outs, 1);  // (N, steps, D)
    TacotronOutput out;
    const Tensor frames = reshape(frames_->forward(h), {N, steps * r, o_.n_mels});
    out.frames = frames;
    out.frames_post = postnet_->forward(frames, mel_lengths.defined() ? padding_from_lengths(mel_lengths, steps * r)
                                                                      : Tensor());
    out.mel = normalizer_->denormalize(out.frames);
    out.mel_post = normalizer_->denormalize(out.frames_post);
    out.stop_logits = squeeze(stop_->forward(h), 2);
    out.alignment = stack(weights, 1);
    return out;
}

Tacotron::Generated Tacotron::generate(const Tensor& text, int64_t max_steps) {
    KAYA_CHECK(text.dim() == 1 && text.shape()[0] > 0, ShapeError, "Tacotron::generate: expected text (L), got ",
               describe(text));
    autograd::NoGradGuard no_grad;
    const int64_t L = text.shape()[0], r = o_.reduction;
    Encoded e = encode(unsqueeze(text, 0), full({1}, static_cast<double>(L), DType::Int64));
    e.padding = Tensor();  // One sentence: nothing to mask.
    State s = initial_state(e);
    Tensor frame = zeros({1, o_.n_mels});
    std::vector<Tensor> frames, weights;
    Generated g;
    for (int64_t k = 0; k < max_steps; ++k) {
        const Tensor h = step(prenet(frame), e, s);
        const Tensor out = reshape(frames_->forward(h), {1, r, o_.n_mels});
        frames.push_back(out);
        weights.push_back(s.weights);
        frame = select(out, 1, r - 1);
        if (stop_->forward(h).item<double>() > 0) {
            g.stopped = true;
            break;
        }
    }
    g.mel = normalizer_->denormalize(squeeze(postnet_->forward(cat(frames, 1)), 0));
    g.alignment = cat(weights, 0);
    return g;
}

Tensor guided_attention_loss(const Tensor& alignment, const Tensor& text_lengths, const Tensor& step_lengths,
                             double g) {
    KAYA_CHECK(alignment.dim() == 3, ShapeError, "guided_attention_loss: expected alignment (N, S, L), got ",
               describe(alignment));
    const int64_t S = alignment.shape()[1], L = alignment.shape()[2];
    const DType dt = alignment.dtype();
    const Tensor tl = unsqueeze(unsqueeze(to(text_lengths, dt), 1), 2);  // (N, 1, 1)
    const Tensor sl = unsqueeze(unsqueeze(to(step_lengths, dt), 1), 2);
    const Tensor l = reshape(arange(L, dt), {1, 1, L});
    const Tensor s = reshape(arange(S, dt), {1, S, 1});
    const Tensor d = sub(div(l, tl), div(s, sl));
    const Tensor w = rsub(exp(div(mul(d, d), -2 * g * g)), 1.0);  // (N, S, L)
    const Tensor valid = to(logical_and(lt(l, tl), lt(s, sl)), dt);
    const Tensor weighted = mul(mul(alignment, w), valid);
    // Summed over the characters (each step's expected penalty, in [0, 1]), averaged over the
    // steps: on the scale of the mel loss whatever the text's length.
    const Tensor steps = sum(to(lt(s, sl), dt));
    return div(sum(weighted), clamp(steps, 1.0, std::nullopt));
}

}  // namespace kaya::tts
