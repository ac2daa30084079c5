// SPDX-License-Identifier: MIT
#pragma once

#include <initializer_list>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya {

// Tensor constructors (torch.zeros, ones, full, arange, linspace, eye, tensor). Sizes must
// be non-negative (ValueError). The result never requires grad; call requires_grad_().
Tensor empty(const Shape& shape, DType dtype = kDefaultDType);
Tensor zeros(const Shape& shape, DType dtype = kDefaultDType);
Tensor ones(const Shape& shape, DType dtype = kDefaultDType);
Tensor full(const Shape& shape, double value, DType dtype = kDefaultDType);
Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);

// Values start, start + step, ... below end (above end for negative step). ValueError for a
// zero step. Default dtype int64 like torch.arange with integer arguments.
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::Int64);
Tensor arange(int64_t end, DType dtype = DType::Int64);
// `steps` evenly spaced values from start to end inclusive.
Tensor linspace(double start, double end, int64_t steps, DType dtype = kDefaultDType);
// n x m identity (m defaults to n).
Tensor eye(int64_t n, int64_t m = -1, DType dtype = kDefaultDType);

// A tensor holding `values` in row-major order with the given shape (ShapeError when the
// count differs). T is float, double, int64_t or bool and decides the dtype.
template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape);
// 1-D tensor from a list of numbers (torch.tensor([..], dtype=...)).
Tensor tensor(std::initializer_list<double> values, DType dtype = kDefaultDType);
// A 0-dim tensor.
Tensor scalar_tensor(double value, DType dtype = kDefaultDType);
// All elements in row-major order, converted to T.
template <class T>
std::vector<T> to_vector(const Tensor& t);

}  // namespace kaya
