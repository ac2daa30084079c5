// SPDX-License-Identifier: MIT
#include "kaya/nn/init.h"

#include <cmath>
#include <string>

#include "kaya/autograd/grad_mode.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/inplace.h"
#include "kaya/ops/random.h"

namespace kaya::nn::init {

double calculate_gain(const std::string& nl, double param) {
    if (nl == "linear" || nl == "sigmoid" || nl == "conv1d" || nl == "conv2d") return 1.0;
    if (nl == "tanh") return 5.0 / 3.0;
    if (nl == "relu") return std::sqrt(2.0);
    if (nl == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
    if (nl == "selu") return 3.0 / 4.0;
    throw ValueError("calculate_gain: unsupported nonlinearity '" + nl + "'");
}

namespace {
int64_t receptive(const Tensor& t, const char* fn) {
    KAYA_CHECK(t.dim() >= 2, ValueError, fn,
               ": fan in and fan out need a tensor with at least 2 dims, got ", describe(t));
    int64_t r = 1;
    for (int64_t d = 2; d < t.dim(); ++d) r *= t.shape()[d];
    return r;
}

void assign(Tensor& t, const Tensor& values) {
    autograd::NoGradGuard guard;
    copy_(t, values);
}
}  // namespace

int64_t fan_in(const Tensor& t) { return t.shape()[1] * receptive(t, "fan_in"); }
int64_t fan_out(const Tensor& t) { return t.shape()[0] * receptive(t, "fan_out"); }

void uniform_(Tensor& t, double low, double high, Generator* gen) {
    assign(t, uniform(t.shape(), low, high, is_floating(t.dtype()) ? t.dtype() : kDefaultDType, gen));
}
void normal_(Tensor& t, double mean, double std, Generator* gen) {
    assign(t, normal(t.shape(), mean, std, is_floating(t.dtype()) ? t.dtype() : kDefaultDType, gen));
}
void constant_(Tensor& t, double value) {
    autograd::NoGradGuard guard;
    fill_(t, value);
}
void zeros_(Tensor& t) { constant_(t, 0.0); }
void ones_(Tensor& t) { constant_(t, 1.0); }

void xavier_uniform_(Tensor& t, double gain, Generator* gen) {
    double b = gain * std::sqrt(6.0 / static_cast<double>(fan_in(t) + fan_out(t)));
    uniform_(t, -b, b, gen);
}
void xavier_normal_(Tensor& t, double gain, Generator* gen) {
    normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in(t) + fan_out(t))), gen);
}

void kaiming_uniform_(Tensor& t, double a, bool mode_fan_out, const std::string& nl,
                      Generator* gen) {
    double fan = static_cast<double>(mode_fan_out ? fan_out(t) : fan_in(t));
    double b = calculate_gain(nl, a) * std::sqrt(3.0 / fan);
    uniform_(t, -b, b, gen);
}
void kaiming_normal_(Tensor& t, double a, bool mode_fan_out, const std::string& nl,
                     Generator* gen) {
    double fan = static_cast<double>(mode_fan_out ? fan_out(t) : fan_in(t));
    normal_(t, 0.0, calculate_gain(nl, a) / std::sqrt(fan), gen);
}

}  // namespace kaya::nn::init
