// SPDX-License-Identifier: MIT
#include "kaya/kernels/simd/exp.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace kaya::kernels::simd {

bool avx2_available() {
    static const bool ok = [] {
        const char* env = std::getenv("KAYA_SIMD");
        if (env && std::strcmp(env, "0") == 0) return false;
#if defined(__x86_64__)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
        return false;
#endif
    }();
    return ok;
}

#if defined(__x86_64__)

// exp(x) = 2^n * exp(r) with n = round(x / ln 2) and r = x - n ln 2 (ln 2 split in two parts
// so r stays exact), exp(r) by a degree-5 polynomial on [-ln2/2, ln2/2], 2^n built in the
// exponent bits as two factors 2^(n/2) 2^(n - n/2) so that n in [-150, 128] (subnormal
// results included) never leaves the exponent range. Out-of-range inputs are patched to 0 and
// +inf.
__attribute__((target("avx2,fma"))) static inline __m256 exp8(__m256 x) {
    const __m256 hi = _mm256_set1_ps(88.72283935546875f), lo = _mm256_set1_ps(-103.97208f);
    const __m256 overflow = _mm256_cmp_ps(x, hi, _CMP_GT_OQ);
    const __m256 underflow = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    // min/max with x second keep a NaN in x.
    __m256 v = _mm256_max_ps(lo, _mm256_min_ps(hi, x));
    __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(v, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
    v = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), v);
    v = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), v);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, v, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, v, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, v, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, v, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, v, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(v, v), _mm256_add_ps(v, _mm256_set1_ps(1.0f)));
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i na = _mm256_srai_epi32(ni, 1);
    const __m256i nb = _mm256_sub_epi32(ni, na);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 sa = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(na, bias), 23));
    __m256 sb = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(nb, bias), 23));
    __m256 r = _mm256_mul_ps(_mm256_mul_ps(p, sa), sb);
    r = _mm256_blendv_ps(r, _mm256_setzero_ps(), underflow);
    return _mm256_blendv_ps(r, _mm256_set1_ps(INFINITY), overflow);
}

__attribute__((target("avx2,fma"))) void exp_forward_avx2(float* out, const float* in, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, exp8(_mm256_loadu_ps(in + i)));
    for (; i < n; ++i) out[i] = std::exp(in[i]);
}

#else

void exp_forward_avx2(float* out, const float* in, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
}

#endif

void exp_forward(float* out, const float* in, int64_t n) {
    if (avx2_available()) {
        exp_forward_avx2(out, in, n);
        return;
    }
    for (int64_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
}

}  // namespace kaya::kernels::simd
