// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "apps/tts/layers.h"
#include "kaya/nn/nn.h"

namespace kaya::tts {

// The non-autoregressive model, FastSpeech (Ren et al. 2019) sized for a CPU: feed-forward
// Transformer blocks (self-attention, then a 1-D convolutional feed-forward net) over the
// characters, a duration predictor, a length regulator that repeats each character's state for
// its duration, and feed-forward blocks over the frames that emit every frame at once. The
// decoder runs at 1/reduction of the frame rate and emits `reduction` frames per position
// (as Tacotron's decoder steps do). Frames in and out are log-mel, standardised inside.
struct FastSpeechOptions {
    int64_t symbols = 40;
    int64_t n_mels = 80;
    int64_t d_model = 128, heads = 2;
    int64_t encoder_layers = 3, decoder_layers = 3;
    // The convolutional feed-forward net: d_model -> filter (kernel) -> d_model (kernel2), as
    // FastSpeech 2's kernels 9 and 1 (a second kernel of 1 halves its cost).
    int64_t filter = 256, kernel = 3, kernel2 = 1;
    int64_t duration_filter = 128, duration_kernel = 3;
    int64_t reduction = 4;
    int64_t postnet_layers = 0, postnet_channels = 128, postnet_kernel = 5;  // 0 layers: none.
    double dropout = 0.1;
    int64_t max_positions = 4096;
};

// One FFT block (FastSpeech's "feed-forward Transformer" block, post-norm): x (N, T, d) with
// padding (N, T) bool (true = padding) -> (N, T, d), padding positions zero.
class FftBlock : public nn::Module {
public:
    FftBlock(int64_t d_model, int64_t heads, int64_t filter, int64_t kernel, int64_t kernel2, double dropout);
    Tensor forward(const Tensor& x, const Tensor& padding);
    Tensor forward(const Tensor& x) override { return forward(x, Tensor()); }
    std::string type_name() const override { return "FftBlock"; }

private:
    std::shared_ptr<nn::MultiheadAttention> attention_;
    std::shared_ptr<nn::LayerNorm> norm1_, norm2_;
    std::shared_ptr<nn::Conv1d> conv1_, conv2_;
    double dropout_;
};

struct FastSpeechOutput {
    Tensor mel;           // (N, T, n_mels) before the post-net (T rounded up to whole positions)
    Tensor mel_post;      // (N, T, n_mels) after it (the same when there is none)
    Tensor frames, frames_post;  // The same standardised (MelNormalizer): what losses compare
    Tensor log_duration;  // (N, L): predicted log(1 + frames) per character
};

class FastSpeech : public nn::Module {
public:
    explicit FastSpeech(FastSpeechOptions options);

    // Training: text (N, L) int64 (0 = padding), text_lengths (N), durations (N, L) int64 frames
    // per character (their sums are the frame counts; 0 past an item's length).
    FastSpeechOutput forward(const Tensor& text, const Tensor& text_lengths, const Tensor& durations);
    Tensor forward(const Tensor& x) override;  // NotImplemented: needs text and durations.

    // Inference (eval mode, no graph): one text (L) -> log-mel (frames, n_mels) and the frames
    // per character it chose. `speed` > 0 divides every duration (1.25: a quarter faster), the
    // total rounded once so the length is round(natural / speed) frames.
    struct Generated {
        Tensor mel;
        std::vector<int64_t> durations;
    };
    Generated generate(const Tensor& text, double speed = 1.0);
    // The durations the predictor chooses for one text at a speed (what generate uses).
    std::vector<int64_t> predict_durations(const Tensor& text, double speed = 1.0);

    const FastSpeechOptions& options() const { return o_; }
    std::string type_name() const override { return "FastSpeech"; }
    MelNormalizer& normalizer() { return *normalizer_; }

private:
    Tensor encode(const Tensor& text, const Tensor& padding);
    Tensor log_durations(const Tensor& hidden, const Tensor& padding);
    // The length regulator at the decoder's rate, then the decoder: frames (N, P * r, n_mels)
    // before and after the post-net, in standardised units.
    std::pair<Tensor, Tensor> decode(const Tensor& hidden, const std::vector<std::vector<int64_t>>& durations);
    Tensor with_positions(const Tensor& x);

    FastSpeechOptions o_;
    std::shared_ptr<nn::Embedding> embedding_;
    std::shared_ptr<nn::SinusoidalPositionalEncoding> positions_;
    std::shared_ptr<nn::ModuleList<FftBlock>> encoder_, decoder_;
    std::shared_ptr<nn::Conv1d> duration_conv1_, duration_conv2_;
    std::shared_ptr<nn::LayerNorm> duration_norm1_, duration_norm2_;
    std::shared_ptr<nn::Linear> duration_out_, frames_;
    std::shared_ptr<PostNet> postnet_;
    std::shared_ptr<MelNormalizer> normalizer_;
};

// The length regulator's index at the decoder's rate: for P = ceil(sum(durations) / reduction)
// positions, the character whose frames cover the middle frame of each position. Characters
// with 0 frames are skipped; an all-zero input gives no positions.
std::vector<int64_t> regulate(const std::vector<int64_t>& durations, int64_t reduction);

// Durations divided by `speed` with the rounding carried along (cumulative ends rounded), so
// the total is round(sum / speed) and no character drifts by more than one frame.
std::vector<int64_t> scale_durations(const std::vector<int64_t>& durations, double speed);

}  // namespace kaya::tts
