// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kaya/core/dtype.h"
#include "kaya/core/error.h"
#include "kaya/core/shape.h"
#include "kaya/core/storage.h"

namespace kaya {

namespace autograd {
class Node;  // Defined in kaya/autograd; core only holds pointers to it.
}

class Tensor;

// Autograd bookkeeping of one tensor, allocated only for tensors that take part in a graph.
struct AutogradMeta {
    bool requires_grad = false;
    bool retains_grad = false;
    std::shared_ptr<Tensor> grad;                       // .grad of a leaf (or retained non-leaf)
    std::shared_ptr<autograd::Node> grad_fn;            // node that produced it; null for leaves
    std::weak_ptr<autograd::Node> grad_accumulator;     // leaf's accumulator, owned by graphs
    // Called after backward has accumulated a pass's gradient into a leaf's .grad
    // (autograd::add_post_accumulate_grad_hook); id and function.
    std::vector<std::pair<int64_t, std::function<void(const Tensor&)>>> post_accumulate_hooks;
};

// Shared state behind a Tensor handle: storage, view geometry and autograd metadata.
struct TensorImpl {
    std::shared_ptr<Storage> storage;
    Shape shape;
    Strides strides;
    int64_t offset = 0;  // In elements.
    DType dtype = kDefaultDType;
    // A 0-dim tensor made from a C++ number (x * 2.0): it takes part in type promotion
    // with the lowest priority, like a Python scalar in PyTorch.
    bool wrapped_number = false;
    // Made by a view op, so it shares memory with a tensor that may be in a graph.
    bool is_view = false;
    std::shared_ptr<AutogradMeta> autograd;
};

// A cheap value handle (one shared pointer) to an n-dimensional strided view of a Storage.
// Copying a Tensor shares the data, like torch.Tensor in Python. Math lives in kaya/ops as free
// functions (kaya::exp(x), a + b); the gradient machinery in kaya/autograd.
class Tensor {
public:
    // An undefined tensor (defined() is false), used for "no gradient".
    Tensor() = default;
    explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

    // New uninitialised dense tensor.
    static Tensor empty(const Shape& shape, DType dtype = kDefaultDType, Device device = kCPU);

    bool defined() const { return impl_ != nullptr; }
    const Shape& shape() const { return impl().shape; }
    const Strides& strides() const { return impl().strides; }
    int64_t dim() const { return static_cast<int64_t>(impl().shape.size()); }
    // Size of dimension d (negative counts from the end); throws IndexError.
    int64_t size(int64_t d) const;
    int64_t stride(int64_t d) const;
    int64_t numel() const { return kaya::numel(impl().shape); }
    int64_t offset() const { return impl().offset; }
    DType dtype() const { return impl().dtype; }
    Device device() const { return impl().storage->device(); }
    bool is_contiguous() const;
    const std::shared_ptr<Storage>& storage() const { return impl().storage; }
    uint64_t version() const { return impl().storage->version(); }
    // Marks the memory as modified in place; autograd compares versions of saved tensors.
    void bump_version() const { impl().storage->bump_version(); }

    // Pointer to the first element (offset applied); throws DTypeError when T does not match.
    template <class T>
    T* data() const {
        KAYA_CHECK(dtype_of<T>() == dtype(), DTypeError, "Tensor::data: tensor is ",
                   dtype_name(dtype()), ", requested ", dtype_name(dtype_of<T>()));
        return static_cast<T*>(impl().storage->data()) + impl().offset;
    }
    void* raw_data() const {
        return static_cast<char*>(impl().storage->data()) + impl().offset * dtype_size(dtype());
    }
    // The single element of a one-element tensor converted to T; throws ValueError otherwise.
    template <class T>
    T item() const;

    // A new handle on the same storage with other geometry and no autograd history.
    Tensor alias(const Shape& shape, const Strides& strides, int64_t offset) const;

    // Autograd state. requires_grad_ may only be set on leaves, as in PyTorch.
    bool requires_grad() const { return impl_ && impl_->autograd && impl_->autograd->requires_grad; }
    Tensor& requires_grad_(bool value = true);
    bool is_leaf() const { return !grad_fn(); }
    // Accumulated gradient (undefined until backward reaches this tensor).
    Tensor grad() const;
    void set_grad(const Tensor& g) const;
    const std::shared_ptr<autograd::Node>& grad_fn() const;
    AutogradMeta& autograd_meta() const;  // Creates the meta on first use.

    TensorImpl& impl() const {
        KAYA_CHECK(impl_ != nullptr, ValueError, "operation on an undefined tensor");
        return *impl_;
    }
    const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
    bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

    // PyTorch-like text: values, shape and dtype (large tensors are summarised).
    std::string to_string() const;

private:
    std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// Named tensors in a fixed order, as PyTorch's state_dict: "0.weight", "fc.bias", ...
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// "[2, 3] float32" for error messages.
std::string describe(const Tensor& t);

}  // namespace kaya
