// SPDX-License-Identifier: MIT
#include "kaya/ops/reduce.h"

#include <cmath>

#include "kaya/kernels/ref/reduce.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/compare.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/index.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/pointwise.h"
#include "kaya/ops/unary.h"
#include "kaya/ops/view.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// Which dims are reduced, as a mask; empty `dims` means all.
std::vector<bool> reduce_mask(const char* op, const Tensor& x, const std::vector<int64_t>& dims) {
    std::vector<bool> mask(x.dim(), dims.empty());
    for (int64_t d : dims) {
        int64_t w = wrap_dim(d, x.dim(), op);
        if (x.dim() == 0) continue;
        KAYA_CHECK(!mask[w], ValueError, op, ": dim ", d, " appears more than once");
        mask[w] = true;
    }
    return mask;
}

// Output shape with reduced dims kept as 1 (keepdim) or removed.
Shape reduced_shape(const Tensor& x, const std::vector<bool>& mask, bool keepdim) {
    Shape s;
    for (int64_t d = 0; d < x.dim(); ++d) {
        if (!mask[d]) s.push_back(x.shape()[d]);
        else if (keepdim) s.push_back(1);
    }
    return s;
}

// Splits x's geometry into the kept loop (operands: out dense, x) and the reduced loop.
void split_loops(const Tensor& x, const std::vector<bool>& mask, kernels::Loop& kept,
                 kernels::Loop& reduced) {
    Shape ks, rs;
    Strides kin, rin;
    for (int64_t d = 0; d < x.dim(); ++d) {
        (mask[d] ? rs : ks).push_back(x.shape()[d]);
        (mask[d] ? rin : kin).push_back(x.strides()[d]);
    }
    Strides kout = contiguous_strides(ks);
    const int64_t* kp[2] = {kout.data(), kin.data()};
    const int64_t* rp[1] = {rin.data()};
    kept = kernels::make_loop(static_cast<int>(ks.size()), ks.data(), 2, kp);
    reduced = kernels::make_loop(static_cast<int>(rs.size()), rs.data(), 1, rp);
}

// Gradient of a reduction: g (reduced shape) broadcast back to x's shape.
Tensor expand_back(const Tensor& g, const Shape& in, const std::vector<bool>& mask) {
    Shape keep;
    for (size_t d = 0; d < in.size(); ++d) keep.push_back(mask[d] ? 1 : in[d]);
    return expand(reshape(g, keep), in);
}

int64_t reduced_count(const Tensor& x, const std::vector<bool>& mask) {
    int64_t n = 1;
    for (int64_t d = 0; d < x.dim(); ++d) {
        if (mask[d]) n *= x.shape()[d];
    }
    return n;
}

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
    detail::check_inputs("sum", {&x});
    auto mask = reduce_mask("sum", x, dims);
    DType out_dt = is_floating(x.dtype()) ? x.dtype() : DType::Int64;
    Tensor out = Tensor::empty(reduced_shape(x, mask, keepdim), out_dt);
    kernels::Loop kept, reduced;
    split_loops(x, mask, kept, reduced);
    visit_dtype(x.dtype(), [&]<class T>() {
        using O = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;
        kernels::sum_forward(out.data<O>(), x.data<T>(), kept, reduced);
    });
    if (needs_grad({&x})) {
        Shape in = x.shape();
        record("SumBackward", out, {x}, [in, mask](const Tensor& g) {
            return std::vector<Tensor>{expand_back(g, in, mask)};
        });
    }
    return out;
}

Tensor sum(const Tensor& x) { return sum(x, {}, false); }

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
    detail::check_inputs("mean", {&x});
    KAYA_CHECK(is_floating(x.dtype()), DTypeError,
               "mean: expected a floating-point tensor, got ", describe(x));
    int64_t n = reduced_count(x, reduce_mask("mean", x, dims));
    return div(sum(x, dims, keepdim), static_cast<double>(n));
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }

Tensor var(const Tensor& x, const std::vector<int64_t>& dims, int64_t correction, bool keepdim) {
    detail::check_inputs("var", {&x});
    KAYA_CHECK(is_floating(x.dtype()), DTypeError,
               "var: expected a floating-point tensor, got ", describe(x));
    int64_t n = reduced_count(x, reduce_mask("var", x, dims));
    // Two passes (mean, then squared deviations) for accuracy.
    Tensor d = sub(x, mean(x, dims, true));
    return div(sum(mul(d, d), dims, keepdim), static_cast<double>(std::max<int64_t>(n - correction, 0)));
}

Tensor std(const Tensor& x, const std::vector<int64_t>& dims, int64_t correction, bool keepdim) {
    return sqrt(var(x, dims, correction, keepdim));
}

namespace {

ValuesIndices arg_reduce(const char* op, const Tensor& x, int64_t dim, bool keepdim, bool is_max) {
    detail::check_inputs(op, {&x});
    int64_t d = wrap_dim(dim, x.dim(), op);
    const int64_t n = x.dim() ? x.shape()[d] : 1;
    KAYA_CHECK(n > 0, IndexError, op, ": cannot reduce over a dimension of size 0 (",
               describe(x), ")");
    std::vector<bool> mask(x.dim(), false);
    if (x.dim()) mask[d] = true;
    Shape shape = reduced_shape(x, mask, keepdim);
    Tensor values = Tensor::empty(shape, x.dtype());
    Tensor indices = Tensor::empty(shape, DType::Int64);
    kernels::Loop kept, reduced;
    split_loops(x, mask, kept, reduced);
    const int64_t stride = x.dim() ? x.strides()[d] : 0;
    visit_dtype(x.dtype(), [&]<class T>() {
        if (is_max) {
            kernels::max_forward(values.data<T>(), indices.data<int64_t>(), x.data<T>(), kept, n, stride);
        } else {
            kernels::min_forward(values.data<T>(), indices.data<int64_t>(), x.data<T>(), kept, n, stride);
        }
    });
    if (needs_grad({&x})) {
        Shape in = x.shape();
        Shape keep_shape = reduced_shape(x, mask, true);
        Tensor idx = reshape(indices, keep_shape);
        record(is_max ? "MaxBackward" : "MinBackward", values, {x}, [in, keep_shape, idx, d](const Tensor& g) {
            if (in.empty()) return std::vector<Tensor>{g};
            return std::vector<Tensor>{
                scatter_add(zeros(in, g.dtype()), d, idx, reshape(g, keep_shape))};
        });
    }
    return {values, indices};
}

}  // namespace

ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim) {
    return arg_reduce("max", x, dim, keepdim, true);
}
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim) {
    return arg_reduce("min", x, dim, keepdim, false);
}

Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
    detail::check_inputs("amax", {&x});
    KAYA_CHECK(x.numel() > 0, ValueError, "amax: empty tensor ", describe(x), " has no maximum");
    auto mask = reduce_mask("amax", x, dims);
    Tensor v = detach(x);
    // Reduced dims that are the trailing ones of a contiguous tensor: one pass over rows of
    // their product, instead of one strided pass per dim.
    int64_t first = x.dim();
    while (first > 0 && mask[first - 1]) --first;
    bool trailing = x.is_contiguous() && first < x.dim();
    for (int64_t d = 0; d < first; ++d) trailing = trailing && !mask[d];
    if (trailing) {
        Shape rows(x.shape().begin(), x.shape().begin() + first);
        rows.push_back(-1);
        Shape kept = x.shape();
        for (int64_t d = first; d < x.dim(); ++d) kept[d] = 1;
        if (x.dtype() == DType::Float32 || x.dtype() == DType::Float64) {
            Tensor m = Tensor::empty(kept, x.dtype());
            const int64_t n = x.numel() / m.numel();
            visit_floating(x.dtype(), "amax",
                           [&]<class T>() { kernels::max_rows(m.data<T>(), v.data<T>(), m.numel(), n); });
            v = m;
        } else {
            v = reshape(max(reshape(v, rows), first, true).values, kept);
        }
    } else {
        for (int64_t d = 0; d < x.dim(); ++d) {
            if (mask[d]) v = max(v, d, true).values;
        }
    }
    Tensor out = keepdim ? v : reshape(v, reduced_shape(x, mask, false));
    if (needs_grad({&x})) {
        Shape in = x.shape();
        Tensor vk = v;
        record("AmaxBackward", out, {x}, [x, vk, in, mask](const Tensor& g) {
            // Ties share the gradient evenly, as torch.amax does.
            Tensor hit = to(eq(detach(x), vk), g.dtype());
            std::vector<int64_t> rd;
            for (size_t d = 0; d < in.size(); ++d) {
                if (mask[d]) rd.push_back(static_cast<int64_t>(d));
            }
            Tensor count = sum(hit, rd, true);
            return std::vector<Tensor>{div(mul(expand_back(g, in, mask), hit), count)};
        }, {x});
    }
    return out;
}

Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
    return neg(amax(neg(x), dims, keepdim));
}

Tensor max(const Tensor& x) { return amax(x, {}, false); }
Tensor min(const Tensor& x) { return amin(x, {}, false); }

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
    return max(detach(x), dim, keepdim).indices;
}
Tensor argmax(const Tensor& x) { return argmax(reshape(detach(x), {-1}), 0); }
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) {
    return min(detach(x), dim, keepdim).indices;
}
Tensor argmin(const Tensor& x) { return argmin(reshape(detach(x), {-1}), 0); }

Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
    detail::check_inputs("logsumexp", {&x});
    Tensor xf = is_floating(x.dtype()) ? x : to(x, kDefaultDType);
    if (x.numel() == 0) {
        // log of an empty sum is -inf (torch.logsumexp); there is no max to subtract.
        auto mask = reduce_mask("logsumexp", x, dims);
        return full(reduced_shape(x, mask, keepdim), -INFINITY, xf.dtype());
    }
    // Subtracting the (constant) max keeps exp in range; an all -inf slice uses 0 instead.
    Tensor m = amax(detach(xf), dims, true);
    m = where(isnan(sub(m, m)), zeros_like(m), m);
    Tensor out = add(log(sum(exp(sub(xf, m)), dims, true)), m);
    if (keepdim) return out;
    auto mask = reduce_mask("logsumexp", x, dims);
    return reshape(out, reduced_shape(x, mask, false));
}

Tensor norm(const Tensor& x, double p, const std::vector<int64_t>& dims, bool keepdim) {
    detail::check_inputs("norm", {&x});
    KAYA_CHECK(is_floating(x.dtype()), DTypeError, "norm: expected a floating-point tensor, got ",
               describe(x));
    KAYA_CHECK(p > 0, ValueError, "norm: p must be positive, got ", p);
    if (std::isinf(p)) return amax(abs(x), dims, keepdim);
    if (p == 1.0) return sum(abs(x), dims, keepdim);
    if (p == 2.0) {
        Tensor s = sum(mul(x, x), dims, keepdim);
        // sqrt has an infinite slope at 0; PyTorch defines the norm's gradient there as 0.
        Tensor zero = eq(detach(s), 0);
        Tensor safe = where(zero, ones_like(s), s);
        return where(zero, zeros_like(s), sqrt(safe));
    }
    return pow(sum(pow(abs(x), p), dims, keepdim), 1.0 / p);
}

Tensor softmax(const Tensor& x, int64_t dim) {
    detail::check_inputs("softmax", {&x});
    wrap_dim(dim, x.dim() == 0 ? 1 : x.dim(), "softmax");
    // Nothing to normalise: an empty result of the same shape (PyTorch's rule), still in the graph.
    if (x.numel() == 0) return mul(x, 1.0);
    const int64_t d = dim < 0 ? dim + std::max<int64_t>(x.dim(), 1) : dim;
    if (x.dim() > 0 && d == x.dim() - 1 && x.is_contiguous() && is_floating(x.dtype())) {
        // The common case (attention, classifiers): one pass per row instead of five ops.
        const int64_t n = x.shape().back();
        Tensor out = Tensor::empty(x.shape(), x.dtype());
        visit_floating(x.dtype(), "softmax", [&]<class T>() {
            kernels::softmax_rows<T>(out.data<T>(), x.data<T>(), x.numel() / n, n);
        });
        return detail::with_grad_from_output(
            "SoftmaxBackward", out, x, [d](const Tensor& v) { return softmax(v, d); },
            [d](const Tensor& g, const Tensor& y) { return mul(y, sub(g, sum(mul(g, y), {d}, true))); });
    }
    Tensor e = exp(sub(x, amax(detach(x), {dim}, true)));
    return div(e, sum(e, {dim}, true));
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
    detail::check_inputs("log_softmax", {&x});
    wrap_dim(dim, x.dim() == 0 ? 1 : x.dim(), "log_softmax");
    if (x.numel() == 0) return mul(x, 1.0);
    return sub(x, logsumexp(x, {dim}, true));
}

}  // namespace kaya
