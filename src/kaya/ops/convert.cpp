// SPDX-License-Identifier: MIT
#include "kaya/ops/convert.h"

#include "kaya/ops/internal.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// Dense copy of x converted to dtype, without history.
Tensor convert_copy(const Tensor& x, DType dtype) {
    Tensor out = Tensor::empty(x.shape(), dtype, x.device());
    auto loop = detail::make_loop(out, {&x});
    visit_dtype(dtype, [&]<class O>() {
        visit_dtype(x.dtype(), [&]<class I>() {
            kernels::map_unary(loop, out.data<O>(), x.data<I>(),
                               [](I v) { return static_cast<O>(v); });
        });
    });
    return out;
}

}  // namespace

Tensor to(const Tensor& x, DType dtype) {
    detail::check_inputs("to", {&x});
    if (x.dtype() == dtype) return x;
    Tensor out = convert_copy(x, dtype);
    if (is_floating(x.dtype()) && is_floating(dtype) && needs_grad({&x})) {
        DType back = x.dtype();
        record("ToBackward", out, {x}, [back](const Tensor& g) {
            return std::vector<Tensor>{to(g, back)};
        });
    }
    return out;
}

Tensor contiguous(const Tensor& x) {
    detail::check_inputs("contiguous", {&x});
    return x.is_contiguous() ? x : clone(x);
}

Tensor clone(const Tensor& x) {
    detail::check_inputs("clone", {&x});
    Tensor out = convert_copy(x, x.dtype());
    if (needs_grad({&x})) {
        record("CloneBackward", out, {x}, [](const Tensor& g) { return std::vector<Tensor>{g}; });
    }
    return out;
}

Tensor detach(const Tensor& x) {
    detail::check_inputs("detach", {&x});
    return x.alias(x.shape(), x.strides(), x.offset());
}

}  // namespace kaya
