// SPDX-License-Identifier: MIT
#include "kaya/curvature/derivatives.h"

#include <cmath>
#include <cstring>

#include "kaya/autograd/engine.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/core/parallel.h"
#include "kaya/ops/ops.h"

namespace kaya::curvature {

namespace {

// Copies t's elements (any strides, dtype dt) to dst.
void copy_elements(const Tensor& t, DType dt, char* dst) {
    Tensor c = contiguous(t.dtype() == dt ? t : to(t, dt));
    std::memcpy(dst, c.raw_data(), static_cast<size_t>(c.numel()) * dtype_size(dt));
}

// The pieces one after another into a new 1-D tensor of dtype dt; an undefined piece (a
// parameter the result does not depend on) is zeros of its parameter's size.
Tensor join(const std::vector<Tensor>& pieces, const std::vector<Tensor>& like, DType dt) {
    Tensor out = Tensor::empty({total_numel(like)}, dt);
    char* dst = static_cast<char*>(out.raw_data());
    for (size_t i = 0; i < like.size(); ++i) {
        size_t bytes = static_cast<size_t>(like[i].numel()) * dtype_size(dt);
        if (i < pieces.size() && pieces[i].defined()) {
            copy_elements(pieces[i], dt, dst);
        } else {
            std::memset(dst, 0, bytes);
        }
        dst += bytes;
    }
    return out;
}

void check_params(const std::vector<Tensor>& params, const char* fn) {
    KAYA_CHECK(!params.empty(), ValueError, fn, ": no parameters given");
    for (size_t i = 0; i < params.size(); ++i) {
        const Tensor& p = params[i];
        KAYA_CHECK(p.defined() && p.requires_grad() && p.is_leaf(), ValueError, fn,
                   ": parameter ", i, " (", p.defined() ? describe(p) : "undefined",
                   ") must be a leaf tensor that requires grad");
        KAYA_CHECK(is_floating(p.dtype()) && p.dtype() == params[0].dtype(), DTypeError, fn,
                   ": parameter ", i, " is ", describe(p), "; all parameters must be float32 or"
                   " all float64 (parameter 0 is ", dtype_name(params[0].dtype()), ")");
    }
}

void check_full_size(int64_t n, int64_t max_size, const char* fn) {
    KAYA_CHECK(n <= max_size, ValueError, fn, ": the full Hessian of ", n, " parameters is a ", n,
               " x ", n, " matrix (", static_cast<double>(n) * static_cast<double>(n) * 8 / 1e9,
               " GB in float64), above the limit of ", max_size,
               " parameters; use Hessian-vector products (HessianOperator::apply) and"
               " curvature::lanczos for its extreme eigenvalues");
}

}  // namespace

int64_t total_numel(const std::vector<Tensor>& tensors) {
    int64_t n = 0;
    for (const auto& t : tensors) n += t.numel();
    return n;
}

Tensor flatten_all(const std::vector<Tensor>& tensors) {
    KAYA_CHECK(!tensors.empty(), ValueError, "flatten_all: no tensors given");
    return join(tensors, tensors, tensors[0].dtype());
}

std::vector<Tensor> unflatten_like(const Tensor& flat, const std::vector<Tensor>& like) {
    KAYA_CHECK(flat.dim() == 1 && flat.numel() == total_numel(like), ShapeError,
               "unflatten_like: expected a 1-D tensor of ", total_numel(like),
               " elements (the parameters' total), got ", describe(flat));
    std::vector<Tensor> out;
    int64_t start = 0;
    for (const auto& t : like) {
        out.push_back(reshape(narrow(flat, 0, start, t.numel()), t.shape()));
        start += t.numel();
    }
    return out;
}

HessianOperator::HessianOperator(const std::function<Tensor()>& loss_fn,
                                 std::vector<Tensor> params)
    : params_(std::move(params)) {
    check_params(params_, "HessianOperator");
    dtype_ = params_[0].dtype();
    size_ = total_numel(params_);
    autograd::GradModeGuard grad_on(true);
    Tensor loss = loss_fn();
    KAYA_CHECK(loss.defined() && loss.numel() == 1, ShapeError,
               "HessianOperator: the loss must be a one-element tensor, got ",
               loss.defined() ? describe(loss) : "an undefined tensor");
    KAYA_CHECK(loss.requires_grad(), ValueError,
               "HessianOperator: the loss does not depend on the parameters (it has no graph)");
    loss_value_ = to(detach(loss), DType::Float64).item<double>();
    KAYA_CHECK(std::isfinite(loss_value_), ValueError, "HessianOperator: the loss is ",
               loss_value_, " at this point; its derivatives are meaningless");
    grads_ = autograd::grad({loss}, params_, {},
                            {.retain_graph = true, .create_graph = true, .allow_unused = true});
    std::vector<Tensor> outputs;
    for (size_t i = 0; i < grads_.size(); ++i) {
        if (grads_[i].defined() && grads_[i].requires_grad()) {
            dependent_.push_back(i);
            outputs.push_back(grads_[i]);
        }
    }
    if (!outputs.empty()) plan_ = std::make_shared<autograd::GradPlan>(outputs, params_);
    gradient_ = join(grads_, params_, dtype_);
}

double HessianOperator::gradient_norm() const {
    return to(norm(gradient_), DType::Float64).item<double>();
}

Tensor HessianOperator::apply(const Tensor& v) const {
    KAYA_CHECK(v.defined() && v.dim() == 1 && v.numel() == size_, ShapeError,
               "HessianOperator::apply: expected a 1-D vector of ", size_,
               " elements (one per parameter), got ", v.defined() ? describe(v) : "undefined");
    KAYA_CHECK(is_floating(v.dtype()), DTypeError, "HessianOperator::apply: vector is ",
               describe(v), "; expected float32 or float64");
    if (dependent_.empty()) return zeros({size_}, dtype_);  // The loss is at most linear.
    autograd::NoGradGuard no_grad;
    Tensor vd = contiguous(v.dtype() == dtype_ ? detach(v) : to(detach(v), dtype_));
    auto pieces = unflatten_like(vd, params_);
    std::vector<Tensor> seeds;
    for (size_t i : dependent_) seeds.push_back(pieces[i]);
    return join(plan_->run(seeds), params_, dtype_);
}

Tensor HessianOperator::matrix(int64_t max_size) const {
    check_full_size(size_, max_size, "HessianOperator::matrix");
    Tensor h = Tensor::empty({size_, size_}, dtype_);
    const size_t row_bytes = static_cast<size_t>(size_) * dtype_size(dtype_);
    char* dst = static_cast<char*>(h.raw_data());
    // Rows are independent passes over the kept graph (read only): the threads share them out,
    // each running its passes serially, and every row is the same whichever thread computes it.
    parallel_for(size_, 8, [&](int64_t begin, int64_t end) {
        Tensor e = zeros({size_}, dtype_);
        visit_dtype(dtype_, [&]<class T>() {
            T* ep = e.data<T>();
            for (int64_t i = begin; i < end; ++i) {
                ep[i] = T(1);
                e.bump_version();
                Tensor row = apply(e);
                std::memcpy(dst + static_cast<size_t>(i) * row_bytes, row.raw_data(), row_bytes);
                ep[i] = T(0);
            }
        });
    });
    return h;
}

Tensor hvp(const std::function<Tensor()>& loss_fn, const std::vector<Tensor>& params,
           const Tensor& v) {
    return HessianOperator(loss_fn, params).apply(v);
}

Tensor hessian(const std::function<Tensor()>& loss_fn, const std::vector<Tensor>& params,
               int64_t max_size) {
    check_params(params, "hessian");
    check_full_size(total_numel(params), max_size, "hessian");
    return HessianOperator(loss_fn, params).matrix(max_size);
}

Tensor jacobian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
    KAYA_CHECK(x.defined() && is_floating(x.dtype()), DTypeError, "jacobian: x must be float32"
               " or float64, got ", x.defined() ? describe(x) : "an undefined tensor");
    autograd::GradModeGuard grad_on(true);
    Tensor xi = detach(x).requires_grad_(true);
    Tensor y = f(xi);
    KAYA_CHECK(y.defined(), ValueError, "jacobian: f returned an undefined tensor");
    Shape shape = y.shape();
    shape.insert(shape.end(), x.shape().begin(), x.shape().end());
    Tensor jac = zeros({y.numel(), x.numel()}, y.dtype());
    if (!y.requires_grad()) return reshape(jac, shape);  // f does not depend on x.
    Tensor flat = reshape(y, {y.numel()});
    autograd::GradPlan plan({flat}, {xi});
    Tensor seed = zeros({y.numel()}, y.dtype());
    const size_t row_bytes = static_cast<size_t>(x.numel()) * dtype_size(y.dtype());
    char* dst = static_cast<char*>(jac.raw_data());
    visit_dtype(y.dtype(), [&]<class T>() {
        T* sp = seed.data<T>();
        for (int64_t i = 0; i < y.numel(); ++i) {
            sp[i] = T(1);
            seed.bump_version();
            auto g = plan.run({seed});
            if (g[0].defined()) copy_elements(g[0], y.dtype(), dst + static_cast<size_t>(i) * row_bytes);
            sp[i] = T(0);
        }
    });
    return reshape(jac, shape);
}

Tensor hessian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x, int64_t max_size) {
    KAYA_CHECK(x.defined() && is_floating(x.dtype()), DTypeError, "hessian: x must be float32"
               " or float64, got ", x.defined() ? describe(x) : "an undefined tensor");
    check_full_size(x.numel(), max_size, "hessian");
    Tensor xi = detach(x).requires_grad_(true);
    Tensor h = HessianOperator([&] { return f(xi); }, {xi}).matrix(max_size);
    Shape shape = x.shape();
    shape.insert(shape.end(), x.shape().begin(), x.shape().end());
    return reshape(h, shape);
}

}  // namespace kaya::curvature
