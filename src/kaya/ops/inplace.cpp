// SPDX-License-Identifier: MIT
#include "kaya/ops/inplace.h"

#include "kaya/ops/binary.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/internal.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// Writes src (broadcast, cast) into x's memory.
void write_into(const Tensor& x, const Tensor& src) {
    auto loop = detail::make_loop(x, {&src});
    visit_dtype(x.dtype(), [&]<class O>() {
        visit_dtype(src.dtype(), [&]<class I>() {
            kernels::map_unary(loop, x.data<O>(), src.data<I>(),
                               [](I v) { return static_cast<O>(v); });
        });
    });
    x.bump_version();
}

// Validation shared by the in-place ops; returns whether the op must enter the graph.
bool check_inplace(const char* op, const Tensor& x, const Tensor* other) {
    detail::check_inputs(op, {&x});
    if (other) {
        detail::check_inputs(op, {other});
        Shape b = broadcast_shapes(x.shape(), other->shape(), op);
        KAYA_CHECK(b == x.shape(), ShapeError, op, ": cannot write a result of shape ",
                   format_shape(b), " into a tensor of shape ", format_shape(x.shape()),
                   " in place (other is ", describe(*other), ")");
    }
    bool graph = other ? needs_grad({&x, other}) : needs_grad({&x});
    if (!graph) return false;
    KAYA_CHECK(!(x.requires_grad() && x.is_leaf()), ValueError, op,
               ": a leaf tensor that requires grad (", describe(x),
               ") cannot be modified in place; wrap the update in NoGradGuard");
    KAYA_CHECK(!x.impl().is_view, NotImplemented, op,
               ": in-place modification of a view that takes part in autograd is not "
               "supported; use the out-of-place op");
    KAYA_CHECK(is_floating(x.dtype()), DTypeError, op,
               ": a result that requires grad must be floating point, x is ", describe(x));
    return true;
}

// An alias of x carrying x's current history, for use as the "before" value of an in-place
// op. Rebasing x afterwards does not affect it.
Tensor snapshot(const Tensor& x) {
    Tensor old = x.alias(x.shape(), x.strides(), x.offset());
    old.impl().is_view = false;
    if (x.impl().autograd) {
        auto& m = old.autograd_meta();
        m.requires_grad = x.requires_grad();
        m.grad_fn = x.grad_fn();
        if (x.is_leaf()) m.grad_accumulator = x.autograd_meta().grad_accumulator;
    }
    return old;
}

// Copies `result` into x and gives x the result's history.
Tensor& rebase(Tensor& x, const Tensor& result) {
    write_into(x, result);
    auto& m = x.autograd_meta();
    m.requires_grad = result.requires_grad();
    m.grad_fn = result.grad_fn();
    return x;
}

template <class F>
Tensor& inplace_binary(const char* op, Tensor& x, const Tensor& other, F f) {
    // The rule may save the old value of x (mul_ needs it), so it gets its own copy: the
    // write into x must not invalidate it.
    if (check_inplace(op, x, &other)) return rebase(x, f(clone(snapshot(x)), other));
    write_into(x, f(detach(x), other));
    return x;
}

}  // namespace

Tensor& copy_(Tensor& x, const Tensor& src) {
    if (check_inplace("copy_", x, &src)) {
        // The old value of x is overwritten, so only src receives a gradient.
        Shape xs = x.shape();
        Tensor result = Tensor::empty(xs, x.dtype());
        write_into(result, src);
        Shape ss = src.shape();
        DType sd = src.dtype();
        record("CopyBackward", result, {src},
               [ss, sd](const Tensor& g) { return std::vector<Tensor>{to(sum_to(g, ss), sd)}; });
        return rebase(x, result);
    }
    write_into(x, src);
    return x;
}

Tensor& fill_(Tensor& x, double value) {
    Tensor v = detail::wrap_scalar(value);
    if (check_inplace("fill_", x, nullptr)) {
        Tensor result = Tensor::empty(x.shape(), x.dtype());
        write_into(result, v);
        record("FillBackward", result, {}, [](const Tensor&) { return std::vector<Tensor>{}; });
        return rebase(x, result);
    }
    write_into(x, v);
    return x;
}

Tensor& zero_(Tensor& x) { return fill_(x, 0.0); }

Tensor& add_(Tensor& x, const Tensor& other, double alpha) {
    return inplace_binary("add_", x, other, [alpha](const Tensor& a, const Tensor& b) {
        return alpha == 1.0 ? add(a, b) : add(a, mul(b, alpha));
    });
}
Tensor& sub_(Tensor& x, const Tensor& other) {
    return inplace_binary("sub_", x, other,
                          [](const Tensor& a, const Tensor& b) { return sub(a, b); });
}
Tensor& mul_(Tensor& x, const Tensor& other) {
    return inplace_binary("mul_", x, other,
                          [](const Tensor& a, const Tensor& b) { return mul(a, b); });
}
Tensor& div_(Tensor& x, const Tensor& other) {
    return inplace_binary("div_", x, other,
                          [](const Tensor& a, const Tensor& b) { return div(a, b); });
}
Tensor& add_(Tensor& x, double other) { return add_(x, detail::wrap_scalar(other)); }
Tensor& mul_(Tensor& x, double other) { return mul_(x, detail::wrap_scalar(other)); }

}  // namespace kaya
