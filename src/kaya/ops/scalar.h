// SPDX-License-Identifier: MIT
#pragma once

#include <concepts>
#include <cstdint>

#include "kaya/core/tensor.h"

namespace kaya {

// A C++ number used as an operand (x * 2, x + 0.5). Integers and floats keep their kind so
// that type promotion matches PyTorch's Python scalars: int64 tensor * 2 stays int64,
// int64 tensor * 0.5 becomes float32, float32 tensor * 0.5 stays float32.
class Scalar {
public:
    template <std::integral I>
    Scalar(I v) : is_float_(false), i_(static_cast<int64_t>(v)), d_(static_cast<double>(v)) {}
    template <std::floating_point F>
    Scalar(F v) : is_float_(true), i_(0), d_(static_cast<double>(v)) {}

    bool is_float() const { return is_float_; }
    double to_double() const { return d_; }
    // The number as a 0-dim "wrapped number" tensor.
    Tensor to_tensor() const;

private:
    bool is_float_;
    int64_t i_;
    double d_;
};

}  // namespace kaya
