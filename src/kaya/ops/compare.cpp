// SPDX-License-Identifier: MIT
#include "kaya/ops/compare.h"

#include "kaya/ops/binary.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/internal.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// Runs pred(a, b) -> bool in the promoted dtype of a and b.
template <class Pred>
Tensor predicate(const char* op, const Tensor& a, const Tensor& b, Pred pred) {
    detail::check_inputs(op, {&a, &b});
    DType dt = detail::result_type({&a, &b});
    Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
    Tensor converted_a, converted_b;
    const Tensor& ca = detail::cast_ref(a, dt, converted_a);
    const Tensor& cb = detail::cast_ref(b, dt, converted_b);
    Tensor out = Tensor::empty(shape, DType::Bool);
    auto loop = detail::make_loop(out, {&ca, &cb});
    visit_dtype(dt, [&]<class T>() {
        kernels::map_binary(loop, out.data<bool>(), ca.data<T>(), cb.data<T>(), pred);
    });
    return out;
}

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) {
    return predicate("eq", a, b, [](auto x, auto y) { return x == y; });
}
Tensor ne(const Tensor& a, const Tensor& b) {
    return predicate("ne", a, b, [](auto x, auto y) { return x != y; });
}
Tensor lt(const Tensor& a, const Tensor& b) {
    return predicate("lt", a, b, [](auto x, auto y) { return x < y; });
}
Tensor le(const Tensor& a, const Tensor& b) {
    return predicate("le", a, b, [](auto x, auto y) { return x <= y; });
}
Tensor gt(const Tensor& a, const Tensor& b) {
    return predicate("gt", a, b, [](auto x, auto y) { return x > y; });
}
Tensor ge(const Tensor& a, const Tensor& b) {
    return predicate("ge", a, b, [](auto x, auto y) { return x >= y; });
}
Tensor eq(const Tensor& a, Scalar b) { return eq(a, b.to_tensor()); }
Tensor ne(const Tensor& a, Scalar b) { return ne(a, b.to_tensor()); }
Tensor lt(const Tensor& a, Scalar b) { return lt(a, b.to_tensor()); }
Tensor le(const Tensor& a, Scalar b) { return le(a, b.to_tensor()); }
Tensor gt(const Tensor& a, Scalar b) { return gt(a, b.to_tensor()); }
Tensor ge(const Tensor& a, Scalar b) { return ge(a, b.to_tensor()); }

Tensor logical_and(const Tensor& a, const Tensor& b) {
    return predicate("logical_and", a, b, [](auto x, auto y) { return bool(x) && bool(y); });
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
    return predicate("logical_or", a, b, [](auto x, auto y) { return bool(x) || bool(y); });
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
    return predicate("logical_xor", a, b, [](auto x, auto y) { return bool(x) != bool(y); });
}
Tensor logical_not(const Tensor& a) {
    detail::check_inputs("logical_not", {&a});
    Tensor out = Tensor::empty(a.shape(), DType::Bool);
    auto loop = detail::make_loop(out, {&a});
    visit_dtype(a.dtype(), [&]<class T>() {
        kernels::map_unary(loop, out.data<bool>(), a.data<T>(), [](T v) { return !bool(v); });
    });
    return out;
}
Tensor isnan(const Tensor& x) { return ne(x, x); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
    detail::check_inputs("where", {&cond, &a, &b});
    KAYA_CHECK(cond.dtype() == DType::Bool, DTypeError,
               "where: condition must be a bool tensor, got ", describe(cond));
    DType dt = detail::result_type({&a, &b});
    Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"),
                                   b.shape(), "where");
    Tensor converted_a, converted_b;
    const Tensor& ca = detail::cast_ref(a, dt, converted_a);
    const Tensor& cb = detail::cast_ref(b, dt, converted_b);
    Tensor out = Tensor::empty(shape, dt);
    auto loop = detail::make_loop(out, {&cond, &ca, &cb});
    visit_dtype(dt, [&]<class T>() {
        kernels::map_ternary(loop, out.data<T>(), cond.data<bool>(), ca.data<T>(), cb.data<T>(),
                             [](bool c, T x, T y) { return c ? x : y; });
    });
    if (needs_grad({&a, &b})) {
        bool ga = a.requires_grad(), gb = b.requires_grad();
        Shape sa = a.shape(), sb = b.shape();
        DType ta = a.dtype(), tb = b.dtype();
        record("WhereBackward", out, {a, b}, [=](const Tensor& g) {
            Tensor z = zeros_like(g);
            return std::vector<Tensor>{ga ? sum_to(where(cond, g, z), sa, ta) : Tensor(),
                                       gb ? sum_to(where(cond, z, g), sb, tb) : Tensor()};
        }, {cond});
    }
    return out;
}

Tensor where(const Tensor& cond, const Tensor& a, Scalar b) {
    return where(cond, a, b.to_tensor());
}

}  // namespace kaya
