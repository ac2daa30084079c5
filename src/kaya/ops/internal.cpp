// SPDX-License-Identifier: MIT
#include "kaya/ops/internal.h"

#include <algorithm>
#include <optional>

#include "kaya/ops/convert.h"

namespace kaya::detail {

void check_inputs(std::string_view op, std::initializer_list<const Tensor*> ts) {
    for (const Tensor* t : ts) {
        KAYA_CHECK(t->defined(), ValueError, op, ": got an undefined tensor");
        KAYA_CHECK(t->device().type == DeviceType::CPU, NotImplemented, op,
                   ": no kernel for device ", device_name(t->device()));
        KAYA_CHECK(t->dim() <= kernels::kMaxDims, ShapeError, op, ": tensors with more than ",
                   kernels::kMaxDims, " dimensions are not supported, got ", describe(*t));
    }
}

Strides broadcast_strides(const Tensor& t, const Shape& shape) {
    Strides st(shape.size(), 0);
    size_t lead = shape.size() - t.shape().size();
    for (size_t i = 0; i < t.shape().size(); ++i) {
        st[lead + i] = t.shape()[i] == 1 ? 0 : t.strides()[i];
    }
    return st;
}

namespace {
// True when out and every input are contiguous in out's shape: the common case of an op on
// same-shape tensors, which needs no per-operand strides.
bool all_flat(const Tensor& out, std::initializer_list<const Tensor*> inputs) {
    if (!out.is_contiguous()) return false;
    for (const Tensor* t : inputs) {
        if (t->shape() != out.shape() || !t->is_contiguous()) return false;
    }
    return true;
}
}  // namespace

kernels::Loop make_loop(const Tensor& out, std::initializer_list<const Tensor*> inputs) {
    const int nops = 1 + static_cast<int>(inputs.size());
    if (all_flat(out, inputs)) return kernels::flat_loop(out.numel(), nops);
    Strides st[kernels::kMaxOperands];
    const int64_t* ptrs[kernels::kMaxOperands];
    st[0] = out.strides();
    ptrs[0] = st[0].data();
    int k = 1;
    for (const Tensor* t : inputs) {
        st[k] = broadcast_strides(*t, out.shape());
        ptrs[k] = st[k].data();
        ++k;
    }
    return kernels::make_loop(static_cast<int>(out.dim()), out.shape().data(), k, ptrs);
}

namespace {
int category(DType d) { return d == DType::Bool ? 0 : d == DType::Int64 ? 1 : 2; }

// combine_categories from PyTorch: a lower-priority tier only lifts the category.
DType combine(DType higher, DType lower) {
    if (category(higher) >= category(lower)) return higher;
    return promote_types(higher, lower);
}
}  // namespace

DType result_type(std::initializer_list<const Tensor*> ts) {
    // One dtype throughout: every rule below gives that dtype back.
    const DType first = ts.size() ? (*ts.begin())->dtype() : kDefaultDType;
    if (ts.size() &&
        std::all_of(ts.begin(), ts.end(), [&](const Tensor* t) { return t->dtype() == first; }))
        return first;
    std::optional<DType> dim_r, zero_r, wrapped_r;
    auto fold = [](std::optional<DType>& acc, DType d) { acc = acc ? promote_types(*acc, d) : d; };
    for (const Tensor* t : ts) {
        if (t->impl().wrapped_number) {
            // A wrapped float counts as the default float dtype, not as double.
            fold(wrapped_r, is_floating(t->dtype()) ? kDefaultDType : t->dtype());
        } else if (t->dim() == 0) {
            fold(zero_r, t->dtype());
        } else {
            fold(dim_r, t->dtype());
        }
    }
    if (!dim_r && !zero_r && wrapped_r) {
        // Only numbers (e.g. inside a gradient rule: exponent - 1): keep their full precision.
        std::optional<DType> exact;
        for (const Tensor* t : ts) fold(exact, t->dtype());
        return *exact;
    }
    std::optional<DType> r = dim_r;
    if (zero_r) r = r ? combine(*r, *zero_r) : *zero_r;
    if (wrapped_r) r = r ? combine(*r, *wrapped_r) : *wrapped_r;
    return r.value_or(kDefaultDType);
}

Tensor wrap_scalar(double v) {
    Tensor t = Tensor::empty({}, DType::Float64);
    *t.data<double>() = v;
    t.impl().wrapped_number = true;
    return t;
}

Tensor wrap_scalar(int64_t v) {
    Tensor t = Tensor::empty({}, DType::Int64);
    *t.data<int64_t>() = v;
    t.impl().wrapped_number = true;
    return t;
}

const Tensor& cast_ref(const Tensor& t, DType dt, Tensor& holder) {
    if (t.dtype() == dt) return t;
    holder = to(t, dt);
    return holder;
}

}  // namespace kaya::detail
