// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "kaya/core/random.h"
#include "kaya/core/tensor.h"

namespace kaya::nn::init {

// In-place initialisers (torch.nn.init), run without recording gradients. Fans follow
// PyTorch: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field; tensors
// need at least 2 dims for the fan-based ones (ValueError otherwise). gen = nullptr uses the
// default generator.

// Non-linearity gain (torch.nn.init.calculate_gain) for "linear", "sigmoid", "tanh", "relu",
// "leaky_relu" (with param as the negative slope); ValueError for others.
double calculate_gain(const std::string& nonlinearity, double param = 0.01);
int64_t fan_in(const Tensor& t);
int64_t fan_out(const Tensor& t);

void uniform_(Tensor& t, double low, double high, Generator* gen = nullptr);
void normal_(Tensor& t, double mean, double std, Generator* gen = nullptr);
void constant_(Tensor& t, double value);
void zeros_(Tensor& t);
void ones_(Tensor& t);
// U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)) (Glorot).
void xavier_uniform_(Tensor& t, double gain = 1.0, Generator* gen = nullptr);
void xavier_normal_(Tensor& t, double gain = 1.0, Generator* gen = nullptr);
// U(-b, b) with b = gain * sqrt(3 / fan) for fan = fan_in (mode_fan_out = false) and
// gain = calculate_gain("leaky_relu", a) (He). Linear's default is a = sqrt(5).
void kaiming_uniform_(Tensor& t, double a = 0.0, bool mode_fan_out = false,
                      const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
void kaiming_normal_(Tensor& t, double a = 0.0, bool mode_fan_out = false,
                     const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);

}  // namespace kaya::nn::init
