// SPDX-License-Identifier: MIT
#include "kaya/ops/conv.h"

#include <optional>

#include "kaya/kernels/conv/conv.h"
#include "kaya/ops/activation.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/reduce.h"
#include "kaya/ops/view.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

std::string pair_text(const std::array<int64_t, 2>& p) {
    std::string s = "(";  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "(" + to_string().
    s += std::to_string(p[0]);
    s += ", ";
    s += std::to_string(p[1]);
    return s + ")";
}

// Validates the parameters and shapes of one convolution and returns its geometry. Every
// op here builds it from (input shape, weight shape), so all three agree on what they accept.
kernels::ConvGeometry geometry(const char* op, const Shape& x, const Shape& w, const Conv2dParams& p) {
    for (int d = 0; d < 2; ++d) {
        KAYA_CHECK(p.stride[d] >= 1, ValueError, op, ": stride must be positive, got ", pair_text(p.stride));
        KAYA_CHECK(p.padding[d] >= 0, ValueError, op, ": padding must be non-negative, got ",
                   pair_text(p.padding));
        KAYA_CHECK(p.dilation[d] >= 1, ValueError, op, ": dilation must be positive, got ",
                   pair_text(p.dilation));
    }
    KAYA_CHECK(p.groups >= 1, ValueError, op, ": groups must be positive, got ", p.groups);
    KAYA_CHECK(x.size() == 4, ShapeError, op, ": expected a 4-D input (N, C, H, W), got shape ",
               format_shape(x));
    KAYA_CHECK(w.size() == 4, ShapeError, op, ": expected a 4-D weight (out_channels, in_channels / groups, kH, kW), got shape ",
               format_shape(w));
    KAYA_CHECK(w[0] > 0 && w[1] > 0 && w[2] > 0 && w[3] > 0, ShapeError, op,
               ": weight dimensions must be positive, got shape ", format_shape(w));
    KAYA_CHECK(w[0] % p.groups == 0, ShapeError, op, ": out_channels ", w[0], " is not divisible by groups ",
               p.groups);
    KAYA_CHECK(x[1] == w[1] * p.groups, ShapeError, op, ": input has ", x[1], " channels (shape ",
               format_shape(x), "), but weight ", format_shape(w), " with groups=", p.groups, " expects ",
               w[1] * p.groups);
    kernels::ConvGeometry g{.N = x[0], .C = x[1], .H = x[2], .W = x[3], .O = w[0], .KH = w[2], .KW = w[3],
                            .stride_h = p.stride[0], .stride_w = p.stride[1], .pad_h = p.padding[0],
                            .pad_w = p.padding[1], .dil_h = p.dilation[0], .dil_w = p.dilation[1],
                            .groups = p.groups};
    KAYA_CHECK(g.resolve(), ShapeError, op, ": the input ", format_shape(x), " padded by ", pair_text(p.padding),
               " is smaller than the kernel ", w[2], "x", w[3], " dilated by ", pair_text(p.dilation));
    return g;
}

void check_floating_pair(const char* op, const Tensor& a, const Tensor& b) {
    KAYA_CHECK(a.dtype() == b.dtype(), DTypeError, op, ": expected the same dtype, got ", describe(a), " and ",
               describe(b));
    KAYA_CHECK(is_floating(a.dtype()), DTypeError, op, ": expected float32 or float64 tensors, got ",
               describe(a));
}

Shape output_shape(const kernels::ConvGeometry& g) { return {g.N, g.O, g.HO, g.WO}; }

void check_grad_output(const char* op, const kernels::ConvGeometry& g, const Tensor& gy) {
    KAYA_CHECK(gy.shape() == output_shape(g), ShapeError, op, ": expected grad_output of shape ",
               format_shape(output_shape(g)), " (the conv2d output), got ", describe(gy));
}

Tensor weight_grad(const Tensor& input, const Shape& weight_shape, const Tensor& grad_output,
                   const Conv2dParams& params, const Tensor& kept);

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Conv2dParams& params) {
    return conv2d(input, weight, bias, params, Conv2dEpilogue{});
}

namespace {

// The epilogue as ops over a finished output y.
Tensor epilogue_ops(Tensor y, const Conv2dEpilogue& e) {
    if (e.add.defined()) y = add(y, e.add);
    return e.relu ? relu(y) : y;
}

// The kernel's form of e's add for an output of geometry g (undefined: no add), or nothing when
// the ops must run instead: an add the kernel does not take (another shape or dtype).
std::optional<Tensor> fusable_add(const kernels::ConvGeometry& g, const Tensor& input,
                                  const Conv2dEpilogue& e) {
    if (!e.add.defined()) return Tensor();
    const Shape per_channel{g.N, g.O, 1, 1};
    if (e.add.dtype() != input.dtype() ||
        (e.add.shape() != output_shape(g) && e.add.shape() != per_channel))
        return std::nullopt;
    return contiguous(detach(e.add));
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv2dParams& params, const Conv2dEpilogue& epilogue) {
    detail::check_inputs("conv2d", {&input, &weight});
    if (input.dim() == 3)
        return epilogue_ops(squeeze(conv2d(unsqueeze(input, 0), weight, bias, params), 0),
                            epilogue);
    kernels::ConvGeometry g = geometry("conv2d", input.shape(), weight.shape(), params);
    check_floating_pair("conv2d", input, weight);
    if (bias.defined()) {
        detail::check_inputs("conv2d", {&bias});
        KAYA_CHECK(bias.dim() == 1 && bias.shape()[0] == g.O, ShapeError, "conv2d: expected bias of shape [", g.O,
                   "], got ", describe(bias));
        check_floating_pair("conv2d", input, bias);
    }
    Tensor x = contiguous(detach(input)), w = contiguous(detach(weight));
    Tensor b = bias.defined() ? contiguous(detach(bias)) : Tensor();
    Tensor out = Tensor::empty(output_shape(g), input.dtype());
    const std::optional<Tensor> fused = fusable_add(g, input, epilogue);
    // The add's gradient comes from this op's node only when the kernel takes the add.
    const Tensor taken_add = fused && epilogue.add.defined() ? epilogue.add : Tensor();
    // Without a graph to record this is inference, whose weights come back unchanged call
    // after call: the kernel may keep work done on them.
    const bool grad = needs_grad({&input, &weight, &bias, &taken_add});
    // The work the weight gradient can take from this pass instead of redoing it.
    Tensor kept;
    visit_floating(input.dtype(), "conv2d", [&]<class T>() {
        kernels::ConvEpilogue<T> e;
        if (fused) {
            e = {.add = fused->defined() ? fused->data<T>() : nullptr,
                 .add_per_channel = fused->defined() && fused->shape()[2] * fused->shape()[3] == 1,
                 .relu = epilogue.relu};
        }
        const int64_t keep = grad && weight.requires_grad() ? kernels::conv2d_kept_size<T>(g) : 0;
        if (keep > 0) kept = Tensor::empty({keep}, input.dtype());
        kernels::conv2d_forward<T>(g, x.data<T>(), w.data<T>(), b.defined() ? b.data<T>() : nullptr,
                                   out.data<T>(), !grad, e, keep > 0 ? kept.data<T>() : nullptr);
    });
    if (grad) {
        const bool gx = input.requires_grad(), gw = weight.requires_grad();
        const bool gb = bias.defined() && bias.requires_grad();
        const bool ga = taken_add.defined() && taken_add.requires_grad();
        const Shape add_shape = taken_add.defined() ? taken_add.shape() : Shape{};
        // A fused ReLU's gradient mask, from the output (y > 0 exactly where the ReLU's input
        // is), held without history: the mask has no gradient, and the node holding its own
        // output would be a cycle. Changing the output in place before the backward is reported.
        const Tensor y =
            fused && epilogue.relu ? out.alias(out.shape(), out.strides(), out.offset()) : Tensor();
        std::vector<Tensor> saved{input, weight};
        if (y.defined()) saved.push_back(y);
        const bool epilogue_node = taken_add.defined() || y.defined();
        auto rule = [input, weight, params, gx, gw, gb, ga, add_shape, kept, y](const Tensor& gy) {
            const Tensor g = y.defined() ? detail::relu_backward(gy, y) : gy;
            return std::vector<Tensor>{
                gx ? conv2d_input_grad(input.shape(), weight, g, params) : Tensor(),
                gw ? weight_grad(input, weight.shape(), g, params, kept) : Tensor(),
                gb ? sum(g, {0, 2, 3}) : Tensor(), ga ? sum_to(g, add_shape) : Tensor()};
        };
        record(epilogue_node ? "Conv2dEpilogueBackward" : "Conv2dBackward", out,
               {input, weight, bias, taken_add}, rule, saved);
    }
    return fused ? out : epilogue_ops(out, epilogue);
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Conv1dParams& params) {
    detail::check_inputs("conv1d", {&input, &weight});
    KAYA_CHECK(input.dim() == 2 || input.dim() == 3, ShapeError,
               "conv1d: expected input (N, C, L) or (C, L), got ", describe(input));
    KAYA_CHECK(weight.dim() == 3, ShapeError, "conv1d: expected weight (O, C / groups, K), got ", describe(weight));
    if (input.dim() == 2) return squeeze(conv1d(unsqueeze(input, 0), weight, bias, params), 0);
    KAYA_CHECK(params.stride > 0 && params.dilation > 0 && params.padding >= 0 && params.groups > 0, ValueError,
               "conv1d: stride, dilation and groups must be positive and padding non-negative, got stride ",
               params.stride, ", padding ", params.padding, ", dilation ", params.dilation, ", groups ",
               params.groups);
    const Conv2dParams p{.stride = {1, params.stride},
                         .padding = {0, params.padding},
                         .dilation = {1, params.dilation},
                         .groups = params.groups};
    return squeeze(conv2d(unsqueeze(input, 2), unsqueeze(weight, 2), bias, p), 2);
}

Tensor conv2d_input_grad(const Shape& input_shape, const Tensor& weight, const Tensor& grad_output,
                         const Conv2dParams& params) {
    detail::check_inputs("conv2d_input_grad", {&weight, &grad_output});
    kernels::ConvGeometry g = geometry("conv2d_input_grad", input_shape, weight.shape(), params);
    check_grad_output("conv2d_input_grad", g, grad_output);
    check_floating_pair("conv2d_input_grad", grad_output, weight);
    Tensor gy = contiguous(detach(grad_output)), w = contiguous(detach(weight));
    Tensor out = Tensor::empty(input_shape, weight.dtype());
    visit_floating(weight.dtype(), "conv2d_input_grad", [&]<class T>() {
        kernels::conv2d_backward_input<T>(g, gy.data<T>(), w.data<T>(), out.data<T>());
    });
    if (needs_grad({&weight, &grad_output})) {
        // out is linear in each argument: <out, d> = <grad_output, conv2d(d, weight)>.
        const bool gw = weight.requires_grad(), gg = grad_output.requires_grad();
        record("Conv2dInputGradBackward", out, {weight, grad_output},
               [weight, grad_output, params, gw, gg](const Tensor& d) {
                   return std::vector<Tensor>{
                       gw ? conv2d_weight_grad(d, weight.shape(), grad_output, params) : Tensor(),
                       gg ? conv2d(d, weight, Tensor(), params) : Tensor()};
               },
               {weight, grad_output});
    }
    return out;
}

Tensor conv2d_weight_grad(const Tensor& input, const Shape& weight_shape, const Tensor& grad_output,
                          const Conv2dParams& params) {
    return weight_grad(input, weight_shape, grad_output, params, Tensor());
}

namespace {

// conv2d_weight_grad, given what conv2d's forward pass kept for this input (or nothing): the
// same result, without redoing that work.
Tensor weight_grad(const Tensor& input, const Shape& weight_shape, const Tensor& grad_output,
                   const Conv2dParams& params, const Tensor& kept) {
    detail::check_inputs("conv2d_weight_grad", {&input, &grad_output});
    kernels::ConvGeometry g = geometry("conv2d_weight_grad", input.shape(), weight_shape, params);
    check_grad_output("conv2d_weight_grad", g, grad_output);
    check_floating_pair("conv2d_weight_grad", input, grad_output);
    Tensor x = contiguous(detach(input)), gy = contiguous(detach(grad_output));
    Tensor out = Tensor::empty(weight_shape, input.dtype());
    visit_floating(input.dtype(), "conv2d_weight_grad", [&]<class T>() {
        kernels::conv2d_backward_weight<T>(g, x.data<T>(), gy.data<T>(), out.data<T>(),
                                           kept.defined() ? kept.data<T>() : nullptr);
    });
    if (needs_grad({&input, &grad_output})) {
        // <out, d> = <grad_output, conv2d(input, d)>.
        const bool gx = input.requires_grad(), gg = grad_output.requires_grad();
        record("Conv2dWeightGradBackward", out, {input, grad_output},
               [input, grad_output, params, gx, gg](const Tensor& d) {
                   return std::vector<Tensor>{
                       gx ? conv2d_input_grad(input.shape(), d, grad_output, params) : Tensor(),
                       gg ? conv2d(input, d, Tensor(), params) : Tensor()};
               },
               {input, grad_output});
    }
    return out;
}

}  // namespace

}  // namespace kaya
