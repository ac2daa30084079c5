// SPDX-License-Identifier: MIT
#include "apps/tts/fastspeech.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "kaya/autograd/grad_mode.h"
#include "kaya/core/error.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

namespace {

std::shared_ptr<nn::Conv1d> conv(int64_t in, int64_t out, int64_t kernel) {
    return std::make_shared<nn::Conv1d>(
        nn::Conv1dOptions{.in = in, .out = out, .kernel = kernel, .params = {.padding = (kernel - 1) / 2}});
}

// (N, T, C) through a convolution over T; a kernel of 1 is a linear layer on that layout (no
// transposes), with the weight (out, C, 1) seen as (out, C).
Tensor conv_time(nn::Conv1d& c, const Tensor& x) {
    if (c.options().kernel == 1) return linear(x, reshape(c.weight, {c.options().out, x.shape()[2]}), c.bias);
    return transpose(c.forward(transpose(x, 1, 2)), 1, 2);
}

Tensor zero_padding(const Tensor& x, const Tensor& padding) {
    return padding.defined() ? masked_fill(x, unsqueeze(padding, 2), 0.0) : x;
}

}  // namespace

FftBlock::FftBlock(int64_t d_model, int64_t heads, int64_t filter, int64_t kernel, int64_t kernel2, double dropout)
    : dropout_(dropout) {
    KAYA_CHECK(kernel % 2 == 1 && kernel2 % 2 == 1, ValueError, "FftBlock: the kernels must be odd, got ", kernel, " and ",
               kernel2);
    attention_ = register_module("attention", std::make_shared<nn::MultiheadAttention>(nn::MultiheadAttentionOptions{
                                                  .embed_dim = d_model, .num_heads = heads, .batch_first = true}));
    norm1_ = register_module("norm1", std::make_shared<nn::LayerNorm>(d_model));
    conv1_ = register_module("conv1", conv(d_model, filter, kernel));
    conv2_ = register_module("conv2", conv(filter, d_model, kernel2));
    norm2_ = register_module("norm2", std::make_shared<nn::LayerNorm>(d_model));
}

Tensor FftBlock::forward(const Tensor& x, const Tensor& padding) {
    const bool train = is_training();
    const Tensor a = attention_->forward(x, x, x, {.key_padding_mask = padding, .need_weights = false}).output;
    // Padding positions zero before each convolution, so none leaks into an item's last frames.
    Tensor h = zero_padding(norm1_->forward(add(x, nn::dropout(a, dropout_, train))), padding);
    const Tensor f = conv_time(*conv2_, zero_padding(relu(conv_time(*conv1_, h)), padding));
    return zero_padding(norm2_->forward(add(h, nn::dropout(f, dropout_, train))), padding);
}

FastSpeech::FastSpeech(FastSpeechOptions o) : o_(o) {
    KAYA_CHECK(o.reduction >= 1 && o.d_model % o.heads == 0 && o.duration_kernel % 2 == 1, ValueError,
               "FastSpeech: reduction >= 1, heads dividing d_model and an odd duration kernel are needed");
    embedding_ = register_module("embedding", std::make_shared<nn::Embedding>(
                                                  nn::EmbeddingOptions{.num = o.symbols, .dim = o.d_model, .padding_idx = 0}));
    positions_ = register_module("positions", std::make_shared<nn::SinusoidalPositionalEncoding>(o.d_model, o.max_positions));
    encoder_ = register_module("encoder", std::make_shared<nn::ModuleList<FftBlock>>());
    decoder_ = register_module("decoder", std::make_shared<nn::ModuleList<FftBlock>>());
    for (int64_t k = 0; k < o.encoder_layers; ++k)
        encoder_->push_back(std::make_shared<FftBlock>(o.d_model, o.heads, o.filter, o.kernel, o.kernel2, o.dropout));
    for (int64_t k = 0; k < o.decoder_layers; ++k)
        decoder_->push_back(std::make_shared<FftBlock>(o.d_model, o.heads, o.filter, o.kernel, o.kernel2, o.dropout));
    duration_conv1_ = register_module("duration_conv1", conv(o.d_model, o.duration_filter, o.duration_kernel));
    duration_norm1_ = register_module("duration_norm1", std::make_shared<nn::LayerNorm>(o.duration_filter));
    duration_conv2_ = register_module("duration_conv2", conv(o.duration_filter, o.duration_filter, o.duration_kernel));
    duration_norm2_ = register_module("duration_norm2", std::make_shared<nn::LayerNorm>(o.duration_filter));
    duration_out_ = register_module("duration_out", std::make_shared<nn::Linear>(nn::LinearOptions{.in = o.duration_filter, .out = 1}));
    frames_ = register_module("frames", std::make_shared<nn::Linear>(nn::LinearOptions{.in = o.d_model, .out = o.reduction * o.n_mels}));
    if (o.postnet_layers > 0)
        postnet_ = register_module("postnet", std::make_shared<PostNet>(o.n_mels, o.postnet_channels, o.postnet_layers,
                                                                        o.postnet_kernel, o.dropout));
    normalizer_ = register_module("normalizer", std::make_shared<MelNormalizer>(o.n_mels));
}

Tensor FastSpeech::forward(const Tensor&) {
    throw NotImplemented("FastSpeech::forward needs text, its lengths and durations: forward(text, lengths, durations)");
}

Tensor FastSpeech::with_positions(const Tensor& x) {
    return add(x, unsqueeze(positions_->table(x.shape()[1]), 0));
}

Tensor FastSpeech::encode(const Tensor& text, const Tensor& padding) {
    Tensor x = with_positions(mul(embedding_->forward(text), std::sqrt(static_cast<double>(o_.d_model))));
    x = zero_padding(nn::dropout(x, o_.dropout, is_training()), padding);
    for (size_t k = 0; k < encoder_->size(); ++k) x = (*encoder_)[k]->forward(x, padding);
    return x;
}

Tensor FastSpeech::log_durations(const Tensor& hidden, const Tensor& padding) {
    const bool train = is_training();
    Tensor h = nn::dropout(duration_norm1_->forward(relu(conv_time(*duration_conv1_, hidden))), o_.dropout, train);
    h = nn::dropout(duration_norm2_->forward(relu(conv_time(*duration_conv2_, zero_padding(h, padding)))), o_.dropout, train);
    Tensor d = squeeze(duration_out_->forward(h), 2);
    return padding.defined() ? masked_fill(d, padding, 0.0) : d;
}

std::pair<Tensor, Tensor> FastSpeech::decode(const Tensor& hidden, const std::vector<std::vector<int64_t>>& durations) {
    const int64_t N = hidden.shape()[0], L = hidden.shape()[1], d = hidden.shape()[2];
    std::vector<std::vector<int64_t>> index;
    int64_t P = 1;
    for (const auto& row : durations) {
        index.push_back(regulate(row, o_.reduction));
        P = std::max<int64_t>(P, static_cast<int64_t>(index.back().size()));
    }
    std::vector<int64_t> flat;
    std::vector<int64_t> pad;
    for (int64_t n = 0; n < N; ++n) {
        const auto& ix = index[static_cast<size_t>(n)];
        for (int64_t p = 0; p < P; ++p) {
            const bool inside = p < static_cast<int64_t>(ix.size());
            flat.push_back(n * L + (inside ? ix[static_cast<size_t>(p)] : 0));
            pad.push_back(!inside);
        }
    }
    // No mask at all when nothing is padded (one sentence): the unmasked attention is cheaper.
    const bool any_padding = std::find(pad.begin(), pad.end(), 1) != pad.end();
    const Tensor padding = any_padding ? ne(from_vector<int64_t>(pad, {N, P}), 0.0) : Tensor();
    Tensor x = reshape(index_select(reshape(hidden, {N * L, d}), 0, from_vector<int64_t>(flat, {N * P})), {N, P, d});
    x = zero_padding(with_positions(x), padding);
    for (size_t k = 0; k < decoder_->size(); ++k) x = (*decoder_)[k]->forward(x, padding);
    // Frames of padding positions are zero (the mean), so the post-net's convolutions see the
    // same around an item's end in a batch as alone.
    const Tensor frame_padding =
        any_padding ? reshape(expand(unsqueeze(padding, 2), {N, P, o_.reduction}), {N, P * o_.reduction}) : Tensor();
    const Tensor frames = zero_padding(reshape(frames_->forward(x), {N, P * o_.reduction, o_.n_mels}), frame_padding);
    return {frames, postnet_ ? postnet_->forward(frames, frame_padding) : frames};
}

FastSpeechOutput FastSpeech::forward(const Tensor& text, const Tensor& text_lengths, const Tensor& durations) {
    KAYA_CHECK(text.dim() == 2 && durations.shape() == text.shape(), ShapeError,
               "FastSpeech: expected text (N, L) and durations of the same shape, got ", describe(text), " and ",
               describe(durations));
    const int64_t N = text.shape()[0], L = text.shape()[1];
    const Tensor padding = padding_from_lengths(text_lengths, L);
    const Tensor hidden = encode(text, padding);
    FastSpeechOutput out;
    out.log_duration = log_durations(hidden, padding);
    const std::vector<int64_t> all = to_vector<int64_t>(durations), lengths = to_vector<int64_t>(text_lengths);
    std::vector<std::vector<int64_t>> rows;
    for (int64_t n = 0; n < N; ++n)
        rows.emplace_back(all.begin() + n * L, all.begin() + n * L + lengths[static_cast<size_t>(n)]);
    std::tie(out.frames, out.frames_post) = decode(hidden, rows);
    out.mel = normalizer_->denormalize(out.frames);
    out.mel_post = normalizer_->denormalize(out.frames_post);
    return out;
}

namespace {

// Frames per character from predicted log(1 + frames), divided by `speed`; at least one frame.
std::vector<int64_t> durations_from_log(const Tensor& log_duration, double speed) {
    std::vector<int64_t> d;
    for (double v : to_vector<double>(to(log_duration, DType::Float64)))
        d.push_back(std::max<int64_t>(0, std::llround(std::exp(v) - 1.0)));
    d = scale_durations(d, speed);
    int64_t total = 0;
    for (int64_t v : d) total += v;
    if (total == 0) d.back() = 1;
    return d;
}

}  // namespace

std::vector<int64_t> FastSpeech::predict_durations(const Tensor& text, double speed) {
    KAYA_CHECK(text.dim() == 1 && text.shape()[0] > 0, ShapeError, "FastSpeech: expected text (L), got ", describe(text));
    KAYA_CHECK(std::isfinite(speed) && speed > 0, ValueError, "FastSpeech: speed must be a positive number, got ", speed);
    autograd::NoGradGuard no_grad;
    return durations_from_log(squeeze(log_durations(encode(unsqueeze(text, 0), Tensor()), Tensor()), 0), speed);
}

FastSpeech::Generated FastSpeech::generate(const Tensor& text, double speed) {
    KAYA_CHECK(text.dim() == 1 && text.shape()[0] > 0, ShapeError, "FastSpeech: expected text (L), got ", describe(text));
    KAYA_CHECK(std::isfinite(speed) && speed > 0, ValueError, "FastSpeech: speed must be a positive number, got ", speed);
    autograd::NoGradGuard no_grad;
    const Tensor hidden = encode(unsqueeze(text, 0), Tensor());
    Generated g;
    g.durations = durations_from_log(squeeze(log_durations(hidden, Tensor()), 0), speed);
    int64_t total = 0;
    for (int64_t v : g.durations) total += v;
    const Tensor post = decode(hidden, {g.durations}).second;
    g.mel = normalizer_->denormalize(narrow(squeeze(post, 0), 0, 0, total));
    return g;
}

std::vector<int64_t> regulate(const std::vector<int64_t>& durations, int64_t reduction) {
    KAYA_CHECK(reduction >= 1, ValueError, "regulate: reduction must be >= 1, got ", reduction);
    int64_t total = 0;
    for (int64_t v : durations) {
        KAYA_CHECK(v >= 0, ValueError, "regulate: durations must be >= 0, got ", v);
        total += v;
    }
    std::vector<int64_t> index;
    size_t c = 0;
    int64_t end = durations.empty() ? 0 : durations[0];
    for (int64_t p = 0; p * reduction < total; ++p) {
        const int64_t frame = std::min(p * reduction + reduction / 2, total - 1);
        while (frame >= end) end += durations[++c];
        index.push_back(static_cast<int64_t>(c));
    }
    return index;
}

std::vector<int64_t> scale_durations(const std::vector<int64_t>& durations, double speed) {
    KAYA_CHECK(std::isfinite(speed) && speed > 0, ValueError, "speed must be a positive number, got ", speed);
    std::vector<int64_t> out;
    int64_t sum = 0, previous = 0;
    for (int64_t v : durations) {
        sum += v;
        const int64_t end = std::llround(static_cast<double>(sum) / speed);
        out.push_back(end - previous);
        previous = end;
    }
    return out;
}

}  // namespace kaya::tts
