// SPDX-License-Identifier: MIT
#include "kaya/ops/pool.h"

#include <string>

#include "kaya/kernels/ref/pool.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/index.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/view.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// PyTorch's pooling_output_shape: with ceil_mode the last window must start inside the input
// or its left padding.
int64_t pooled_size(int64_t n, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
    const int64_t span = n + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
    // Floor division (PyTorch's div_rtn): a window larger than the input gives size 0.
    int64_t out = (span >= 0 ? span / s : -((-span + s - 1) / s)) + 1;
    if (ceil_mode && (out - 1) * s >= n + p) --out;
    return out;
}

kernels::PoolGeometry geometry(const char* op, const Shape& in, const Pool2dParams& pp, bool max) {
    KAYA_CHECK(in.size() == 4, ShapeError, op, ": expected input (N, C, H, W) or (C, H, W), got ",
               format_shape(in));
    const auto stride = pp.stride.value_or(pp.kernel_size);
    kernels::PoolGeometry g;
    g.P = in[0] * in[1], g.H = in[2], g.W = in[3];
    g.KH = pp.kernel_size[0], g.KW = pp.kernel_size[1], g.SH = stride[0], g.SW = stride[1];
    g.PH = pp.padding[0], g.PW = pp.padding[1];
    g.DH = max ? pp.dilation[0] : 1, g.DW = max ? pp.dilation[1] : 1;
    KAYA_CHECK(g.KH > 0 && g.KW > 0 && g.SH > 0 && g.SW > 0 && g.DH > 0 && g.DW > 0, ValueError, op,
               ": kernel_size, stride and dilation must be positive, got kernel (", g.KH, ", ", g.KW,
               "), stride (", g.SH, ", ", g.SW, "), dilation (", g.DH, ", ", g.DW, ")");
    const int64_t eh = (g.KH - 1) * g.DH + 1, ew = (g.KW - 1) * g.DW + 1;
    KAYA_CHECK(g.PH >= 0 && g.PW >= 0 && g.PH <= eh / 2 && g.PW <= ew / 2, ValueError, op,
               ": padding (", g.PH, ", ", g.PW, ") must be non-negative and at most half the ",
               max ? "effective " : "", "window (", eh, ", ", ew, ")");
    g.HO = pooled_size(g.H, g.KH, g.SH, g.PH, g.DH, pp.ceil_mode);
    g.WO = pooled_size(g.W, g.KW, g.SW, g.PW, g.DW, pp.ceil_mode);
    KAYA_CHECK(g.HO > 0 && g.WO > 0, ShapeError, op, ": input ", format_shape(in),
               " is too small for the window: output would be (", g.HO, ", ", g.WO, ")");
    return g;
}

// (C, H, W) inputs run as a batch of one.
Shape batched(const Tensor& x) {
    Shape s = x.shape();
    if (s.size() == 3) s.insert(s.begin(), 1);
    return s;
}

void check_float(const char* op, const Tensor& x) {
    detail::check_inputs(op, {&x});
    KAYA_CHECK(is_floating(x.dtype()), DTypeError, op, ": expected a floating-point input, got ",
               describe(x));
    KAYA_CHECK(x.dim() == 3 || x.dim() == 4, ShapeError, op,
               ": expected input (N, C, H, W) or (C, H, W), got ", describe(x));
}

Shape out_shape(const Tensor& x, const kernels::PoolGeometry& g) {
    Shape s = x.shape();
    s[s.size() - 2] = g.HO;
    s[s.size() - 1] = g.WO;
    return s;
}

// The max-pool gradient in ops: scatter the output gradient to the recorded maxima (so that it
// is differentiable again with respect to the gradient).
Tensor max_grad_in_ops(const Tensor& g, const Tensor& indices, const Shape& in_shape,
                       const kernels::PoolGeometry& geo) {
    Tensor src = reshape(g, {geo.P, geo.HO * geo.WO});
    Tensor idx = reshape(indices, {geo.P, geo.HO * geo.WO});
    return reshape(scatter_add(zeros({geo.P, geo.H * geo.W}, g.dtype()), 1, idx, src), in_shape);
}

}  // namespace

ValuesIndices max_pool2d_with_indices(const Tensor& x, const Pool2dParams& pp) {
    check_float("max_pool2d", x);
    const kernels::PoolGeometry g = geometry("max_pool2d", batched(x), pp, true);
    Tensor xc = contiguous(detach(x));
    Tensor out = Tensor::empty(out_shape(x, g), x.dtype());
    Tensor idx = Tensor::empty(out_shape(x, g), DType::Int64);
    visit_floating(x.dtype(), "max_pool2d", [&]<class T>() {
        kernels::max_pool2d_forward<T>(out.data<T>(), idx.data<int64_t>(), xc.data<T>(), g);
    });
    if (needs_grad({&x})) {
        record("MaxPool2dBackward", out, {x},
               [x, idx, g](const Tensor& gy) {
                   if (needs_grad({&gy})) return std::vector<Tensor>{max_grad_in_ops(gy, idx, x.shape(), g)};
                   Tensor gc = contiguous(gy);
                   Tensor dx = Tensor::empty(x.shape(), x.dtype());
                   visit_floating(x.dtype(), "max_pool2d", [&]<class T>() {
                       kernels::max_pool2d_backward<T>(dx.data<T>(), gc.data<T>(), idx.data<int64_t>(), g);
                   });
                   return std::vector<Tensor>{dx};
               },
               {x});
    }
    return {out, idx};
}

Tensor max_pool2d(const Tensor& x, const Pool2dParams& params) {
    return max_pool2d_with_indices(x, params).values;
}

Tensor avg_pool2d(const Tensor& x, const Pool2dParams& pp) {
    check_float("avg_pool2d", x);
    KAYA_CHECK(pp.dilation[0] == 1 && pp.dilation[1] == 1, ValueError,
               "avg_pool2d: no dilation (PyTorch's avg_pool2d has none)");
    const kernels::PoolGeometry g = geometry("avg_pool2d", batched(x), pp, false);
    Tensor xc = contiguous(detach(x));
    Tensor out = Tensor::empty(out_shape(x, g), x.dtype());
    visit_floating(x.dtype(), "avg_pool2d", [&]<class T>() {
        kernels::avg_pool2d_forward<T>(out.data<T>(), xc.data<T>(), g, pp.count_include_pad);
    });
    if (needs_grad({&x})) {
        const Shape in_shape = x.shape();
        record("AvgPool2dBackward", out, {x},
               [in_shape, pp](const Tensor& gy) {
                   return std::vector<Tensor>{avg_pool2d_backward(gy, in_shape, pp)};
               });
    }
    return out;
}

Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_shape, const Pool2dParams& pp) {
    check_float("avg_pool2d_backward", grad_output);
    Shape in4 = input_shape;
    if (in4.size() == 3) in4.insert(in4.begin(), 1);
    const kernels::PoolGeometry g = geometry("avg_pool2d_backward", in4, pp, false);
    KAYA_CHECK(grad_output.numel() == g.P * g.HO * g.WO, ShapeError,
               "avg_pool2d_backward: grad_output ", describe(grad_output), " does not fit input ",
               format_shape(input_shape));
    Tensor gc = contiguous(detach(grad_output));
    Tensor dx = Tensor::empty(input_shape, grad_output.dtype());
    visit_floating(grad_output.dtype(), "avg_pool2d_backward", [&]<class T>() {
        kernels::avg_pool2d_backward<T>(dx.data<T>(), gc.data<T>(), g, pp.count_include_pad);
    });
    if (needs_grad({&grad_output})) {
        // Linear in grad_output; its adjoint is the pooling itself.
        record("AvgPool2dBackwardBackward", dx, {grad_output},
               [pp](const Tensor& d) { return std::vector<Tensor>{avg_pool2d(d, pp)}; });
    }
    return dx;
}

Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> size) {
    check_float("adaptive_avg_pool2d", x);
    KAYA_CHECK(size[0] > 0 && size[1] > 0, ValueError,
               "adaptive_avg_pool2d: output_size must be positive, got (", size[0], ", ", size[1], ")");
    const Shape in = batched(x);
    kernels::PoolGeometry g;
    g.P = in[0] * in[1], g.H = in[2], g.W = in[3], g.HO = size[0], g.WO = size[1];
    KAYA_CHECK(g.H > 0 && g.W > 0, ShapeError, "adaptive_avg_pool2d: empty input ", describe(x));
    Tensor xc = contiguous(detach(x));
    Tensor out = Tensor::empty(out_shape(x, g), x.dtype());
    visit_floating(x.dtype(), "adaptive_avg_pool2d", [&]<class T>() {
        kernels::adaptive_avg_pool2d_forward<T>(out.data<T>(), xc.data<T>(), g);
    });
    if (needs_grad({&x})) {
        const Shape in_shape = x.shape();
        record("AdaptiveAvgPool2dBackward", out, {x}, [in_shape](const Tensor& gy) {
            return std::vector<Tensor>{adaptive_avg_pool2d_backward(gy, in_shape)};
        });
    }
    return out;
}

Tensor adaptive_avg_pool2d_backward(const Tensor& grad_output, const Shape& input_shape) {
    check_float("adaptive_avg_pool2d_backward", grad_output);
    KAYA_CHECK(grad_output.dim() == static_cast<int64_t>(input_shape.size()), ShapeError,
               "adaptive_avg_pool2d_backward: grad_output ", describe(grad_output),
               " does not fit input ", format_shape(input_shape));
    Shape in4 = input_shape;
    if (in4.size() == 3) in4.insert(in4.begin(), 1);
    kernels::PoolGeometry g;
    g.P = in4[0] * in4[1], g.H = in4[2], g.W = in4[3];
    g.HO = grad_output.shape()[grad_output.dim() - 2], g.WO = grad_output.shape()[grad_output.dim() - 1];
    KAYA_CHECK(grad_output.numel() == g.P * g.HO * g.WO, ShapeError,
               "adaptive_avg_pool2d_backward: grad_output ", describe(grad_output),
               " does not fit input ", format_shape(input_shape));
    Tensor gc = contiguous(detach(grad_output));
    Tensor dx = Tensor::empty(input_shape, grad_output.dtype());
    visit_floating(grad_output.dtype(), "adaptive_avg_pool2d_backward", [&]<class T>() {
        kernels::adaptive_avg_pool2d_backward<T>(dx.data<T>(), gc.data<T>(), g);
    });
    if (needs_grad({&grad_output})) {
        const std::array<int64_t, 2> size{g.HO, g.WO};
        record("AdaptiveAvgPool2dBackwardBackward", dx, {grad_output},
               [size](const Tensor& d) { return std::vector<Tensor>{adaptive_avg_pool2d(d, size)}; });
    }
    return dx;
}

}  // namespace kaya
