// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace kaya::kernels::simd {

// A vector of T one register wide in GCC's vector extension: 64 bytes (16 floats or 8 doubles)
// with AVX-512, 32 with AVX2, else 64 (two or four registers of older levels and NEON). With
// AVX2, 64-byte vectors had been kept on the stack and moved in pieces wherever a kernel held
// several (LeNet-5's training step, its direct convolutions and 2x2 pooling, 17x slower on an
// AVX2 EPYC VM than on an AVX-512 one). Loads and stores go through unaligned, may-alias
// pointers, so any T* works. Used where a kernel computes on blocks of channels
// (kernels/conv/winograd.cpp).
#if defined(__AVX2__) && !defined(__AVX512F__)
inline constexpr int64_t kVecBytes = 32;
#else
inline constexpr int64_t kVecBytes = 64;
#endif
template <class T>
constexpr int64_t kLanes = kVecBytes / static_cast<int64_t>(sizeof(T));

template <class T>
struct VecOf {
    typedef T type __attribute__((vector_size(kVecBytes), aligned(sizeof(T)), may_alias));
};
template <class T>
using Vec = typename VecOf<T>::type;

template <class T>
inline Vec<T> load(const T* p) {
    return *reinterpret_cast<const Vec<T>*>(p);
}
template <class T>
inline void store(T* p, Vec<T> v) {
    *reinterpret_cast<Vec<T>*>(p) = v;
}

// Keeps v in a register. Without it GCC folds a load that several multiply-adds use into each of
// them as a memory operand; for unaligned rows the repeated loads then bound the loop (the
// direct convolution's weight gradient ran at half speed). A no-op where vectors are not one
// AVX-512 register.
template <class T>
inline void keep_in_register([[maybe_unused]] Vec<T>& v) {
#if defined(__AVX512F__) && defined(__GNUC__)
    asm("" : "+v"(v));
#endif
}

namespace detail {
// One stage of the transpose below, for rows a and b = a's row + H: within each 2H-wide block
// of columns, lo takes a's first half then b's first half, hi a's second half then b's.
template <int H, class V, size_t... J>
inline V merge_lo(V a, V b, std::index_sequence<J...>) {
    return __builtin_shufflevector(a, b, ((J / H) % 2 == 0 ? J : sizeof...(J) + J - H)...);
}
template <int H, class V, size_t... J>
inline V merge_hi(V a, V b, std::index_sequence<J...>) {
    return __builtin_shufflevector(a, b, ((J / H) % 2 == 0 ? J + H : sizeof...(J) + J)...);
}
template <class T, int H>
inline void transpose_stage(Vec<T>* rows) {
    constexpr int64_t L = kLanes<T>;
    for (int64_t i = 0; i < L; ++i) {
        if ((i / H) % 2 != 0) continue;
        const Vec<T> a = rows[i], b = rows[i + H];
        rows[i] = merge_lo<H>(a, b, std::make_index_sequence<L>());
        rows[i + H] = merge_hi<H>(a, b, std::make_index_sequence<L>());
    }
    if constexpr (H > 1) transpose_stage<T, H / 2>(rows);
}
}  // namespace detail

// Transposes the kLanes x kLanes matrix whose rows are rows[0..kLanes) in registers: log2(kLanes)
// stages of shuffles, each swapping the off-diagonal blocks of the next smaller size (16 x 16
// floats: 64 two-source shuffles instead of 256 scalar moves).
template <class T>
inline void transpose(Vec<T>* rows) {
    detail::transpose_stage<T, static_cast<int>(kLanes<T> / 2)>(rows);
}

}  // namespace kaya::kernels::simd
