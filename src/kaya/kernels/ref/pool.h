// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels {

// Geometry of a 2-D pooling over P = N * C planes of H x W, giving HO x WO. Window (KH, KW),
// stride, zero-based padding and dilation per axis, as torch.nn.functional's pooling.
struct PoolGeometry {
    int64_t P = 0, H = 0, W = 0, HO = 0, WO = 0;
    int64_t KH = 1, KW = 1, SH = 1, SW = 1, PH = 0, PW = 0, DH = 1, DW = 1;
};

// Max pooling: out[p, o] = max of the window's in-bounds inputs; indices[p, o] = h * W + w of
// the maximum within its plane (PyTorch's flat index; the first maximum on ties; NaN wins).
// in (P, H, W), out and indices (P, HO, WO). A window with no in-bounds input cannot occur
// (padding is at most half the effective window; the op checks).
template <class T>
void max_pool2d_forward(T* out, int64_t* indices, const T* in, const PoolGeometry& g);

// dx (P, H, W) = scatter of dy (P, HO, WO) to the indices, summed where windows share a
// maximum; written (zeroed first), in a fixed order.
template <class T>
void max_pool2d_backward(T* dx, const T* dy, const int64_t* indices, const PoolGeometry& g);

// Average pooling (no dilation): the window sum over its in-bounds inputs, divided by the
// window's size clipped to the padded input (count_include_pad) or by its in-bounds count.
template <class T>
void avg_pool2d_forward(T* out, const T* in, const PoolGeometry& g, bool count_include_pad);
// The adjoint: dx[i] = sum over windows holding i of dy / divisor. Written.
template <class T>
void avg_pool2d_backward(T* dx, const T* dy, const PoolGeometry& g, bool count_include_pad);

// Adaptive average pooling to HO x WO: window o of an axis of size n spans
// [floor(o n / out), ceil((o + 1) n / out)) (torch's rule). Forward and adjoint.
template <class T>
void adaptive_avg_pool2d_forward(T* out, const T* in, const PoolGeometry& g);
template <class T>
void adaptive_avg_pool2d_backward(T* dx, const T* dy, const PoolGeometry& g);

}  // namespace kaya::kernels
