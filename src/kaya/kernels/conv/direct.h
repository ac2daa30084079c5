// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/kernels/conv/conv.h"

namespace kaya::kernels {

// Direct convolution for narrow maps and few filters (LeNet's layers): the output rows are
// computed in vector registers straight from a zero-padded copy of the input, with no column
// matrix. im2col's columns of such layers are 25 to 150 times the input and copying them cost
// as much as the products. Takes 3x3 and 5x5 kernels with stride 1, no dilation, one group,
// padding below the kernel size and rows of at most four vectors (64 floats or 32 doubles).
bool direct_applies(const ConvGeometry& g);

// As conv2d_forward, conv2d_backward_input and conv2d_backward_weight (conv.h). Each image's
// output, and each weight-gradient element, is summed in a fixed order whatever the thread
// count.
template <class T>
void direct_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y);
template <class T>
void direct_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx);
template <class T>
void direct_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw);

}  // namespace kaya::kernels
