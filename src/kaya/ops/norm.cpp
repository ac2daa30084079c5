// SPDX-License-Identifier: MIT
#include "kaya/ops/norm.h"

#include <vector>

#include "kaya/kernels/ref/norm.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/inplace.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/reduce.h"
#include "kaya/ops/unary.h"
#include "kaya/ops/view.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

void check_affine(const char* what, const Tensor& t, const Tensor& x, const Shape& shape) {
    if (!t.defined()) return;
    detail::check_inputs("layer_norm", {&t});
    KAYA_CHECK(t.shape() == shape, ShapeError, "layer_norm: expected ", what, " of shape ",
               format_shape(shape), " (normalized_shape), got ", describe(t));
    KAYA_CHECK(t.dtype() == x.dtype(), DTypeError, "layer_norm: ", what, " is ", describe(t),
               " but the input is ", describe(x), "; convert one of them");
}

// The backward rule written with ops, for gradients that must themselves be differentiable.
// Recomputes the statistics from x so that their dependence on x is in the graph.
std::vector<Tensor> backward_in_ops(const Tensor& g, const Tensor& x, const Tensor& weight,
                                    const Tensor& bias, int64_t k, double eps) {
    std::vector<int64_t> dims;
    for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
    Tensor xc = sub(x, mean(x, dims, true));
    Tensor rstd = rsqrt(add(mean(mul(xc, xc), dims, true), eps));
    Tensor xhat = mul(xc, rstd);
    Tensor gw = weight.defined() ? mul(g, weight) : g;
    Tensor dx = mul(rstd, sub(sub(gw, mean(gw, dims, true)),
                              mul(xhat, mean(mul(gw, xhat), dims, true))));
    return {x.requires_grad() ? dx : Tensor(),
            weight.defined() && weight.requires_grad() ? sum_to(mul(g, xhat), weight.shape())
                                                       : Tensor(),
            bias.defined() && bias.requires_grad() ? sum_to(g, bias.shape()) : Tensor()};
}

// Batch norm's backward rule in ops, for gradients that must be differentiable again. In
// training the statistics are recomputed from x, so their dependence on x is in the graph; in
// evaluation mu and rstd (from the running statistics) are constants.
std::vector<Tensor> batch_norm_backward_in_ops(const Tensor& g, const Tensor& x, const Tensor& weight,
                                               const Tensor& bias, const Tensor& mu, const Tensor& rstd,
                                               bool training, double eps) {
    std::vector<int64_t> dims{0};
    Shape bshape(x.dim(), 1);
    bshape[1] = x.shape()[1];
    for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
    Tensor xhat, r;
    if (training) {
        Tensor xc = sub(x, mean(x, dims, true));
        r = rsqrt(add(mean(mul(xc, xc), dims, true), eps));
        xhat = mul(xc, r);
    } else {
        r = reshape(rstd, bshape);
        xhat = mul(sub(x, reshape(mu, bshape)), r);
    }
    Tensor gw = weight.defined() ? mul(g, reshape(weight, bshape)) : g;
    Tensor dx = training ? mul(r, sub(sub(gw, mean(gw, dims, true)), mul(xhat, mean(mul(gw, xhat), dims, true))))
                         : mul(gw, r);
    return {x.requires_grad() ? dx : Tensor(),
            weight.defined() && weight.requires_grad() ? reshape(sum(mul(g, xhat), dims), weight.shape()) : Tensor(),
            bias.defined() && bias.requires_grad() ? reshape(sum(g, dims), bias.shape()) : Tensor()};
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
    detail::check_inputs("layer_norm", {&x});
    const int64_t k = static_cast<int64_t>(normalized_shape.size());
    KAYA_CHECK(k >= 1, ShapeError, "layer_norm: normalized_shape must have at least one dim");
    bool fits = x.dim() >= k;
    for (int64_t i = 0; fits && i < k; ++i) {
        fits = x.shape()[x.dim() - k + i] == normalized_shape[i];
    }
    KAYA_CHECK(fits, ShapeError, "layer_norm: the input's trailing dims must equal normalized_shape ",
               format_shape(normalized_shape), ", got ", describe(x));
    KAYA_CHECK(eps >= 0, ValueError, "layer_norm: eps must be non-negative, got ", eps);
    check_affine("weight", weight, x, normalized_shape);
    check_affine("bias", bias, x, normalized_shape);
    int64_t C = 1;
    for (int64_t s : normalized_shape) C *= s;
    const int64_t N = C ? x.numel() / C : 0;

    Tensor xc = contiguous(detach(x));
    Tensor w = weight.defined() ? contiguous(detach(weight)) : Tensor();
    Tensor b = bias.defined() ? contiguous(detach(bias)) : Tensor();
    Tensor out = Tensor::empty(x.shape(), x.dtype());
    Tensor mu = Tensor::empty({N}, x.dtype()), rstd = Tensor::empty({N}, x.dtype());
    visit_floating(x.dtype(), "layer_norm", [&]<class T>() {
        kernels::layer_norm_forward<T>(out.data<T>(), mu.data<T>(), rstd.data<T>(), xc.data<T>(),
                                       w.defined() ? w.data<T>() : nullptr,
                                       b.defined() ? b.data<T>() : nullptr, N, C, eps);
    });
    if (!needs_grad({&x, &weight, &bias})) return out;
    record("LayerNormBackward", out, {x, weight, bias},
           [x, weight, bias, mu, rstd, k, eps, N, C](const Tensor& g) {
               if (needs_grad({&g, &x, &weight, &bias})) {
                   return backward_in_ops(g, x, weight, bias, k, eps);
               }
               // No graph wanted: one fused pass.
               const bool gx = x.requires_grad();
               const bool gw = weight.defined() && weight.requires_grad();
               const bool gb = bias.defined() && bias.requires_grad();
               Tensor gy = contiguous(g), xv = contiguous(detach(x));
               Tensor wv = weight.defined() ? contiguous(detach(weight)) : Tensor();
               Tensor dx = gx ? Tensor::empty(x.shape(), x.dtype()) : Tensor();
               Tensor dw = gw ? Tensor::empty(weight.shape(), x.dtype()) : Tensor();
               Tensor db = gb ? Tensor::empty(bias.shape(), x.dtype()) : Tensor();
               visit_floating(x.dtype(), "layer_norm", [&]<class T>() {
                   kernels::layer_norm_backward<T>(
                       gx ? dx.data<T>() : nullptr, gw ? dw.data<T>() : nullptr,
                       gb ? db.data<T>() : nullptr, gy.data<T>(), xv.data<T>(), mu.data<T>(),
                       rstd.data<T>(), wv.defined() ? wv.data<T>() : nullptr, N, C);
               });
               return std::vector<Tensor>{dx, dw, db};
           },
           {x, weight, bias});
    return out;
}

namespace {

// batch_norm's argument checks. Sets N, C and S: x seen as (N, C, S), S the values per channel
// of one sample.
void check_batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                      const Tensor& weight, const Tensor& bias, bool training, double eps,
                      int64_t& N, int64_t& C, int64_t& S) {
    detail::check_inputs("batch_norm", {&x});
    KAYA_CHECK(x.dim() >= 2, ShapeError, "batch_norm: expected input (N, C, *), got ", describe(x));
    KAYA_CHECK(is_floating(x.dtype()), DTypeError, "batch_norm: expected a floating-point input, got ",
               describe(x));
    C = x.shape()[1];
    auto check_channel = [&](const char* what, const Tensor& t) {
        if (!t.defined()) return;
        detail::check_inputs("batch_norm", {&t});
        KAYA_CHECK(t.shape() == Shape{C} && t.dtype() == x.dtype(), ShapeError, "batch_norm: ", what,
                   " must be [", C, "] ", dtype_name(x.dtype()), " (one per channel of ", describe(x),
                   "), got ", describe(t));
    };
    check_channel("running_mean", running_mean);
    check_channel("running_var", running_var);
    check_channel("weight", weight);
    check_channel("bias", bias);
    KAYA_CHECK(eps >= 0, ValueError, "batch_norm: eps must be non-negative, got ", eps);
    // Statistics per channel over every other dim: x as (N, C, S).
    N = x.shape()[0];
    S = N && C ? x.numel() / (N * C) : 0;
    if (training) {
        KAYA_CHECK(N * S > 1, ValueError, "batch_norm: expected more than one value per channel in training, got ",
                   describe(x));
    } else {
        KAYA_CHECK(running_mean.defined() && running_var.defined(), ValueError,
                   "batch_norm: evaluation needs running_mean and running_var");
    }
}

// Training's update of the running statistics from the batch's mean and (biased) variance over
// count values a channel: running = (1 - momentum) * running + momentum * batch, the variance
// unbiased first, as PyTorch does.
void update_running_stats(const Tensor& running_mean, const Tensor& running_var, const Tensor& mu,
                          const Tensor& var, int64_t count, double momentum) {
    autograd::NoGradGuard no_grad;
    const double unbias = static_cast<double>(count) / static_cast<double>(count - 1);
    if (running_mean.defined()) {
        Tensor rm = running_mean;
        copy_(rm, add(mul(running_mean, 1 - momentum), mul(mu, momentum)));
    }
    if (running_var.defined()) {
        Tensor rv = running_var;
        copy_(rv, add(mul(running_var, 1 - momentum), mul(var, momentum * unbias)));
    }
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps) {
    int64_t N = 0, C = 0, S = 0;
    check_batch_norm(x, running_mean, running_var, weight, bias, training, eps, N, C, S);
    Tensor xv = contiguous(detach(x));
    Tensor w = weight.defined() ? contiguous(detach(weight)) : Tensor();
    Tensor b = bias.defined() ? contiguous(detach(bias)) : Tensor();
    Tensor out = Tensor::empty(x.shape(), x.dtype());
    // Training: the batch's statistics; evaluation: copies of the running ones (the backward
    // pass must see the values of this forward pass).
    Tensor mu = training ? Tensor::empty({C}, x.dtype()) : contiguous(clone(detach(running_mean)));
    Tensor var = training ? Tensor::empty({C}, x.dtype()) : contiguous(clone(detach(running_var)));
    Tensor rstd = Tensor::empty({C}, x.dtype());
    visit_floating(x.dtype(), "batch_norm", [&]<class T>() {
        kernels::batch_norm_forward<T>(out.data<T>(), mu.data<T>(), var.data<T>(), rstd.data<T>(), xv.data<T>(),
                                       w.defined() ? w.data<T>() : nullptr, b.defined() ? b.data<T>() : nullptr,
                                       N, C, S, eps, training);
    });
    if (training && (running_mean.defined() || running_var.defined()))
        update_running_stats(running_mean, running_var, mu, var, N * S, momentum);
    if (!needs_grad({&x, &weight, &bias})) return out;
    record("BatchNormBackward", out, {x, weight, bias},
           [x, weight, bias, mu, rstd, training, eps, N, C, S](const Tensor& g) {
               if (needs_grad({&g, &x, &weight, &bias})) {
                   return batch_norm_backward_in_ops(g, x, weight, bias, mu, rstd, training, eps);
               }
               // No graph wanted: one fused pass per channel.
               const bool gx = x.requires_grad();
               const bool gw = weight.defined() && weight.requires_grad();
               const bool gb = bias.defined() && bias.requires_grad();
               Tensor gy = contiguous(g), xc = contiguous(detach(x));
               Tensor wv = weight.defined() ? contiguous(detach(weight)) : Tensor();
               Tensor dx = gx ? Tensor::empty(x.shape(), x.dtype()) : Tensor();
               Tensor dw = gw ? Tensor::empty(weight.shape(), x.dtype()) : Tensor();
               Tensor db = gb ? Tensor::empty(bias.shape(), x.dtype()) : Tensor();
               visit_floating(x.dtype(), "batch_norm", [&]<class T>() {
                   kernels::batch_norm_backward<T>(gx ? dx.data<T>() : nullptr, gw ? dw.data<T>() : nullptr,
                                                   gb ? db.data<T>() : nullptr, gy.data<T>(), xc.data<T>(),
                                                   mu.data<T>(), rstd.data<T>(),
                                                   wv.defined() ? wv.data<T>() : nullptr, N, C, S, training);
               });
               return std::vector<Tensor>{dx, dw, db};
           },
           {x, weight, bias});
    return out;
}

}  // namespace kaya
