// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels::simd {

// True when the CPU has AVX2 and FMA (checked once) and KAYA_SIMD is not "0".
bool avx2_available();

// out[i] = exp(in[i]) for contiguous float buffers of n elements, within 2 ulp of std::exp
// (Cephes' polynomial, 8 lanes, tail in scalar code), subnormal results included; NaN and
// +-inf map as std::exp does. Caller checks
// avx2_available(); the scalar reference is std::exp.
void exp_forward_avx2(float* out, const float* in, int64_t n);

// out[i] = exp(in[i]) on the best path this CPU has: the AVX2 kernel above when
// avx2_available(), else std::exp in a loop. The instruction-set choice is made here, so ops
// call one function.
void exp_forward(float* out, const float* in, int64_t n);

// out[i] = log(in[i]) for contiguous float buffers, within 2 ulp of std::log (Cephes' logf
// polynomial, 8 lanes, tail in scalar code); subnormals, 0 (-inf), negatives and NaN (NaN)
// and +inf map as std::log does. Caller checks avx2_available().
void log_forward_avx2(float* out, const float* in, int64_t n);

// out[i] = log(in[i]) on the best path this CPU has (as exp_forward).
void log_forward(float* out, const float* in, int64_t n);

// out[i] = tanh(in[i]) for contiguous float buffers, within 4 ulp of std::tanh: an odd
// polynomial x + x^3 P(x^2) (degree 4 in x^2, fitted to relative error) for |x| < 0.625, else
// sign(x) (1 - 2 / (exp(2|x|) + 1)) on the vector exp above; NaN stays NaN, +-inf give +-1.
// Caller checks avx2_available().
void tanh_forward_avx2(float* out, const float* in, int64_t n);

// out[i] = tanh(in[i]) on the best path this CPU has (as exp_forward).
void tanh_forward(float* out, const float* in, int64_t n);

}  // namespace kaya::kernels::simd
