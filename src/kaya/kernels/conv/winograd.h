// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/kernels/conv/conv.h"

namespace kaya::kernels {

// Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray 2016, as Leela Zero and KataGo
// use it): each 4x4 output tile is A^T [(G g G^T) . (B^T d B)] A from a 6x6 input tile d, so
// the multiplications become 36 matrix products with 4x fewer multiply-adds than im2col's
// (3.6x on 19x19 boards, whose last tile row and column are partly padding). The same
// transforms give the input gradient (a convolution with the flipped kernel) and the weight
// gradient. Accurate to float rounding of the transforms (about 1e-6 relative in float).

// True for the convolutions this path computes: 3x3 kernel, stride 1, no dilation, one
// group, padding at most 2 on each side.
bool winograd_applies(const ConvGeometry& g);

template <class T>
void winograd_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y);
template <class T>
void winograd_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx);
template <class T>
void winograd_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw);

}  // namespace kaya::kernels
