// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/random.h"
#include "kaya/core/tensor.h"

namespace kaya {

// Random tensors from a counter-based Generator (default_generator() unless given): element
// i of a request depends only on the seed and the generator's position, never on the
// thread count. Each call advances the generator by the number of draws it used.

// Uniform in [low, high) (torch.rand / Tensor.uniform_).
Tensor rand(const Shape& shape, DType dtype = kDefaultDType, Generator* gen = nullptr);
Tensor uniform(const Shape& shape, double low, double high, DType dtype = kDefaultDType,
               Generator* gen = nullptr);
// Normal with mean 0 and std 1 (torch.randn), or given mean and std.
Tensor randn(const Shape& shape, DType dtype = kDefaultDType, Generator* gen = nullptr);
Tensor normal(const Shape& shape, double mean, double std, DType dtype = kDefaultDType,
              Generator* gen = nullptr);
// 1 with probability p[i], else 0, in p's dtype (torch.bernoulli); p must be in [0, 1].
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
// Integers uniform in [low, high) (torch.randint), int64.
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen = nullptr);
// A random permutation of 0..n-1 (torch.randperm), int64.
Tensor randperm(int64_t n, Generator* gen = nullptr);

}  // namespace kaya
