// SPDX-License-Identifier: MIT
#include "kaya/kernels/simd/exp.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace kaya::kernels::simd {

Simd simd_level() {
    static const Simd level = [] {
        const char* env = std::getenv("KAYA_SIMD");
        if (env && std::strcmp(env, "0") == 0) return Simd::kScalar;
        const bool capped = env && std::strcmp(env, "avx2") == 0;
        if (env && *env && !capped)
            std::fprintf(stderr, "kaya: KAYA_SIMD=%s ignored (use 0 or avx2)\n", env);
#if defined(__x86_64__)
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return Simd::kScalar;
        return !capped && __builtin_cpu_supports("avx512f") ? Simd::kAvx512 : Simd::kAvx2;
#else
        return Simd::kScalar;
#endif
    }();
    return level;
}

namespace {

// Kernels: a function's vectors on the best set asked for, the rest on the next set down, the
// last values in scalar code. Returns how many values the vector code did.
struct Kernels {
    int64_t (*avx512)(float*, const float*, int64_t);
    int64_t (*avx2)(float*, const float*, int64_t);
    float (*scalar)(float);
};

}  // namespace

#if defined(__x86_64__)

// Each set's wrappers over its intrinsics, under the names exp_math.inc uses.
namespace avx2 {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
typedef __m256 V;
typedef __m256i I;
typedef __m256 M;
constexpr int64_t kWidth = 8;
inline V load(const float* p) { return _mm256_loadu_ps(p); }
inline void store(float* p, V v) { _mm256_storeu_ps(p, v); }
inline V set1(float x) { return _mm256_set1_ps(x); }
inline I iset1(int32_t x) { return _mm256_set1_epi32(x); }
inline V add(V a, V b) { return _mm256_add_ps(a, b); }
inline V sub(V a, V b) { return _mm256_sub_ps(a, b); }
inline V mul(V a, V b) { return _mm256_mul_ps(a, b); }
inline V div(V a, V b) { return _mm256_div_ps(a, b); }
inline V min(V a, V b) { return _mm256_min_ps(a, b); }
inline V max(V a, V b) { return _mm256_max_ps(a, b); }
inline V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
inline V fnmadd(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
inline V floor(V a) { return _mm256_floor_ps(a); }
inline M greater(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
inline M less(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
inline M equal(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
inline M not_greater_equal(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_NGE_UQ); }
// yes where m holds, else no.
inline V select(M m, V yes, V no) { return _mm256_blendv_ps(no, yes, m); }
inline I to_int(V a) { return _mm256_cvtps_epi32(a); }
inline V to_float(I a) { return _mm256_cvtepi32_ps(a); }
inline I as_int(V a) { return _mm256_castps_si256(a); }
inline V as_float(I a) { return _mm256_castsi256_ps(a); }
inline I add(I a, I b) { return _mm256_add_epi32(a, b); }
inline I sub(I a, I b) { return _mm256_sub_epi32(a, b); }
inline I bit_and(I a, I b) { return _mm256_and_si256(a, b); }
inline I bit_or(I a, I b) { return _mm256_or_si256(a, b); }
inline I shift_left(I a, int k) { return _mm256_slli_epi32(a, k); }
inline I shift_right_arithmetic(I a, int k) { return _mm256_srai_epi32(a, k); }
inline I shift_right_logical(I a, int k) { return _mm256_srli_epi32(a, k); }
#include "kaya/kernels/simd/exp_math.inc"
#pragma GCC pop_options
}  // namespace avx2

namespace avx512 {
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
// GCC 12's own AVX-512 shifts start from _mm512_undefined_epi32(), a self-initialised variable
// it then warns about once inlined here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
typedef __m512 V;
typedef __m512i I;
typedef __mmask16 M;
constexpr int64_t kWidth = 16;
inline V load(const float* p) { return _mm512_loadu_ps(p); }
inline void store(float* p, V v) { _mm512_storeu_ps(p, v); }
inline V set1(float x) { return _mm512_set1_ps(x); }
inline I iset1(int32_t x) { return _mm512_set1_epi32(x); }
inline V add(V a, V b) { return _mm512_add_ps(a, b); }
inline V sub(V a, V b) { return _mm512_sub_ps(a, b); }
inline V mul(V a, V b) { return _mm512_mul_ps(a, b); }
inline V div(V a, V b) { return _mm512_div_ps(a, b); }
inline V min(V a, V b) { return _mm512_min_ps(a, b); }
inline V max(V a, V b) { return _mm512_max_ps(a, b); }
inline V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
inline V fnmadd(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
inline V floor(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
inline M greater(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
inline M less(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
inline M equal(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
inline M not_greater_equal(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_NGE_UQ); }
inline V select(M m, V yes, V no) { return _mm512_mask_blend_ps(m, no, yes); }
inline I to_int(V a) { return _mm512_cvtps_epi32(a); }
inline V to_float(I a) { return _mm512_cvtepi32_ps(a); }
inline I as_int(V a) { return _mm512_castps_si512(a); }
inline V as_float(I a) { return _mm512_castsi512_ps(a); }
inline I add(I a, I b) { return _mm512_add_epi32(a, b); }
inline I sub(I a, I b) { return _mm512_sub_epi32(a, b); }
inline I bit_and(I a, I b) { return _mm512_and_si512(a, b); }
inline I bit_or(I a, I b) { return _mm512_or_si512(a, b); }
inline I shift_left(I a, int k) { return _mm512_slli_epi32(a, k); }
inline I shift_right_arithmetic(I a, int k) { return _mm512_srai_epi32(a, k); }
inline I shift_right_logical(I a, int k) { return _mm512_srli_epi32(a, k); }
#include "kaya/kernels/simd/exp_math.inc"
#pragma GCC diagnostic pop
#pragma GCC pop_options
}  // namespace avx512

namespace {

constexpr Kernels kExp{avx512::vectors<avx512::exp_v>, avx2::vectors<avx2::exp_v>,
                       [](float x) { return std::exp(x); }};
constexpr Kernels kLog{avx512::vectors<avx512::log_v>, avx2::vectors<avx2::log_v>,
                       [](float x) { return std::log(x); }};
constexpr Kernels kTanh{avx512::vectors<avx512::tanh_v>, avx2::vectors<avx2::tanh_v>,
                        [](float x) { return std::tanh(x); }};

}  // namespace

#else

namespace {

constexpr Kernels kExp{nullptr, nullptr, [](float x) { return std::exp(x); }};
constexpr Kernels kLog{nullptr, nullptr, [](float x) { return std::log(x); }};
constexpr Kernels kTanh{nullptr, nullptr, [](float x) { return std::tanh(x); }};

}  // namespace

#endif

namespace {

void run(const Kernels& k, float* out, const float* in, int64_t n, Simd level) {
    int64_t i = 0;
    if (level == Simd::kAvx512) i = k.avx512(out, in, n);
    if (level >= Simd::kAvx2) i += k.avx2(out + i, in + i, n - i);
    for (; i < n; ++i) out[i] = k.scalar(in[i]);
}

}  // namespace

void exp_forward(float* out, const float* in, int64_t n, Simd level) {
    run(kExp, out, in, n, level);
}

void log_forward(float* out, const float* in, int64_t n, Simd level) {
    run(kLog, out, in, n, level);
}

void tanh_forward(float* out, const float* in, int64_t n, Simd level) {
    run(kTanh, out, in, n, level);
}

}  // namespace kaya::kernels::simd
