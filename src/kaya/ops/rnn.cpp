// SPDX-License-Identifier: MIT
#include "kaya/ops/rnn.h"

#include <cstring>
#include <vector>

#include "kaya/autograd/engine.h"
#include "kaya/kernels/rnn/recurrence.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/compare.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/linalg.h"
#include "kaya/ops/unary.h"
#include "kaya/ops/view.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

struct Dims {
    int64_t T, N, H;
};

Dims check_args(const char* op, int64_t gates, const Tensor& xg, const Tensor& w_hh,
                const Tensor& b_hh, const Tensor& h0, const Tensor& c0, const Tensor& valid) {
    detail::check_inputs(op, {&xg, &w_hh, &h0});
    KAYA_CHECK(w_hh.dim() == 2 && w_hh.shape()[0] == gates * w_hh.shape()[1], ShapeError, op,
               ": w_hh must be (", gates, "H, H), got ", describe(w_hh));
    const int64_t H = w_hh.shape()[1];
    KAYA_CHECK(xg.dim() == 3 && xg.shape()[2] == gates * H, ShapeError, op,
               ": xg must be (T, N, ", gates * H, ") for w_hh ", describe(w_hh), ", got ",
               describe(xg));
    const int64_t T = xg.shape()[0], N = xg.shape()[1];
    KAYA_CHECK(is_floating(xg.dtype()) && w_hh.dtype() == xg.dtype() && h0.dtype() == xg.dtype(),
               DTypeError, op, ": xg, w_hh and h0 must share one floating dtype, got ",
               describe(xg), ", ", describe(w_hh), ", ", describe(h0));
    const Shape state{N, H};
    KAYA_CHECK(h0.shape() == state, ShapeError, op, ": h0 must be ", format_shape(state), ", got ",
               describe(h0));
    if (c0.defined()) {
        KAYA_CHECK(c0.shape() == state && c0.dtype() == xg.dtype(), ShapeError, op, ": c0 must be ",
                   format_shape(state), " ", dtype_name(xg.dtype()), ", got ", describe(c0));
    }
    if (b_hh.defined()) {
        const Shape bias{gates * H};
        KAYA_CHECK(b_hh.shape() == bias && b_hh.dtype() == xg.dtype(), ShapeError, op,
                   ": b_hh must be [", gates * H, "] ", dtype_name(xg.dtype()), ", got ",
                   describe(b_hh));
    }
    if (valid.defined()) {
        const Shape steps{T, N};
        KAYA_CHECK(valid.dtype() == DType::Bool && valid.shape() == steps, ShapeError, op,
                   ": valid must be bool [", T, ", ", N, "], got ", describe(valid));
    }
    KAYA_CHECK(T > 0, ShapeError, op, ": no time steps in ", describe(xg));
    return {T, N, H};
}

// Carries the state past a sequence's end and zeroes its output there.
void step_mask(const Tensor& valid, int64_t t, Tensor& h, Tensor& c, const Tensor& hn,
               const Tensor& cn, std::vector<Tensor>& outs) {
    if (!valid.defined()) {
        h = hn, c = cn;
        outs.push_back(hn);
        return;
    }
    Tensor m = unsqueeze(select(valid, 0, t), 1);
    h = where(m, hn, h);
    if (cn.defined()) c = where(m, cn, c);
    outs.push_back(where(m, hn, 0.0));
}

// (T + k, N, H): the output rows, then h_n (and c_n): one tensor, so that one graph node
// carries all results of the fused kernels.
Tensor packed(const RecurrenceResult& r) {
    std::vector<Tensor> parts{r.output, unsqueeze(r.h_n, 0)};
    if (r.c_n.defined()) parts.push_back(unsqueeze(r.c_n, 0));
    return cat(parts, 0);
}

RecurrenceResult unpack(const Tensor& p, int64_t T, bool cell) {
    return {narrow(p, 0, 0, T), select(p, 0, T), cell ? select(p, 0, T + 1) : Tensor()};
}

// Gradients for the differentiable inputs by differentiating the step-by-step version, with a
// graph: the backward rule used under create_graph.
std::vector<Tensor> stepwise_grads(const Tensor& g, const std::vector<Tensor>& inputs,
                                   const RecurrenceResult& stepwise) {
    std::vector<Tensor> wanted;
    for (const auto& t : inputs) {
        if (t.defined() && t.requires_grad()) wanted.push_back(t);
    }
    auto got = autograd::grad({packed(stepwise)}, wanted, {g},
                              {.create_graph = true, .allow_unused = true});
    std::vector<Tensor> out;
    size_t k = 0;
    for (const auto& t : inputs) out.push_back(t.defined() && t.requires_grad() ? got[k++] : Tensor());
    return out;
}

const bool* valid_ptr(const Tensor& v) { return v.defined() ? v.data<bool>() : nullptr; }

}  // namespace

RecurrenceResult lstm_recurrence_stepwise(const Tensor& xg, const Tensor& w_hh, const Tensor& h0,
                                          const Tensor& c0, const Tensor& valid) {
    const Dims d = check_args("lstm_recurrence", 4, xg, w_hh, Tensor(), h0, c0, valid);
    Tensor h = h0, c = c0;
    std::vector<Tensor> outs;
    for (int64_t t = 0; t < d.T; ++t) {
        auto g = chunk(add(select(xg, 0, t), mm(h, transpose(w_hh, 0, 1))), 4, 1);
        Tensor cn = add(mul(sigmoid(g[1]), c), mul(sigmoid(g[0]), tanh(g[2])));
        Tensor hn = mul(sigmoid(g[3]), tanh(cn));
        step_mask(valid, t, h, c, hn, cn, outs);
    }
    return {stack(outs, 0), h, c};
}

RecurrenceResult gru_recurrence_stepwise(const Tensor& xg, const Tensor& w_hh, const Tensor& b_hh,
                                         const Tensor& h0, const Tensor& valid) {
    const Dims d = check_args("gru_recurrence", 3, xg, w_hh, b_hh, h0, Tensor(), valid);
    Tensor h = h0, unused;
    std::vector<Tensor> outs;
    for (int64_t t = 0; t < d.T; ++t) {
        auto xs = chunk(select(xg, 0, t), 3, 1);
        auto hs = chunk(linear(h, w_hh, b_hh), 3, 1);
        Tensor r = sigmoid(add(xs[0], hs[0]));
        Tensor z = sigmoid(add(xs[1], hs[1]));
        Tensor n = tanh(add(xs[2], mul(r, hs[2])));
        step_mask(valid, t, h, unused, add(n, mul(z, sub(h, n))), Tensor(), outs);
    }
    return {stack(outs, 0), h, Tensor()};
}

RecurrenceResult lstm_recurrence(const Tensor& xg, const Tensor& w_hh, const Tensor& h0,
                                 const Tensor& c0, const Tensor& valid) {
    detail::check_inputs("lstm_recurrence", {&c0});
    // Plain variables, not a structured binding: lambdas capture them (clang 14 cannot
    // capture bindings).
    const Dims d = check_args("lstm_recurrence", 4, xg, w_hh, Tensor(), h0, c0, valid);
    const int64_t T = d.T, N = d.N, H = d.H;
    Tensor x = contiguous(detach(xg)), w = contiguous(detach(w_hh));
    Tensor h0c = contiguous(detach(h0)), c0c = contiguous(detach(c0));
    Tensor v = valid.defined() ? contiguous(valid) : Tensor();
    Tensor p = Tensor::empty({T + 2, N, H}, xg.dtype());
    Tensor hs = Tensor::empty({T, N, H}, xg.dtype()), cs = Tensor::empty({T, N, H}, xg.dtype());
    Tensor acts = Tensor::empty({T, N, 4 * H}, xg.dtype());
    visit_floating(xg.dtype(), "lstm_recurrence", [&]<class S>() {
        kernels::lstm_forward<S>(p.data<S>(), hs.data<S>(), cs.data<S>(), acts.data<S>(),
                                 x.data<S>(), w.data<S>(), h0c.data<S>(), c0c.data<S>(),
                                 valid_ptr(v), T, N, H);
        const size_t state = sizeof(S) * static_cast<size_t>(N * H);
        std::memcpy(p.data<S>() + T * N * H, hs.data<S>() + (T - 1) * N * H, state);
        std::memcpy(p.data<S>() + (T + 1) * N * H, cs.data<S>() + (T - 1) * N * H, state);
    });
    if (needs_grad({&xg, &w_hh, &h0, &c0})) {
        record("LstmRecurrenceBackward", p, {xg, w_hh, h0, c0},
               [=](const Tensor& g) {
                   if (needs_grad({&g, &xg, &w_hh, &h0, &c0})) {
                       return stepwise_grads(g, {xg, w_hh, h0, c0},
                                             lstm_recurrence_stepwise(xg, w_hh, h0, c0, valid));
                   }
                   Tensor gc = contiguous(g);
                   Tensor dx = Tensor::empty(xg.shape(), xg.dtype());
                   Tensor dw = Tensor::empty(w_hh.shape(), xg.dtype());
                   Tensor dh0 = Tensor::empty(h0.shape(), xg.dtype());
                   Tensor dc0 = Tensor::empty(c0.shape(), xg.dtype());
                   visit_floating(xg.dtype(), "lstm_recurrence", [&]<class S>() {
                       const S* go = gc.data<S>();
                       kernels::lstm_backward<S>(
                           dx.data<S>(), dw.data<S>(), dh0.data<S>(), dc0.data<S>(), go,
                           go + T * N * H, go + (T + 1) * N * H, acts.data<S>(), hs.data<S>(),
                           cs.data<S>(), w.data<S>(), h0c.data<S>(), c0c.data<S>(), valid_ptr(v),
                           T, N, H);
                   });
                   return std::vector<Tensor>{xg.requires_grad() ? dx : Tensor(),
                                              w_hh.requires_grad() ? dw : Tensor(),
                                              h0.requires_grad() ? dh0 : Tensor(),
                                              c0.requires_grad() ? dc0 : Tensor()};
               },
               {xg, w_hh, h0, c0});
    }
    return unpack(p, T, true);
}

RecurrenceResult gru_recurrence(const Tensor& xg, const Tensor& w_hh, const Tensor& b_hh,
                                const Tensor& h0, const Tensor& valid) {
    const Dims d = check_args("gru_recurrence", 3, xg, w_hh, b_hh, h0, Tensor(), valid);
    const int64_t T = d.T, N = d.N, H = d.H;
    Tensor x = contiguous(detach(xg)), w = contiguous(detach(w_hh));
    Tensor b = b_hh.defined() ? contiguous(detach(b_hh)) : Tensor();
    Tensor h0c = contiguous(detach(h0));
    Tensor v = valid.defined() ? contiguous(valid) : Tensor();
    Tensor p = Tensor::empty({T + 1, N, H}, xg.dtype());
    Tensor hs = Tensor::empty({T, N, H}, xg.dtype()), extra = Tensor::empty({T, N, H}, xg.dtype());
    Tensor acts = Tensor::empty({T, N, 3 * H}, xg.dtype());
    visit_floating(xg.dtype(), "gru_recurrence", [&]<class S>() {
        kernels::gru_forward<S>(p.data<S>(), hs.data<S>(), acts.data<S>(), extra.data<S>(),
                                x.data<S>(), w.data<S>(), b.defined() ? b.data<S>() : nullptr,
                                h0c.data<S>(), valid_ptr(v), T, N, H);
        std::memcpy(p.data<S>() + T * N * H, hs.data<S>() + (T - 1) * N * H,
                    sizeof(S) * static_cast<size_t>(N * H));
    });
    if (needs_grad({&xg, &w_hh, &b_hh, &h0})) {
        record("GruRecurrenceBackward", p, {xg, w_hh, b_hh, h0},
               [=](const Tensor& g) {
                   if (needs_grad({&g, &xg, &w_hh, &b_hh, &h0})) {
                       return stepwise_grads(g, {xg, w_hh, b_hh, h0},
                                             gru_recurrence_stepwise(xg, w_hh, b_hh, h0, valid));
                   }
                   Tensor gc = contiguous(g);
                   Tensor dx = Tensor::empty(xg.shape(), xg.dtype());
                   Tensor dw = Tensor::empty(w_hh.shape(), xg.dtype());
                   const bool gb = b_hh.defined() && b_hh.requires_grad();
                   Tensor db = gb ? Tensor::empty(b_hh.shape(), xg.dtype()) : Tensor();
                   Tensor dh0 = Tensor::empty(h0.shape(), xg.dtype());
                   visit_floating(xg.dtype(), "gru_recurrence", [&]<class S>() {
                       const S* go = gc.data<S>();
                       kernels::gru_backward<S>(dx.data<S>(), dw.data<S>(),
                                                gb ? db.data<S>() : nullptr, dh0.data<S>(), go,
                                                go + T * N * H, acts.data<S>(), extra.data<S>(),
                                                hs.data<S>(), w.data<S>(), h0c.data<S>(),
                                                valid_ptr(v), T, N, H);
                   });
                   return std::vector<Tensor>{xg.requires_grad() ? dx : Tensor(),
                                              w_hh.requires_grad() ? dw : Tensor(), db,
                                              h0.requires_grad() ? dh0 : Tensor()};
               },
               {xg, w_hh, b_hh, h0});
    }
    return unpack(p, T, false);
}

}  // namespace kaya
