// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "apps/tts/layers.h"
#include "kaya/nn/nn.h"

namespace kaya::tts {

// The autoregressive model, Tacotron 2 (Shen et al. 2018) sized for a CPU: a character
// encoder (embedding, convolutions, a bidirectional LSTM), location-sensitive attention
// (Chorowski et al. 2015) that moves forward through the text, and a decoder that emits
// `reduction` mel frames per step from the last frame of the step before (teacher forcing in
// training), with a stop token; a post-net refines the frames. Frames in and out are log-mel;
// inside, the decoder works on frames standardised per band (`normalizer`, fit to the training
// data).
struct TacotronOptions {
    int64_t symbols = 40;
    int64_t n_mels = 80;
    int64_t embedding = 128;
    int64_t encoder_convs = 3, encoder_channels = 128, encoder_kernel = 5;
    int64_t encoder_lstm = 64;        // Units per direction: the memory has 2x this.
    int64_t attention = 128;          // Attention's hidden size.
    int64_t location_filters = 32, location_kernel = 31;
    int64_t prenet = 128;             // Two layers, dropout 0.5 always on (also at inference).
    int64_t attention_rnn = 256, decoder_rnn = 256;
    int64_t reduction = 3;            // Frames per decoder step.
    int64_t postnet_layers = 5, postnet_channels = 128, postnet_kernel = 5;
    double dropout = 0.5;             // Encoder convolutions and post-net.
};

// What a decoder run gives.
struct TacotronOutput {
    Tensor mel;          // (N, T, n_mels) before the post-net
    Tensor mel_post;     // (N, T, n_mels) after it
    Tensor frames, frames_post;  // The same standardised (MelNormalizer): what losses compare
    Tensor stop_logits;  // (N, steps): the end is at a step whose logit is > 0
    Tensor alignment;    // (N, steps, L): attention weights per decoder step
};

class Tacotron : public nn::Module {
public:
    explicit Tacotron(TacotronOptions options);

    // Teacher forcing: text (N, L) int64 (0 = padding), text_lengths (N), mel (N, T, n_mels),
    // mel_lengths (N) or undefined (all T). T is rounded up to whole decoder steps in the
    // outputs. Frames past an item's length change none of its frames: the decoder reads only
    // earlier frames, and the post-net sees the padding as zeros, as it sees the edge of a
    // sentence said alone.
    TacotronOutput forward(const Tensor& text, const Tensor& text_lengths, const Tensor& mel,
                           const Tensor& mel_lengths = Tensor());
    Tensor forward(const Tensor& x) override;  // NotImplemented: needs text and frames.

    // Inference (eval mode, no graph): one text (L) int64 -> frames until the stop token or
    // max_steps decoder steps. `stopped` says whether the stop token ended it.
    struct Generated {
        Tensor mel;        // (frames, n_mels), after the post-net
        Tensor alignment;  // (steps, L)
        bool stopped = false;
    };
    Generated generate(const Tensor& text, int64_t max_steps);

    const TacotronOptions& options() const { return o_; }
    std::string type_name() const override { return "Tacotron"; }
    MelNormalizer& normalizer() { return *normalizer_; }

private:
    struct Encoded {
        Tensor memory, keys, padding;  // (N, L, M), (N, L, A), (N, L) bool or undefined (none)
    };
    struct State {
        nn::LSTMCell::State attention, decoder;
        Tensor context, weights, cumulative;  // (N, M), (N, L), (N, L)
    };
    Encoded encode(const Tensor& text, const Tensor& lengths);
    State initial_state(const Encoded& e) const;
    // One decoder step from prenet output (N, prenet): the projection input (N, D).
    Tensor step(const Tensor& prenet_out, const Encoded& e, State& s);
    Tensor prenet(const Tensor& frames);  // (..., n_mels) -> (..., prenet), dropout always on.

    TacotronOptions o_;
    std::shared_ptr<nn::Embedding> embedding_;
    std::shared_ptr<nn::ModuleList<ConvNormBlock>> encoder_convs_;
    std::shared_ptr<nn::LSTM> encoder_lstm_;
    std::shared_ptr<nn::Linear> prenet1_, prenet2_;
    std::shared_ptr<nn::LSTMCell> attention_rnn_, decoder_rnn_;
    std::shared_ptr<nn::Linear> query_, keys_, location_dense_, energy_;
    std::shared_ptr<nn::Conv1d> location_conv_;
    std::shared_ptr<nn::Linear> frames_, stop_;
    std::shared_ptr<PostNet> postnet_;
    std::shared_ptr<MelNormalizer> normalizer_;
};

// Guided attention (Tachibana et al. 2018): alignment[n, s, l] * (1 - exp(-(l / L_n - s / S_n)^2
// / (2 g^2))) summed over each step's characters and averaged over the steps of every item: the
// expected penalty of a step, in [0, 1], small when attention keeps near the diagonal.
// alignment (N, S, L), text_lengths (N), step_lengths (N).
Tensor guided_attention_loss(const Tensor& alignment, const Tensor& text_lengths, const Tensor& step_lengths,
                             double g = 0.2);

}  // namespace kaya::tts
