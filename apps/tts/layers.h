// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "kaya/nn/nn.h"

namespace kaya::tts {

// Convolution over time, batch normalisation, an activation and dropout, the block of
// Tacotron 2's encoder and post-net: (N, C_in, T) -> (N, C_out, T), length kept ("same"
// padding; odd kernels). Names: conv, norm.
class ConvNormBlock : public nn::Module {
public:
    enum class Activation { relu, tanh, none };
    ConvNormBlock(int64_t in, int64_t out, int64_t kernel, Activation activation, double dropout);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "ConvNormBlock"; }

    std::shared_ptr<nn::Conv1d> conv;
    std::shared_ptr<nn::BatchNorm1d> norm;

private:
    Activation activation_;
    double dropout_;
};

// Tacotron 2's post-net: a stack of ConvNormBlocks (tanh, the last linear) from n_mels to
// channels and back, whose output is added to the mel frames it refines. (N, T, n_mels) ->
// (N, T, n_mels). Names: layers.0, layers.1, ...
class PostNet : public nn::Module {
public:
    PostNet(int64_t n_mels, int64_t channels, int64_t layers, int64_t kernel, double dropout);
    // The refined frames (mel + residual). padding (N, T) bool or undefined: those frames are
    // zeroed before every convolution, so an item in a batch gets what it would alone.
    Tensor forward(const Tensor& mel, const Tensor& padding);
    Tensor forward(const Tensor& mel) override { return forward(mel, Tensor()); }
    std::string type_name() const override { return "PostNet"; }

private:
    std::shared_ptr<nn::ModuleList<ConvNormBlock>> layers_;
};

// Each mel band's mean and standard deviation over the training frames, kept with the weights
// (buffers mean, std): models work on standardised frames, so losses of every band weigh alike
// and stay near 1 whatever the floor. Identity (0, 1) until fit().
class MelNormalizer : public nn::Module {
public:
    explicit MelNormalizer(int64_t n_mels);
    // From frames (T_i, n_mels) of the training utterances.
    void fit(const std::vector<Tensor>& mels);
    Tensor normalize(const Tensor& mel) const;    // (..., n_mels)
    Tensor denormalize(const Tensor& mel) const;  // (..., n_mels)
    Tensor forward(const Tensor& mel) override { return normalize(mel); }
    std::string type_name() const override { return "MelNormalizer"; }

private:
    Tensor mean_, std_;
};

// Sequence masks from lengths (N) int64: (N, T) bool, true where t >= length (padding).
Tensor padding_from_lengths(const Tensor& lengths, int64_t T);

// The mean of |prediction - target| over the frames inside each item's length: prediction and
// target (N, T, C), lengths (N).
Tensor masked_l1(const Tensor& prediction, const Tensor& target, const Tensor& lengths);

}  // namespace kaya::tts
