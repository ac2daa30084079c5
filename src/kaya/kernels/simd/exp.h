// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels::simd {

// The instruction sets the vector kernels below come in, in order.
enum class Simd { kScalar, kAvx2, kAvx512 };

// The best this CPU has, checked once: kAvx512 with AVX-512F (and AVX2 and FMA), kAvx2 with AVX2
// and FMA, else kScalar. KAYA_SIMD=0 gives kScalar, KAYA_SIMD=avx2 at most kAvx2.
Simd simd_level();

// The kernels below take `level`, at most simd_level() (the caller checks), and run on it:
// kScalar the std:: function in a loop; kAvx2 8 lanes, the last n % 8 values in scalar code;
// kAvx512 16 lanes with the same operations per lane as kAvx2, its last n % 16 values through
// kAvx2: the same bits as kAvx2 on any n. Contiguous float buffers of n elements; out may be in.

// out[i] = exp(in[i]) within 2 ulp of std::exp (Cephes' polynomial), subnormal results
// included; NaN and +-inf map as std::exp does.
void exp_forward(float* out, const float* in, int64_t n, Simd level = simd_level());

// out[i] = log(in[i]) within 2 ulp of std::log (Cephes' logf polynomial); subnormals, 0
// (-inf), negatives and NaN (NaN) and +inf map as std::log does.
void log_forward(float* out, const float* in, int64_t n, Simd level = simd_level());

// out[i] = tanh(in[i]) within 4 ulp of std::tanh: an odd polynomial x + x^3 P(x^2) (degree 4 in
// x^2, fitted to relative error) for |x| < 0.625, else sign(x) (1 - 2 / (exp(2|x|) + 1)) on the
// vector exp above; NaN stays NaN, +-inf give +-1.
void tanh_forward(float* out, const float* in, int64_t n, Simd level = simd_level());

}  // namespace kaya::kernels::simd
