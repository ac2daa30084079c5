// SPDX-License-Identifier: MIT
#pragma once

// Strided iteration over up to kMaxOperands arrays that share one iteration shape. This is the
// raw-pointer core of every elementwise kernel: the ops layer describes its operands (output
// first, broadcast inputs with stride 0) and the kernel supplies a scalar formula. The inner
// loop has fast paths for unit and zero strides so the compiler vectorises the common cases.
//
// Terms: "dims" are the iteration dimensions after coalescing, outermost first; strides are in
// elements of each operand's own type.

#include <algorithm>
#include <array>
#include <type_traits>
#include <utility>
#include <cstdint>

#include "kaya/core/parallel.h"

namespace kaya::kernels {

inline constexpr int kMaxDims = 16;
inline constexpr int kMaxOperands = 4;

struct Loop {
    int ndim = 0;
    int noperands = 0;
    std::array<int64_t, kMaxDims> shape{};
    std::array<std::array<int64_t, kMaxDims>, kMaxOperands> strides{};

    int64_t numel() const {
        int64_t n = 1;
        for (int d = 0; d < ndim; ++d) n *= shape[d];
        return n;
    }
};

// Builds a Loop from a shape and per-operand strides (each of shape.size() entries), dropping
// size-1 dims and merging dims that are contiguous with their inner neighbour in every
// operand. Preconditions: shape.size() <= kMaxDims, 1 <= nops <= kMaxOperands.
Loop make_loop(int ndim, const int64_t* shape, int nops, const int64_t* const* strides);

// What make_loop builds when every operand is contiguous in one shape of n elements: one
// dim of n with unit strides (no dim at all when n == 1).
Loop flat_loop(int64_t n, int nops);

// Calls inner(offsets, n) for consecutive runs of the innermost dim, over flat positions
// [begin, end). offsets[k] is operand k's element offset at the start of the run; the run
// steps by loop.strides[k][ndim-1] (or stays put for a 0-dim loop).
template <class F>
void for_each_run(const Loop& loop, int64_t begin, int64_t end, F&& inner) {
    // An empty range visits nothing; checked first, since a loop with a zero-size dim would
    // otherwise divide by that size below.
    if (begin >= end) return;
    const int nd = loop.ndim;
    const int nops = loop.noperands;
    std::array<int64_t, kMaxOperands> off{};
    if (nd == 0) {
        if (begin < end) inner(off, int64_t{1});
        return;
    }
    // Decompose `begin` into coordinates, outermost first.
    std::array<int64_t, kMaxDims> coord{};
    int64_t rem = begin;
    for (int d = nd - 1; d >= 0; --d) {
        coord[d] = rem % loop.shape[d];
        rem /= loop.shape[d];
    }
    for (int k = 0; k < nops; ++k) {
        for (int d = 0; d < nd; ++d) off[k] += coord[d] * loop.strides[k][d];
    }
    int64_t pos = begin;
    const int64_t inner_size = loop.shape[nd - 1];
    while (pos < end) {
        int64_t n = std::min(inner_size - coord[nd - 1], end - pos);
        inner(off, n);
        pos += n;
        // Advance: finish the inner run, then carry into outer dims.
        for (int k = 0; k < nops; ++k) off[k] += n * loop.strides[k][nd - 1];
        coord[nd - 1] += n;
        for (int d = nd - 1; d > 0 && coord[d] == loop.shape[d]; --d) {
            for (int k = 0; k < nops; ++k) {
                off[k] -= coord[d] * loop.strides[k][d];
                off[k] += loop.strides[k][d - 1];
            }
            coord[d] = 0;
            ++coord[d - 1];
        }
    }
}

// for_each_run over the whole of a loop of one or two dims, row by row: no coordinates to
// carry. Most small ops' loops are of this kind, and for them for_each_run's set-up cost a
// good part of the arithmetic.
template <class F>
void for_each_row(const Loop& loop, F&& inner) {
    std::array<int64_t, kMaxOperands> off{};
    const int nd = loop.ndim;
    const int64_t rows = nd == 2 ? loop.shape[0] : 1;
    for (int64_t r = 0; r < rows; ++r) {
        for (int k = 0; k < loop.noperands; ++k) off[k] = nd == 2 ? r * loop.strides[k][0] : 0;
        inner(off, loop.shape[nd - 1]);
    }
}

// Runs for_each_run over the whole loop, in parallel above kParallelGrain elements. Each flat
// position is visited exactly once, so elementwise results do not depend on the thread count.
template <class F>
void parallel_runs(const Loop& loop, F&& inner) {
    const int64_t n = loop.numel();
    if (n > 0 && n <= kParallelGrain && (loop.ndim == 1 || loop.ndim == 2)) {
        for_each_row(loop, inner);  // one thread's work (parallel_for would not split it)
        return;
    }
    parallel_for(n, even_grain(n, kParallelGrain),
                 [&](int64_t b, int64_t e) { for_each_run(loop, b, e, inner); });
}

// Operands are loaded as Stored<T>: a bool as its byte (always 0 or 1), converted back before f
// sees it. GCC 12 does not vectorise loops that load bool: where(mask, ...) stayed a branchy
// scalar loop, 16% of an MLP training step.
template <class T>
using Stored = std::conditional_t<std::is_same_v<T, bool>, unsigned char, T>;
template <class T>
const Stored<T>* stored(const T* p) {
    return reinterpret_cast<const Stored<T>*>(p);
}

// A 2-D loop whose output runs along memory (inner stride 1) while input k is read across it
// (outer stride 1, inner stride > 1: a transposed matrix), every other input along memory or
// broadcast: visit(tile, r0, c0, rows, cols) gets tiles of kTile x kTile, with the transposed
// input's elements already gathered into `tile` (row-major, row length kTile) by reading its
// memory in order. Element by element, such a loop strides through memory and never
// vectorises; by tiles, both the gather and f's rows do. False when the loop is not of this kind.
inline constexpr int64_t kTile = 16;

template <class T, class Visit>
bool for_each_transposed_tile(const Loop& loop, int k, const T* src, Visit&& visit) {
    if (loop.ndim != 2 || loop.strides[0][1] != 1) return false;
    if (loop.strides[k][0] != 1 || loop.strides[k][1] <= 1) return false;
    for (int j = 1; j < loop.noperands; ++j) {
        if (j != k && loop.strides[j][1] != 0 && loop.strides[j][1] != 1) return false;
    }
    const int64_t rows = loop.shape[0], cols = loop.shape[1], ld = loop.strides[k][1];
    const int64_t row_tiles = (rows + kTile - 1) / kTile, col_tiles = (cols + kTile - 1) / kTile;
    parallel_for(row_tiles * col_tiles, std::max<int64_t>(1, kParallelGrain / (kTile * kTile)),
                 [&](int64_t t0, int64_t t1) {
                     alignas(64) T tile[kTile * kTile];
                     for (int64_t t = t0; t < t1; ++t) {
                         // Down a column of tiles first: the source is read on along its memory.
                         const int64_t r0 = (t % row_tiles) * kTile, c0 = (t / row_tiles) * kTile;
                         const int64_t nr = std::min(kTile, rows - r0), nc = std::min(kTile, cols - c0);
                         for (int64_t c = 0; c < nc; ++c) {
                             const T* column = src + r0 + (c0 + c) * ld;
                             for (int64_t r = 0; r < nr; ++r) tile[r * kTile + c] = column[r];
                         }
                         visit(static_cast<const T*>(tile), r0, c0, nr, nc);
                     }
                 });
    return true;
}

// out[i] = f(in[i]). Operands: 0 = out, 1 = in.
template <class Out, class In, class F>
void map_unary(const Loop& loop, Out* out, const In* in, F f) {
    if constexpr (std::is_arithmetic_v<In> && !std::is_same_v<In, bool>) {
        const int64_t so0 = loop.ndim == 2 ? loop.strides[0][0] : 0;
        if (for_each_transposed_tile(loop, 1, in, [&](const In* tile, int64_t r0, int64_t c0, int64_t nr, int64_t nc) {
                for (int64_t r = 0; r < nr; ++r) {
                    Out* o = out + (r0 + r) * so0 + c0;
                    const In* x = tile + r * kTile;
#pragma omp simd
                    for (int64_t c = 0; c < nc; ++c) o[c] = f(x[c]);
                }
            }))
            return;
    }
    const int nd = loop.ndim;
    const int64_t so = nd ? loop.strides[0][nd - 1] : 0;
    const int64_t si = nd ? loop.strides[1][nd - 1] : 0;
    parallel_runs(loop, [&](const std::array<int64_t, kMaxOperands>& off, int64_t n) {
        Out* o = out + off[0];
        const Stored<In>* x = stored(in) + off[1];
        if (so == 1 && si == 1) {
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) o[i] = f(In(x[i]));
        } else if (so == 1 && si == 0) {
            const Out v = f(In(x[0]));
            for (int64_t i = 0; i < n; ++i) o[i] = v;
        } else {
            for (int64_t i = 0; i < n; ++i) o[i * so] = f(In(x[i * si]));
        }
    });
}

// The tiled map_binary when a is the input read across memory.
template <class Out, class A, class B, class F>
bool binary_tiles_a(const Loop& loop, Out* out, const A* a, const B* b, F f) {
    const int64_t so0 = loop.strides[0][0], sb0 = loop.strides[2][0], sb1 = loop.strides[2][1];
    return for_each_transposed_tile(loop, 1, a, [&](const A* tile, int64_t r0, int64_t c0, int64_t nr, int64_t nc) {
        for (int64_t r = 0; r < nr; ++r) {
            Out* o = out + (r0 + r) * so0 + c0;
            const A* x = tile + r * kTile;
            const B* y = b + (r0 + r) * sb0 + c0 * sb1;
            if (sb1 == 1) {
#pragma omp simd
                for (int64_t c = 0; c < nc; ++c) o[c] = f(x[c], y[c]);
            } else {
                const B yv = y[0];
#pragma omp simd
                for (int64_t c = 0; c < nc; ++c) o[c] = f(x[c], yv);
            }
        }
    });
}

// One input of a 2-D map_binary read across memory (see for_each_transposed_tile): by tiles.
// When it is b, the operands are swapped (strides and f's arguments), so one path serves both.
template <class Out, class A, class B, class F>
bool map_binary_transposed(const Loop& loop, Out* out, const A* a, const B* b, F f) {
    if constexpr (!std::is_arithmetic_v<A> || !std::is_arithmetic_v<B> || std::is_same_v<A, bool> ||
                  std::is_same_v<B, bool>) {
        return false;
    } else {
        if (loop.ndim != 2) return false;
        if (binary_tiles_a(loop, out, a, b, f)) return true;
        if (loop.strides[2][0] != 1 || loop.strides[2][1] <= 1) return false;  // before copying
        Loop swapped = loop;
        std::swap(swapped.strides[1], swapped.strides[2]);
        return binary_tiles_a(swapped, out, b, a, [&f](B y, A x) { return f(x, y); });
    }
}

// out[i] = f(a[i], b[i]). Operands: 0 = out, 1 = a, 2 = b.
template <class Out, class A, class B, class F>
void map_binary(const Loop& loop, Out* out, const A* a, const B* b, F f) {
    if (map_binary_transposed(loop, out, a, b, f)) return;
    const int nd = loop.ndim;
    const int64_t so = nd ? loop.strides[0][nd - 1] : 0;
    const int64_t sa = nd ? loop.strides[1][nd - 1] : 0;
    const int64_t sb = nd ? loop.strides[2][nd - 1] : 0;
    parallel_runs(loop, [&](const std::array<int64_t, kMaxOperands>& off, int64_t n) {
        Out* o = out + off[0];
        const Stored<A>* x = stored(a) + off[1];
        const Stored<B>* y = stored(b) + off[2];
        if (so == 1 && sa == 1 && sb == 1) {
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) o[i] = f(A(x[i]), B(y[i]));
        } else if (so == 1 && sa == 1 && sb == 0) {
            const B yv = B(y[0]);
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) o[i] = f(A(x[i]), yv);
        } else if (so == 1 && sa == 0 && sb == 1) {
            const A xv = A(x[0]);
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) o[i] = f(xv, B(y[i]));
        } else {
            for (int64_t i = 0; i < n; ++i) o[i * so] = f(A(x[i * sa]), B(y[i * sb]));
        }
    });
}

// out[i] = f(a[i], b[i], c[i]). Operands: 0 = out, 1 = a, 2 = b, 3 = c.
template <class Out, class A, class B, class C, class F>
void map_ternary(const Loop& loop, Out* out, const A* a, const B* b, const C* c, F f) {
    const int nd = loop.ndim;
    const int64_t so = nd ? loop.strides[0][nd - 1] : 0;
    const int64_t sa = nd ? loop.strides[1][nd - 1] : 0;
    const int64_t sb = nd ? loop.strides[2][nd - 1] : 0;
    const int64_t sc = nd ? loop.strides[3][nd - 1] : 0;
    parallel_runs(loop, [&](const std::array<int64_t, kMaxOperands>& off, int64_t n) {
        Out* o = out + off[0];
        const Stored<A>* x = stored(a) + off[1];
        const Stored<B>* y = stored(b) + off[2];
        const Stored<C>* z = stored(c) + off[3];
        if (so == 1 && sa == 1 && sb == 1 && sc == 1) {
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) o[i] = f(A(x[i]), B(y[i]), C(z[i]));
        } else if (so == 1 && sa == 1 && sb == 1 && sc == 0) {
            const C zv = C(z[0]);  // where(mask, t, scalar): the masking pattern of gradients.
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) o[i] = f(A(x[i]), B(y[i]), zv);
        } else if (so == 1 && sa == 1 && sb == 0 && sc == 1) {
            const B yv = B(y[0]);
#pragma omp simd
            for (int64_t i = 0; i < n; ++i) o[i] = f(A(x[i]), yv, C(z[i]));
        } else {
            for (int64_t i = 0; i < n; ++i) o[i * so] = f(A(x[i * sa]), B(y[i * sb]), C(z[i * sc]));
        }
    });
}

}  // namespace kaya::kernels
