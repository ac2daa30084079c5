// SPDX-License-Identifier: MIT
#include "kaya/autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "kaya/autograd/engine.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/core/random.h"

namespace kaya::autograd {

namespace {

// Pointer to flat element k (row-major order) of a strided float64 tensor.
double* element(const Tensor& t, int64_t k) {
    int64_t off = 0;
    for (int64_t d = t.dim() - 1; d >= 0; --d) {
        int64_t s = t.shape()[d];
        off += (k % s) * t.strides()[d];
        k /= s;
    }
    return t.data<double>() + off;
}

std::vector<double> flatten_outputs(const std::vector<Tensor>& outs) {
    std::vector<double> v;
    for (const auto& o : outs) {
        KAYA_CHECK(o.dtype() == DType::Float64, ValueError,
                   "gradcheck: outputs must be float64, got ", describe(o));
        for (int64_t k = 0; k < o.numel(); ++k) v.push_back(*element(o, k));
    }
    return v;
}

Tensor dense_from(const std::vector<double>& v, size_t start, const Shape& shape) {
    Tensor t = Tensor::empty(shape, DType::Float64);
    for (int64_t k = 0; k < t.numel(); ++k) t.data<double>()[k] = v[start + k];
    return t;
}

// Vector-Jacobian product: returns, per input, u^T J (flattened), via one backward call.
std::vector<std::vector<double>> vjp(const Function& f, const std::vector<Tensor>& inputs,
                                     const std::vector<double>& u) {
    GradModeGuard on(true);
    auto outs = f(inputs);
    std::vector<Tensor> roots, seeds, wrt;
    size_t pos = 0;
    for (const auto& o : outs) {
        if (o.requires_grad()) {
            roots.push_back(o);
            seeds.push_back(dense_from(u, pos, o.shape()));
        }
        pos += o.numel();
    }
    std::vector<int> which;
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].requires_grad()) {
            wrt.push_back(inputs[i]);
            which.push_back(static_cast<int>(i));
        }
    }
    std::vector<std::vector<double>> result(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) result[i].assign(inputs[i].numel(), 0.0);
    if (roots.empty()) return result;  // Outputs independent of the inputs: J = 0.
    auto grads = grad(roots, wrt, seeds, {.allow_unused = true});
    for (size_t j = 0; j < wrt.size(); ++j) {
        if (!grads[j].defined()) continue;
        for (int64_t k = 0; k < grads[j].numel(); ++k) result[which[j]][k] = *element(grads[j], k);
    }
    return result;
}

}  // namespace

GradcheckResult gradcheck(const Function& f, const std::vector<Tensor>& inputs,
                          GradcheckOptions opt) {
    for (size_t i = 0; i < inputs.size(); ++i) {
        KAYA_CHECK(!inputs[i].requires_grad() || inputs[i].dtype() == DType::Float64, ValueError,
                   "gradcheck: input ", i, " is ", describe(inputs[i]),
                   "; gradients are checked in float64 only");
    }
    std::vector<double> base;
    {
        NoGradGuard ng;
        base = flatten_outputs(f(inputs));
    }
    const int64_t m = static_cast<int64_t>(base.size());
    // Numerical Jacobian columns, one per input element.
    std::vector<std::vector<std::vector<double>>> numeric(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].requires_grad()) continue;
        for (int64_t k = 0; k < inputs[i].numel(); ++k) {
            double* p = element(inputs[i], k);
            const double orig = *p;
            std::vector<double> plus, minus;
            {
                NoGradGuard ng;
                *p = orig + opt.eps;
                plus = flatten_outputs(f(inputs));
                *p = orig - opt.eps;
                minus = flatten_outputs(f(inputs));
                *p = orig;
            }
            std::vector<double> col(m);
            for (int64_t j = 0; j < m; ++j) col[j] = (plus[j] - minus[j]) / (2 * opt.eps);
            numeric[i].push_back(std::move(col));
        }
    }
    // Probe vectors: unit vectors (full Jacobian) or fixed-seed random ones.
    std::vector<std::vector<double>> probes;
    if (m <= opt.full_jacobian_limit) {
        for (int64_t j = 0; j < m; ++j) {
            probes.emplace_back(m, 0.0);
            probes.back()[j] = 1.0;
        }
    } else {
        Generator g(1234);
        for (int r = 0; r < opt.num_vjp; ++r) {
            probes.emplace_back(m);
            for (int64_t j = 0; j < m; ++j) probes.back()[j] = 2.0 * g.uniform(g.reserve(1)) - 1.0;
        }
    }
    GradcheckResult res;
    double worst = 0;
    for (size_t r = 0; r < probes.size(); ++r) {
        auto analytic = vjp(f, inputs, probes[r]);
        for (size_t i = 0; i < inputs.size(); ++i) {
            if (!inputs[i].requires_grad()) continue;
            for (int64_t k = 0; k < inputs[i].numel(); ++k) {
                double num = 0;
                for (int64_t j = 0; j < m; ++j) num += probes[r][j] * numeric[i][k][j];
                double ana = analytic[i][k];
                double err = std::abs(ana - num) - (opt.atol + opt.rtol * std::abs(num));
                if (err > worst || (std::isnan(ana) != std::isnan(num))) {
                    worst = std::max(err, worst);
                    std::ostringstream os;
                    os << "gradcheck: mismatch for input " << i << " element " << k
                       << (m <= opt.full_jacobian_limit ? " output element " : " probe ") << r
                       << ": numerical " << num << " vs analytical " << ana;
                    res.ok = false;
                    res.message = os.str();
                }
            }
        }
    }
    return res;
}

GradcheckResult gradgradcheck(const Function& f, const std::vector<Tensor>& inputs,
                              GradcheckOptions opt) {
    std::vector<Tensor> outs;
    {
        NoGradGuard ng;
        outs = f(inputs);
    }
    // Fixed random seeds for the first backward; they become extra inputs.
    Generator g(4321);
    std::vector<Tensor> all = inputs;
    for (const auto& o : outs) {
        Tensor v = Tensor::empty(o.shape(), DType::Float64);
        for (int64_t k = 0; k < v.numel(); ++k) v.data<double>()[k] = 2.0 * g.uniform(g.reserve(1)) - 1.0;
        v.requires_grad_(true);
        all.push_back(v);
    }
    const size_t n_in = inputs.size();
    Function first_grad = [f, n_in](const std::vector<Tensor>& xs) {
        GradModeGuard on(true);  // The first derivative needs a graph even in numeric passes.
        std::vector<Tensor> ins(xs.begin(), xs.begin() + n_in);
        auto ys = f(ins);
        std::vector<Tensor> roots, seeds, wrt;
        for (size_t j = 0; j < ys.size(); ++j) {
            if (ys[j].requires_grad()) {
                roots.push_back(ys[j]);
                seeds.push_back(xs[n_in + j]);
            }
        }
        for (const auto& x : ins) {
            if (x.requires_grad()) wrt.push_back(x);
        }
        std::vector<Tensor> result;
        if (roots.empty()) return result;
        auto grads = grad(roots, wrt, seeds, {.create_graph = true, .allow_unused = true});
        for (auto& gr : grads) {
            if (gr.defined()) result.push_back(gr);
        }
        return result;
    };
    return gradcheck(first_grad, all, opt);
}

}  // namespace kaya::autograd
