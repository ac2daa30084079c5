// SPDX-License-Identifier: MIT
// Scaffolding shared by the one-input elementwise ops (ops/unary.cpp, ops/activation.cpp):
// validation, output dtype, the strided loop, and recording a one-input gradient rule. Internal
// to the ops library.
#pragma once

#include "kaya/autograd/grad_mode.h"
#include "kaya/autograd/node.h"
#include "kaya/kernels/ref/loop.h"
#include "kaya/ops/internal.h"

namespace kaya::detail {

enum class Domain { Float, Numeric };

// Validates x, picks the output dtype and runs f elementwise. Float-domain functions compute
// integer inputs in float32.
template <Domain domain, class F>
Tensor unary(const char* op, const Tensor& x, F f) {
    constexpr bool kFloatOnly = domain == Domain::Float;
    detail::check_inputs(op, {&x});
    DType dt = x.dtype();
    if (domain == Domain::Float && !is_floating(dt)) dt = kDefaultDType;
    KAYA_CHECK(dt != DType::Bool, DTypeError, op, ": not supported for bool tensors, got ",
               describe(x));
    Tensor converted;
    const Tensor& cx = detail::cast_ref(x, dt, converted);
    Tensor out = Tensor::empty(x.shape(), dt);
    auto loop = detail::make_loop(out, {&cx});
    auto run = [&]<class T>() { kernels::map_unary(loop, out.data<T>(), cx.data<T>(), f); };
    // Float-domain formulas are only instantiated for float and double.
    if constexpr (kFloatOnly) {
        visit_floating(dt, op, run);
    } else {
        visit_numeric(dt, op, run);
    }
    return out;
}

// Records a one-input rule: grad_x = rule(g, x) for x that requires grad.
template <class Rule>
Tensor with_grad(const char* name, Tensor out, const Tensor& x, Rule rule) {
    if (autograd::needs_grad({&x})) {
        autograd::record(name, out, {x},
                         [x, rule](const Tensor& g) { return std::vector<Tensor>{rule(g, x)}; },
                         {x});
    }
    return out;
}

// Records a one-input rule written with the op's output y (as PyTorch's tanh_backward takes the
// result): grad_x = rule(g, y). In a plain backward y is the output saved without history (no
// recomputation). Under create_graph it must carry history: the output itself while it is
// alive (its grad_fn is this very node, so the rule's ops differentiate through it; the node
// holds it only weakly, so there is no cycle), else recomputed as forward(x). Changing the
// output in place afterwards is reported, as in PyTorch.
template <class Forward, class Rule>
Tensor with_grad_from_output(const char* name, Tensor out, const Tensor& x, Forward forward, Rule rule) {
    if (autograd::needs_grad({&x})) {
        Tensor y = out.alias(out.shape(), out.strides(), out.offset());
        std::weak_ptr<TensorImpl> self = out.impl_ptr();
        autograd::record(
            name, out, {x},
            [x, y, self, forward, rule](const Tensor& g) {
                if (!autograd::is_grad_enabled()) return std::vector<Tensor>{rule(g, y)};
                auto impl = self.lock();
                return std::vector<Tensor>{rule(g, impl ? Tensor(impl) : forward(x))};
            },
            {x, y});
    }
    return out;
}

}  // namespace kaya::detail
