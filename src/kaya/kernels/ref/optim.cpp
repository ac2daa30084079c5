// SPDX-License-Identifier: MIT
#include "kaya/kernels/ref/optim.h"

#include <algorithm>
#include <cmath>

#include "kaya/core/parallel.h"
#include "kaya/kernels/simd/denormals.h"

namespace kaya::kernels {

namespace {

// The inner loop with every option fixed at compile time, so it has no branches and vectorises.
template <class T, bool kWeightDecay, bool kDecoupled, bool kAmsgrad>
void adam_range(T* __restrict p, T* __restrict m, T* __restrict v, T* __restrict vmax,
                const T* __restrict g, int64_t b, int64_t e, T b1, T one_b1, T b2, T one_b2,
                T step_size, T bc2_sqrt, T eps, T wd, T decay) {
    for (int64_t i = b; i < e; ++i) {
        T gi = g[i];
        T pi = p[i];
        if constexpr (kWeightDecay && kDecoupled) pi *= decay;
        if constexpr (kWeightDecay && !kDecoupled) gi = gi + pi * wd;
        const T mi = m[i] * b1 + gi * one_b1;
        T vi = v[i] * b2 + one_b2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        if constexpr (kAmsgrad) {
            vi = std::max(vmax[i], vi);
            vmax[i] = vi;
        }
        const T denom = std::sqrt(vi) / bc2_sqrt + eps;
        p[i] = pi - step_size * (mi / denom);
    }
}

}  // namespace

template <class T>
void adam_step(T* p, T* m, T* v, T* vmax, const T* g, int64_t n, const AdamStep& s) {
    const T b1 = static_cast<T>(s.beta1), b2 = static_cast<T>(s.beta2);
    const T one_b1 = static_cast<T>(1 - s.beta1), one_b2 = static_cast<T>(1 - s.beta2);
    const double t = static_cast<double>(s.step);
    // Scalars in double first, then rounded once, as PyTorch computes them in Python floats.
    const T step_size = static_cast<T>(s.lr / (1.0 - std::pow(s.beta1, t)));
    const T bc2_sqrt = static_cast<T>(std::sqrt(1.0 - std::pow(s.beta2, t)));
    const T eps = static_cast<T>(s.eps), wd = static_cast<T>(s.weight_decay);
    const T decay = static_cast<T>(1.0 - s.lr * s.weight_decay);
    auto run = [&]<bool kWd, bool kDec, bool kAms>() {
        parallel_for(n, even_grain(n, kParallelGrain), [&](int64_t b, int64_t e) {
            const simd::FlushDenormals flush;
            adam_range<T, kWd, kDec, kAms>(p, m, v, vmax, g, b, e, b1, one_b1, b2, one_b2,
                                           step_size, bc2_sqrt, eps, wd, decay);
        });
    };
    const bool wd_on = s.weight_decay != 0;
    if (!wd_on && !s.amsgrad) return run.template operator()<false, false, false>();
    if (!wd_on) return run.template operator()<false, false, true>();
    if (s.decoupled) {
        return s.amsgrad ? run.template operator()<true, true, true>()
                         : run.template operator()<true, true, false>();
    }
    return s.amsgrad ? run.template operator()<true, false, true>()
                     : run.template operator()<true, false, false>();
}

namespace {

// As adam_range: the options fixed at compile time, so the loop has no branches and vectorises.
template <class T, bool kWeightDecay, bool kMomentum, bool kFirst, bool kNesterov>
void sgd_range(T* __restrict p, T* __restrict buf, const T* __restrict g, int64_t b, int64_t e, T lr,
               T mu, T damp, T wd) {
    for (int64_t i = b; i < e; ++i) {
        T d = g[i];
        if constexpr (kWeightDecay) d = d + p[i] * wd;
        if constexpr (kMomentum) {
            const T m = kFirst ? d : buf[i] * mu + d * damp;
            buf[i] = m;
            d = kNesterov ? d + m * mu : m;
        }
        p[i] = p[i] - lr * d;
    }
}

}  // namespace

template <class T>
void sgd_step(T* p, T* buf, const T* g, int64_t n, const SgdStep& s) {
    const T lr = static_cast<T>(s.lr), mu = static_cast<T>(s.momentum);
    const T damp = static_cast<T>(1 - s.dampening), wd = static_cast<T>(s.weight_decay);
    auto run = [&]<bool kWd, bool kMom, bool kFirst, bool kNesterov>() {
        parallel_for(n, even_grain(n, kParallelGrain), [&](int64_t b, int64_t e) {
            const simd::FlushDenormals flush;
            sgd_range<T, kWd, kMom, kFirst, kNesterov>(p, buf, g, b, e, lr, mu, damp, wd);
        });
    };
    auto with_momentum = [&]<bool kWd>() {
        if (s.momentum == 0) return run.template operator()<kWd, false, false, false>();
        if (s.first) {
            return s.nesterov ? run.template operator()<kWd, true, true, true>()
                              : run.template operator()<kWd, true, true, false>();
        }
        return s.nesterov ? run.template operator()<kWd, true, false, true>()
                          : run.template operator()<kWd, true, false, false>();
    };
    if (s.weight_decay != 0) return with_momentum.template operator()<true>();
    with_momentum.template operator()<false>();
}

template void adam_step(float*, float*, float*, float*, const float*, int64_t, const AdamStep&);
template void adam_step(double*, double*, double*, double*, const double*, int64_t,
                        const AdamStep&);
template void sgd_step(float*, float*, const float*, int64_t, const SgdStep&);
template void sgd_step(double*, double*, const double*, int64_t, const SgdStep&);

}  // namespace kaya::kernels
