// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels {

// Fused optimizer updates over contiguous buffers of n elements, one pass each, with the
// same per-element arithmetic as PyTorch's single-tensor implementations (so trajectories
// match to rounding). p: parameter, g: gradient (read only), state buffers updated in place.
// Denormal values are flushed to zero (simd::FlushDenormals), as TensorFlow's kernels and
// torch.set_flush_denormal(True) do: a moment buffer holds 0 where PyTorch by default would hold
// a denormal (below 1.2e-38 in float), whose share of a parameter's update is far below the
// parameter's rounding step, and a step does not slow down 2x once gradients vanish.

struct AdamStep {
    double lr, beta1, beta2, eps, weight_decay;
    int64_t step;    // 1-based, after increment.
    bool decoupled;  // AdamW: p *= 1 - lr wd first; Adam: g += wd p.
    bool amsgrad;    // vmax = max(vmax, v) is used in the denominator.
};
// p, m, v, vmax (amsgrad only, else null): (n); g: (n).
template <class T>
void adam_step(T* p, T* m, T* v, T* vmax, const T* g, int64_t n, const AdamStep& s);

struct SgdStep {
    double lr, momentum, dampening, weight_decay;
    bool nesterov;
    bool first;  // No momentum buffer yet: it becomes the (decayed) gradient.
};
// buf may be null when momentum == 0.
template <class T>
void sgd_step(T* p, T* buf, const T* g, int64_t n, const SgdStep& s);

}  // namespace kaya::kernels
