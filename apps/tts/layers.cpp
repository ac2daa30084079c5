// SPDX-License-Identifier: MIT
#include "apps/tts/layers.h"

#include "kaya/autograd/grad_mode.h"
#include "kaya/core/error.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

ConvNormBlock::ConvNormBlock(int64_t in, int64_t out, int64_t kernel, Activation activation, double dropout)
    : activation_(activation), dropout_(dropout) {
    KAYA_CHECK(kernel % 2 == 1, ValueError, "ConvNormBlock: the kernel must be odd to keep the length, got ", kernel);
    conv = register_module("conv", std::make_shared<nn::Conv1d>(
                                       nn::Conv1dOptions{.in = in, .out = out, .kernel = kernel,
                                                         .params = {.padding = (kernel - 1) / 2}}));
    norm = register_module("norm", std::make_shared<nn::BatchNorm1d>(out));
}

Tensor ConvNormBlock::forward(const Tensor& x) {
    Tensor y = norm->forward(conv->forward(x));
    if (activation_ == Activation::relu) y = relu(y);
    if (activation_ == Activation::tanh) y = tanh(y);
    return nn::dropout(y, dropout_, is_training());
}

PostNet::PostNet(int64_t n_mels, int64_t channels, int64_t layers, int64_t kernel, double dropout) {
    KAYA_CHECK(layers >= 2, ValueError, "PostNet: at least 2 layers, got ", layers);
    layers_ = register_module("layers", std::make_shared<nn::ModuleList<ConvNormBlock>>());
    for (int64_t k = 0; k < layers; ++k) {
        const bool last = k + 1 == layers;
        layers_->push_back(std::make_shared<ConvNormBlock>(
            k == 0 ? n_mels : channels, last ? n_mels : channels, kernel,
            last ? ConvNormBlock::Activation::none : ConvNormBlock::Activation::tanh, dropout));
    }
}

Tensor PostNet::forward(const Tensor& mel, const Tensor& padding) {
    Tensor x = transpose(mel, 1, 2);  // (N, C, T)
    const Tensor mask = padding.defined() ? unsqueeze(padding, 1) : Tensor();
    for (size_t k = 0; k < layers_->size(); ++k) {
        if (mask.defined()) x = masked_fill(x, mask, 0.0);
        x = (*layers_)[k]->forward(x);
    }
    return add(mel, transpose(x, 1, 2));
}

MelNormalizer::MelNormalizer(int64_t n_mels) {
    mean_ = register_buffer("mean", zeros({n_mels}));
    std_ = register_buffer("std", ones({n_mels}));
}

void MelNormalizer::fit(const std::vector<Tensor>& mels) {
    KAYA_CHECK(!mels.empty(), ValueError, "MelNormalizer::fit: no frames");
    const Tensor all = to(cat(mels, 0), DType::Float64);
    autograd::NoGradGuard no_grad;
    copy_(mean_, to(mean(all, {0}), mean_.dtype()));
    copy_(std_, to(clamp(kaya::std(all, {0}), 1e-3, std::nullopt), std_.dtype()));
}

Tensor MelNormalizer::normalize(const Tensor& mel) const { return div(sub(mel, mean_), std_); }

Tensor MelNormalizer::denormalize(const Tensor& mel) const { return add(mul(mel, std_), mean_); }

Tensor padding_from_lengths(const Tensor& lengths, int64_t T) {
    return ge(unsqueeze(arange(T), 0), unsqueeze(lengths, 1));
}

Tensor masked_l1(const Tensor& prediction, const Tensor& target, const Tensor& lengths) {
    KAYA_CHECK(prediction.shape() == target.shape() && prediction.dim() == 3, ShapeError,
               "masked_l1: prediction ", describe(prediction), " and target ", describe(target),
               " should both be (N, T, C)");
    const int64_t T = prediction.shape()[1], C = prediction.shape()[2];
    const Tensor valid = unsqueeze(logical_not(padding_from_lengths(lengths, T)), 2);  // (N, T, 1)
    const Tensor err = mul(abs(sub(prediction, target)), to(valid, prediction.dtype()));
    const double count = static_cast<double>(sum(lengths).item<int64_t>() * C);
    return div(sum(err), std::max(count, 1.0));
}

}  // namespace kaya::tts
