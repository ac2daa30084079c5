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

// log(x) = e ln 2 + log(m) with x = m 2^e, m in [sqrt(1/2), sqrt 2); log(1 + f) for
// f = m - 1 by Cephes' degree-9 polynomial, ln 2 split in two parts so e ln 2 adds exactly.
// Subnormal inputs are scaled by 2^23 first; zero, negative, infinite and NaN inputs are patched
// at the end.
__attribute__((target("avx2,fma"))) static inline __m256 log8(__m256 x) {
    const __m256 tiny = _mm256_set1_ps(1.17549435e-38f);
    const __m256 subnormal = _mm256_cmp_ps(x, tiny, _CMP_LT_OQ);
    __m256 v = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), subnormal);
    __m256 e_adj = _mm256_and_ps(subnormal, _mm256_set1_ps(23.0f));
    const __m256i bits = _mm256_castps_si256(v);
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(126)));
    e = _mm256_sub_ps(e, e_adj);
    // Mantissa in [0.5, 1).
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)),
                                                   _mm256_set1_epi32(0x3f000000)));
    const __m256 small = _mm256_cmp_ps(m, _mm256_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
    e = _mm256_sub_ps(e, _mm256_and_ps(small, _mm256_set1_ps(1.0f)));
    m = _mm256_sub_ps(_mm256_add_ps(m, _mm256_and_ps(small, m)), _mm256_set1_ps(1.0f));
    const __m256 z = _mm256_mul_ps(m, m);
    __m256 p = _mm256_set1_ps(7.0376836292e-2f);
    p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(-1.1514610310e-1f));
    p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(1.1676998740e-1f));
    p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(-1.2420140846e-1f));
    p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(1.4249322787e-1f));
    p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(-1.6668057665e-1f));
    p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(2.0000714765e-1f));
    p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(-2.4999993993e-1f));
    p = _mm256_fmadd_ps(p, m, _mm256_set1_ps(3.3333331174e-1f));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, m), z);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
    y = _mm256_fnmadd_ps(z, _mm256_set1_ps(0.5f), y);
    __m256 r = _mm256_add_ps(m, y);
    r = _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), r);
    // x = 0: -inf; x < 0 or NaN: NaN; x = +inf: +inf.
    r = _mm256_blendv_ps(r, _mm256_set1_ps(-INFINITY), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
    r = _mm256_blendv_ps(r, _mm256_set1_ps(NAN), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGE_UQ));
    return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, _mm256_set1_ps(INFINITY), _CMP_EQ_OQ));
}

__attribute__((target("avx2,fma"))) void log_forward_avx2(float* out, const float* in, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, log8(_mm256_loadu_ps(in + i)));
    for (; i < n; ++i) out[i] = std::log(in[i]);
}

__attribute__((target("avx2,fma"))) static inline __m256 tanh8(__m256 x) {
    const __m256 sign = _mm256_and_ps(x, _mm256_set1_ps(-0.0f));
    const __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    // |x| < 0.625: x + x^3 P(x^2).
    const __m256 u = _mm256_mul_ps(a, a);
    __m256 p = _mm256_set1_ps(-0.005731194745749235f);
    p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(0.020664723590016365f));
    p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(-0.053748443722724915f));
    p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(0.13331560790538788f));
    p = _mm256_fmadd_ps(p, u, _mm256_set1_ps(-0.3333328664302826f));
    const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(a, u), p, a);
    // Otherwise 1 - 2 / (exp(2|x|) + 1): no cancellation, since the fraction is below 0.45.
    const __m256 e = exp8(_mm256_add_ps(a, a));
    const __m256 large = _mm256_sub_ps(_mm256_set1_ps(1.0f),
                                       _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
    const __m256 r = _mm256_blendv_ps(large, small, _mm256_cmp_ps(a, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
    return _mm256_or_ps(r, sign);
}

__attribute__((target("avx2,fma"))) void tanh_forward_avx2(float* out, const float* in, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, tanh8(_mm256_loadu_ps(in + i)));
    for (; i < n; ++i) out[i] = std::tanh(in[i]);
}

#else

void tanh_forward_avx2(float* out, const float* in, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
}

void exp_forward_avx2(float* out, const float* in, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
}

void log_forward_avx2(float* out, const float* in, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = std::log(in[i]);
}

#endif

void exp_forward(float* out, const float* in, int64_t n) {
    if (avx2_available()) {
        exp_forward_avx2(out, in, n);
        return;
    }
    for (int64_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
}

void tanh_forward(float* out, const float* in, int64_t n) {
    if (avx2_available()) {
        tanh_forward_avx2(out, in, n);
        return;
    }
    for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
}

void log_forward(float* out, const float* in, int64_t n) {
    if (avx2_available()) {
        log_forward_avx2(out, in, n);
        return;
    }
    for (int64_t i = 0; i < n; ++i) out[i] = std::log(in[i]);
}

}  // namespace kaya::kernels::simd
