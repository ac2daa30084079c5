// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/tensor.h"
#include "kaya/ops/scalar.h"

namespace kaya {

// Elementwise arithmetic with NumPy broadcasting and PyTorch type promotion. The result has
// the broadcast shape of both operands; ShapeError when they do not broadcast. Gradients of a
// broadcast operand are summed back to its shape.
Tensor add(const Tensor& a, const Tensor& b);  // torch.add
Tensor sub(const Tensor& a, const Tensor& b);  // torch.sub
Tensor mul(const Tensor& a, const Tensor& b);  // torch.mul
// True division (torch.div): integer inputs give a float32 result.
Tensor div(const Tensor& a, const Tensor& b);
// a ** b (torch.pow); the gradient wrt b uses log(a) and needs a > 0 where it matters.
Tensor pow(const Tensor& a, const Tensor& b);
// Elementwise max / min of two tensors (torch.maximum / minimum); on ties the gradient is
// split evenly between both, as PyTorch does.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

Tensor add(const Tensor& a, Scalar b);
Tensor sub(const Tensor& a, Scalar b);
Tensor mul(const Tensor& a, Scalar b);
Tensor div(const Tensor& a, Scalar b);
Tensor pow(const Tensor& a, Scalar exponent);
Tensor rsub(const Tensor& a, Scalar b);  // b - a

// Sums g over broadcast dims so that it has `shape` (the reverse of broadcasting). Used by
// gradient rules; differentiable.
Tensor sum_to(const Tensor& g, const Shape& shape);
// The same cast to `dtype`: a gradient goes back in its input's dtype when an op promoted
// (float32 activations times a float64 parameter), as PyTorch's autograd does.
Tensor sum_to(const Tensor& g, const Shape& shape, DType dtype);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, Scalar b);
Tensor operator-(const Tensor& a, Scalar b);
Tensor operator*(const Tensor& a, Scalar b);
Tensor operator/(const Tensor& a, Scalar b);
Tensor operator+(Scalar a, const Tensor& b);
Tensor operator-(Scalar a, const Tensor& b);
Tensor operator*(Scalar a, const Tensor& b);
Tensor operator/(Scalar a, const Tensor& b);

}  // namespace kaya
