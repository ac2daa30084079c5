// SPDX-License-Identifier: MIT
#include "kaya/nn/loss.h"

#include "kaya/ops/ops.h"

namespace kaya::nn {

namespace {

Tensor reduce(const Tensor& losses, Reduction r) {
    switch (r) {
        case Reduction::Mean: return mean(losses);
        case Reduction::Sum: return sum(losses);
        case Reduction::None: return losses;
    }
    return losses;
}

void check_same_shape(const char* fn, const Tensor& input, const Tensor& target) {
    KAYA_CHECK(input.shape() == target.shape(), ShapeError, fn, ": input ", describe(input),
               " and target ", describe(target), " must have the same shape");
    KAYA_CHECK(is_floating(input.dtype()), DTypeError, fn, ": input must be floating, got ",
               describe(input));
}

// Moves the class dim (1) last and flattens: (N, C, d...) -> (N*d..., C); (C) -> (1, C).
Tensor classes_last(const Tensor& x) {
    if (x.dim() == 1) return unsqueeze(x, 0);
    if (x.dim() == 2) return x;
    std::vector<int64_t> perm = {0};
    for (int64_t d = 2; d < x.dim(); ++d) perm.push_back(d);
    perm.push_back(1);
    return reshape(permute(x, perm), {-1, x.shape()[1]});
}

// Shape of per-sample losses: input's shape without the class dim.
Shape sample_shape(const Tensor& input) {
    Shape s;
    for (int64_t d = 0; d < input.dim(); ++d) {
        if (d != (input.dim() == 1 ? 0 : 1)) s.push_back(input.shape()[d]);
    }
    return s;
}

void check_index_target(const char* fn, const Tensor& input, const Tensor& target,
                        const Tensor& weight, int64_t ignore_index) {
    KAYA_CHECK(input.dim() >= 1, ShapeError, fn, ": input must have a class dim, got ", describe(input));
    KAYA_CHECK(target.dtype() == DType::Int64, DTypeError, fn,
               ": class-index targets must be int64, got ", describe(target));
    KAYA_CHECK(target.shape() == sample_shape(input), ShapeError, fn, ": target ", describe(target),
               " does not match input ", describe(input), " (expected ",
               format_shape(sample_shape(input)), ")");
    const int64_t C = input.shape()[input.dim() == 1 ? 0 : 1];
    if (weight.defined()) {
        KAYA_CHECK(weight.dim() == 1 && weight.shape()[0] == C, ShapeError, fn,
                   ": weight must have shape [", C, "], got ", describe(weight));
    }
    Tensor bad = logical_and(ne(target, ignore_index), logical_or(lt(target, 0), ge(target, C)));
    if (sum(bad).item<int64_t>() > 0) {
        int64_t pos = argmax(to(bad, DType::Int64)).item<int64_t>();
        int64_t v = to_vector<int64_t>(target)[pos];
        KAYA_CHECK(false, IndexError, fn, ": target ", v, " at flat position ", pos,
                   " is out of range for ", C, " classes (ignore_index is ", ignore_index, ")");
    }
}

// -w[t] logp[t] per sample and the summed weights of non-ignored samples.
std::pair<Tensor, Tensor> picked_losses(const Tensor& logp, const Tensor& target,
                                        const Tensor& weight, int64_t ignore_index) {
    Tensor lp = classes_last(logp);               // (M, C)
    Tensor t = reshape(target, {-1});             // (M)
    Tensor keep = ne(t, ignore_index);
    Tensor safe = where(keep, t, 0);
    Tensor picked = squeeze(gather(lp, 1, unsqueeze(safe, 1)), 1);
    Tensor w = to(keep, lp.dtype());
    if (weight.defined()) w = mul(w, index_select(to(weight, lp.dtype()), 0, safe));
    return {neg(mul(picked, w)), w};
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r) {
    check_same_shape("mse_loss", input, target);
    Tensor d = sub(input, target);
    return reduce(mul(d, d), r);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction r) {
    check_same_shape("l1_loss", input, target);
    return reduce(abs(sub(input, target)), r);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, double delta, Reduction r) {
    check_same_shape("huber_loss", input, target);
    KAYA_CHECK(delta > 0, ValueError, "huber_loss: delta must be positive, got ", delta);
    Tensor d = abs(sub(input, target));
    Tensor quad = mul(mul(d, d), 0.5);
    Tensor lin = mul(sub(d, 0.5 * delta), delta);
    return reduce(where(lt(d, delta), quad, lin), r);
}

Tensor nll_loss(const Tensor& logp, const Tensor& target, const NLLLossOptions& o) {
    KAYA_CHECK(is_floating(logp.dtype()), DTypeError, "nll_loss: input must be floating, got ",
               describe(logp));
    check_index_target("nll_loss", logp, target, o.weight, o.ignore_index);
    auto [losses, w] = picked_losses(logp, target, o.weight, o.ignore_index);
    switch (o.reduction) {
        case Reduction::Mean: return div(sum(losses), sum(w));
        case Reduction::Sum: return sum(losses);
        case Reduction::None: return reshape(losses, target.shape());
    }
    return losses;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& o) {
    KAYA_CHECK(is_floating(input.dtype()), DTypeError,
               "cross_entropy: input must be floating (logits), got ", describe(input));
    KAYA_CHECK(input.dim() >= 1, ShapeError, "cross_entropy: input needs a class dim, got ",
               describe(input));
    KAYA_CHECK(o.label_smoothing >= 0.0 && o.label_smoothing <= 1.0, ValueError,
               "cross_entropy: label_smoothing must be in [0, 1], got ", o.label_smoothing);
    const int64_t class_dim = input.dim() == 1 ? 0 : 1;
    const int64_t C = input.shape()[class_dim];
    Tensor logp = log_softmax(input, class_dim);
    Shape wshape(input.dim(), 1);
    wshape[class_dim] = C;

    if (is_floating(target.dtype())) {
        // Class probabilities: -sum_c w_c p_c log q_c, mean over samples (not weights).
        KAYA_CHECK(target.shape() == input.shape(), ShapeError, "cross_entropy: probability target ",
                   describe(target), " must have the input's shape ", describe(input));
        Tensor p = o.label_smoothing > 0 ? add(mul(target, 1.0 - o.label_smoothing), o.label_smoothing / C)
                                         : target;
        Tensor prod = mul(logp, p);
        if (o.weight.defined()) {
            KAYA_CHECK(o.weight.dim() == 1 && o.weight.shape()[0] == C, ShapeError,
                       "cross_entropy: weight must have shape [", C, "], got ", describe(o.weight));
            prod = mul(prod, reshape(o.weight, wshape));
        }
        Tensor per = neg(sum(prod, {class_dim}));
        switch (o.reduction) {
            case Reduction::Mean: return div(sum(per), static_cast<double>(input.numel() / C));
            case Reduction::Sum: return sum(per);
            case Reduction::None: return per;
        }
    }

    check_index_target("cross_entropy", input, target, o.weight, o.ignore_index);
    auto [losses, w] = picked_losses(logp, target, o.weight, o.ignore_index);
    Tensor nll;
    switch (o.reduction) {
        case Reduction::Mean: nll = div(sum(losses), sum(w)); break;
        case Reduction::Sum: nll = sum(losses); break;
        case Reduction::None: nll = reshape(losses, target.shape()); break;
    }
    if (o.label_smoothing == 0.0) return nll;
    // PyTorch's smoothing term: the uniform-target loss over all classes, weighted by class,
    // zero for ignored samples, normalised like the nll part.
    Tensor all = o.weight.defined() ? mul(logp, reshape(to(o.weight, logp.dtype()), wshape)) : logp;
    Tensor smooth = neg(sum(all, {class_dim}));  // Sample shape.
    Tensor keep = ne(target, o.ignore_index);
    smooth = where(keep, smooth, 0.0);
    Tensor smooth_red;
    switch (o.reduction) {
        case Reduction::Mean: smooth_red = div(sum(smooth), sum(w)); break;
        case Reduction::Sum: smooth_red = sum(smooth); break;
        case Reduction::None: smooth_red = smooth; break;
    }
    return add(mul(nll, 1.0 - o.label_smoothing), mul(smooth_red, o.label_smoothing / C));
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsOptions& o) {
    check_same_shape("binary_cross_entropy_with_logits", input, target);
    // log(1 + e^-x) + max(-x, 0) = log(1 + e^-x) evaluated without overflow.
    Tensor log_sig_neg = add(log1p(exp(neg(abs(input)))), relu(neg(input)));
    Tensor loss;
    if (o.pos_weight.defined()) {
        Tensor lw = add(mul(sub(o.pos_weight, 1.0), target), 1.0);
        loss = add(mul(rsub(target, 1.0), input), mul(lw, log_sig_neg));
    } else {
        loss = add(mul(rsub(target, 1.0), input), log_sig_neg);
    }
    if (o.weight.defined()) loss = mul(loss, o.weight);
    return reduce(loss, o.reduction);
}

CrossEntropyLoss::CrossEntropyLoss(CrossEntropyOptions o) : o_(std::move(o)) {
    if (o_.weight.defined()) register_buffer("weight", o_.weight);
}
Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
    return cross_entropy(input, target, o_);
}

NLLLoss::NLLLoss(NLLLossOptions o) : o_(std::move(o)) {
    if (o_.weight.defined()) register_buffer("weight", o_.weight);
}
Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) { return nll_loss(input, target, o_); }

BCEWithLogitsLoss::BCEWithLogitsLoss(BCEWithLogitsOptions o) : o_(std::move(o)) {
    if (o_.weight.defined()) register_buffer("weight", o_.weight);
    if (o_.pos_weight.defined()) register_buffer("pos_weight", o_.pos_weight);
}
Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
    return binary_cross_entropy_with_logits(input, target, o_);
}

}  // namespace kaya::nn
