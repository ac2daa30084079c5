// SPDX-License-Identifier: MIT
#include "kaya/nn/conv.h"

#include <cmath>

#include "kaya/nn/init.h"
#include "kaya/ops/factory.h"

namespace kaya::nn {

Conv2d::Conv2d(Conv2dOptions o) : options_(o) {
    const int64_t groups = o.params.groups;
    KAYA_CHECK(o.in > 0 && o.out > 0 && groups > 0, ValueError,
               "Conv2d: in_channels, out_channels and groups must be positive, got in=", o.in, ", out=", o.out,
               ", groups=", groups);
    KAYA_CHECK(o.in % groups == 0 && o.out % groups == 0, ValueError, "Conv2d: in_channels ", o.in,
               " and out_channels ", o.out, " must both be divisible by groups ", groups);
    KAYA_CHECK(o.kernel[0] > 0 && o.kernel[1] > 0, ValueError, "Conv2d: kernel size must be positive, got ",
               o.kernel[0], "x", o.kernel[1]);
    KAYA_CHECK(is_floating(o.dtype), DTypeError, "Conv2d: dtype must be floating, got ", dtype_name(o.dtype));
    weight = register_parameter("weight", empty({o.out, o.in / groups, o.kernel[0], o.kernel[1]}, o.dtype));
    init::kaiming_uniform_(weight, std::sqrt(5.0), false, "leaky_relu", o.gen);
    if (o.bias) {
        bias = register_parameter("bias", empty({o.out}, o.dtype));
        double b = 1.0 / std::sqrt(static_cast<double>(o.in / groups * o.kernel[0] * o.kernel[1]));
        init::uniform_(bias, -b, b, o.gen);
    }
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, bias, options_.params); }

Tensor Conv2d::forward(const Tensor& x, const Conv2dEpilogue& epilogue) {
    return conv2d(x, weight, bias, options_.params, epilogue);
}

std::string Conv2d::extra_repr() const {
    auto pair = [](const std::array<int64_t, 2>& p) {
        std::string s = "(";
        s += std::to_string(p[0]);
        s += ", ";
        s += std::to_string(p[1]);
        return s + ")";
    };
    const Conv2dParams& p = options_.params;
    std::string s = std::to_string(options_.in) + ", " + std::to_string(options_.out) +
                    ", kernel_size=" + pair(options_.kernel) + ", stride=" + pair(p.stride);
    if (p.padding != std::array<int64_t, 2>{0, 0}) s += ", padding=" + pair(p.padding);
    if (p.dilation != std::array<int64_t, 2>{1, 1}) s += ", dilation=" + pair(p.dilation);
    if (p.groups != 1) s += ", groups=" + std::to_string(p.groups);
    if (!options_.bias) s += ", bias=False";
    return s;
}

Conv1d::Conv1d(Conv1dOptions o) : options_(o) {
    const int64_t groups = o.params.groups;
    KAYA_CHECK(o.in > 0 && o.out > 0 && groups > 0 && o.kernel > 0, ValueError,
               "Conv1d: in_channels, out_channels, kernel_size and groups must be positive, got in=", o.in,
               ", out=", o.out, ", kernel_size=", o.kernel, ", groups=", groups);
    KAYA_CHECK(o.in % groups == 0 && o.out % groups == 0, ValueError, "Conv1d: in_channels ", o.in,
               " and out_channels ", o.out, " must both be divisible by groups ", groups);
    KAYA_CHECK(is_floating(o.dtype), DTypeError, "Conv1d: dtype must be floating, got ", dtype_name(o.dtype));
    weight = register_parameter("weight", empty({o.out, o.in / groups, o.kernel}, o.dtype));
    init::kaiming_uniform_(weight, std::sqrt(5.0), false, "leaky_relu", o.gen);
    if (o.bias) {
        bias = register_parameter("bias", empty({o.out}, o.dtype));
        double b = 1.0 / std::sqrt(static_cast<double>(o.in / groups * o.kernel));
        init::uniform_(bias, -b, b, o.gen);
    }
}

Tensor Conv1d::forward(const Tensor& x) { return conv1d(x, weight, bias, options_.params); }

std::string Conv1d::extra_repr() const {
    const Conv1dParams& p = options_.params;
    std::string s = std::to_string(options_.in) + ", " + std::to_string(options_.out) + ", kernel_size=(" +
                    std::to_string(options_.kernel) + ",), stride=(" + std::to_string(p.stride) + ",)";
    if (p.padding != 0) s += ", padding=(" + std::to_string(p.padding) + ",)";
    if (p.dilation != 1) s += ", dilation=(" + std::to_string(p.dilation) + ",)";
    if (p.groups != 1) s += ", groups=" + std::to_string(p.groups);
    if (!options_.bias) s += ", bias=False";
    return s;
}

}  // namespace kaya::nn
