// SPDX-License-Identifier: MIT
#include "kaya/nn/pool.h"

#include <sstream>

namespace kaya::nn {

namespace {

// PyTorch prints a square setting as one number and others as a tuple.
std::string pair(const std::array<int64_t, 2>& v) {
    if (v[0] == v[1]) return std::to_string(v[0]);
    return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ")";
}

}  // namespace

std::string MaxPool2d::extra_repr() const {
    std::ostringstream os;
    os << "kernel_size=" << pair(params_.kernel_size)
       << ", stride=" << pair(params_.stride.value_or(params_.kernel_size))
       << ", padding=" << pair(params_.padding) << ", dilation=" << pair(params_.dilation)
       << ", ceil_mode=" << (params_.ceil_mode ? "True" : "False");
    return os.str();
}

std::string AvgPool2d::extra_repr() const {
    std::ostringstream os;
    os << "kernel_size=" << pair(params_.kernel_size)
       << ", stride=" << pair(params_.stride.value_or(params_.kernel_size))
       << ", padding=" << pair(params_.padding);
    return os.str();
}

std::string AdaptiveAvgPool2d::extra_repr() const { return "output_size=" + pair(size_); }

}  // namespace kaya::nn
