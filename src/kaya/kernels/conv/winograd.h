// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/kernels/conv/conv.h"

namespace kaya::kernels {

// Winograd's minimal filtering (Lavin and Gray 2016, as Leela Zero and KataGo use it):
// F(4x4, 3x3) for 3x3 kernels, F(4x4, 5x5) for 5x5 ones. Each 4x4 output tile is
// A^T [(G g G^T) . (B^T d B)] A from a 6x6 (3x3) or 8x8 (5x5) input tile d, so the
// multiplications become 36 or 64 matrix products with 4x (3x3) or 6.25x (5x5) fewer
// multiply-adds than im2col's (3.6x and 5.6x on 19x19 boards, whose last tiles are partly
// padding). The same transforms give the input gradient (a convolution with the flipped
// kernel) and the weight gradient. Accurate to float rounding of the transforms (a few 1e-6
// relative in float).

// True for the convolutions this path computes: 3x3 or 5x5 kernel, stride 1, no dilation,
// one group, the same padding on both axes and at most kernel - 1.
bool winograd_applies(const ConvGeometry& g);

// The number of output tiles (the rows of each of the 36 or 64 products) for g.
int64_t winograd_tiles(const ConvGeometry& g);

// Values of the transformed input tiles of g's whole batch, which the forward pass can keep
// for the weight gradient.
template <class T>
int64_t winograd_kept_size(const ConvGeometry& g);

// reuse_filters: the caller will pass the same weights again (inference), so their transform
// is kept in a per-thread cache (found by the weights' exact bytes, never stale). The epilogue
// is applied as the output transform writes each plane. keep (winograd_kept_size values, or
// null): where the input's transformed tiles are left for winograd_backward_weight's `kept`.
template <class T>
void winograd_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y,
                      bool reuse_filters = false, const ConvEpilogue<T>& epilogue = {},
                      T* keep = nullptr);
template <class T>
void winograd_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx);
// kept: the tiles winograd_forward kept for this x (then x is not read), or null. The same
// bits either way.
template <class T>
void winograd_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw,
                              const T* kept = nullptr);

}  // namespace kaya::kernels
