// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels::simd {

// A 64-byte vector of T (16 floats or 8 doubles) in GCC's vector extension: arithmetic on it
// compiles to the widest instructions -march allows (one zmm, two ymm or four xmm registers),
// so one source serves every x86 level and NEON. Loads and stores go through unaligned,
// may-alias pointers, so any T* works. Used where a kernel computes on blocks of channels
// (kernels/conv/winograd.cpp).
template <class T>
constexpr int64_t kLanes = 64 / static_cast<int64_t>(sizeof(T));

template <class T>
struct VecOf {
    typedef T type __attribute__((vector_size(64), aligned(sizeof(T)), may_alias));
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

}  // namespace kaya::kernels::simd
