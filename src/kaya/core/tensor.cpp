// SPDX-License-Identifier: MIT
#include "kaya/core/tensor.h"

#include <cstdio>
#include <ostream>
#include <sstream>

namespace kaya {

namespace {
const std::shared_ptr<autograd::Node> kNoNode;
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
    check_sizes(shape, "empty");
    const int64_t n = kaya::numel(shape);
    const auto item = static_cast<int64_t>(dtype_size(dtype));
    KAYA_CHECK(n <= INT64_MAX / item, ValueError, "empty: a ", format_shape(shape), " ", dtype_name(dtype),
               " tensor would take more bytes than an int64 can count");
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = std::make_shared<Storage>(static_cast<size_t>(n * item), device);
    impl->shape = shape;
    impl->strides = contiguous_strides(shape);
    impl->dtype = dtype;
    return Tensor(std::move(impl));
}

int64_t Tensor::size(int64_t d) const { return shape()[wrap_dim(d, dim(), "size")]; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim(d, dim(), "stride")]; }

bool Tensor::is_contiguous() const {
    const auto& sh = shape();
    const auto& st = strides();
    int64_t expected = 1;
    for (size_t i = sh.size(); i-- > 0;) {
        if (sh[i] == 1) continue;  // Stride of a size-1 dim never matters.
        if (st[i] != expected) return false;
        expected *= sh[i];
    }
    return true;
}

template <class T>
T Tensor::item() const {
    KAYA_CHECK(numel() == 1, ValueError, "item: expected a tensor with one element, got ",
               describe(*this));
    return visit_dtype(dtype(), [&]<class S>() {
        return static_cast<T>(*static_cast<const S*>(raw_data()));
    });
}
template bool Tensor::item<bool>() const;
template int64_t Tensor::item<int64_t>() const;
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;

Tensor Tensor::alias(const Shape& shape, const Strides& strides, int64_t offset) const {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = this->impl().storage;
    impl->shape = shape;
    impl->strides = strides;
    impl->offset = offset;
    impl->dtype = dtype();
    impl->is_view = true;
    return Tensor(std::move(impl));
}

AutogradMeta& Tensor::autograd_meta() const {
    auto& i = impl();
    if (!i.autograd) i.autograd = std::make_shared<AutogradMeta>();
    return *i.autograd;
}

Tensor& Tensor::requires_grad_(bool value) {
    KAYA_CHECK(is_leaf(), ValueError,
               "requires_grad_: can only change requires_grad of leaf tensors; use detach() "
               "to get a leaf from ", describe(*this));
    KAYA_CHECK(!value || is_floating(dtype()), DTypeError,
               "requires_grad_: only floating-point tensors can require gradients, got ",
               dtype_name(dtype()));
    autograd_meta().requires_grad = value;
    return *this;
}

Tensor Tensor::grad() const {
    auto& meta = impl().autograd;
    if (!meta || !meta->grad) return Tensor();
    return *meta->grad;
}

void Tensor::set_grad(const Tensor& g) const {
    autograd_meta().grad = g.defined() ? std::make_shared<Tensor>(g) : nullptr;
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
    auto& meta = impl().autograd;
    return meta ? meta->grad_fn : kNoNode;
}

std::string describe(const Tensor& t) {
    if (!t.defined()) return "undefined tensor";
    return format_shape(t.shape()) + " " + std::string(dtype_name(t.dtype()));
}

namespace {

// Recursive printer over a strided view; summarises dimensions longer than 6 with "...".
template <class T>
void print_rec(std::ostream& os, const T* base, const Tensor& t, int64_t d, int64_t off) {
    if (d == t.dim()) {
        if constexpr (std::is_same_v<T, bool>) {
            os << (base[off] ? "True" : "False");
        } else if constexpr (std::is_floating_point_v<T>) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(base[off]));
            os << buf;
        } else {
            os << base[off];
        }
        return;
    }
    os << "[";
    int64_t n = t.shape()[d];
    for (int64_t i = 0; i < n; ++i) {
        if (n > 6 && i == 3) {
            os << "..., ";
            i = n - 3;
        }
        print_rec(os, base, t, d + 1, off + i * t.strides()[d]);
        if (i + 1 < n) os << (d + 1 == t.dim() ? ", " : ",\n");
    }
    os << "]";
}

}  // namespace

std::string Tensor::to_string() const {
    if (!defined()) return "Tensor(undefined)";
    std::ostringstream os;
    os << "tensor(";
    visit_dtype(dtype(), [&]<class T>() {
        print_rec(os, static_cast<const T*>(impl().storage->data()), *this, 0, offset());
    });
    os << ", shape=" << format_shape(shape()) << ", dtype=" << dtype_name(dtype());
    if (requires_grad()) os << ", requires_grad=True";
    os << ")";
    return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.to_string(); }

}  // namespace kaya
