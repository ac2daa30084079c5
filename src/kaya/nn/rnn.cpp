// SPDX-License-Identifier: MIT
#include "kaya/nn/rnn.h"

#include <cmath>
#include <sstream>

#include "kaya/nn/activation.h"
#include "kaya/nn/init.h"
#include "kaya/ops/ops.h"

namespace kaya::nn {

namespace {

// Per-sequence time reversal of (T, N, *) inputs: position t of sequence n reads t' = len - 1 -
// t inside its length and stays in place past it. Applying it twice is the identity.
struct Reversal {
    Tensor index;  // (T, N) int64
    Tensor apply(const Tensor& x) const {
        Shape shape = index.shape();
        shape.push_back(x.shape()[2]);
        return gather(x, 0, expand(unsqueeze(index, -1), shape));
    }
};

Reversal make_reversal(int64_t T, int64_t N, const Tensor& lengths) {
    Tensor t = reshape(arange(T), {T, 1});
    if (!lengths.defined()) return {contiguous(expand(rsub(t, T - 1), {T, N}))};
    Tensor len = reshape(lengths, {1, N});
    return {contiguous(where(lt(t, len), sub(sub(len, 1), t), expand(t, {T, N})))};
}

std::string describe_options(const RNNOptions& o) {
    std::ostringstream os;
    os << o.input_size << ", " << o.hidden_size;
    if (o.num_layers != 1) os << ", num_layers=" << o.num_layers;
    if (!o.bias) os << ", bias=False";
    if (o.batch_first) os << ", batch_first=True";
    if (o.dropout != 0) os << ", dropout=" << o.dropout;
    if (o.bidirectional) os << ", bidirectional=True";
    return os.str();
}

}  // namespace

RecurrentBase::RecurrentBase(RNNOptions o, int64_t gates, const char* name)
    : options_(o), name_(name) {
    KAYA_CHECK(o.input_size > 0 && o.hidden_size > 0 && o.num_layers > 0, ValueError, name,
               ": input_size, hidden_size and num_layers must be positive, got ", o.input_size,
               ", ", o.hidden_size, ", ", o.num_layers);
    KAYA_CHECK(o.dropout >= 0.0 && o.dropout <= 1.0, ValueError, name,
               ": dropout must be in [0, 1], got ", o.dropout);
    KAYA_CHECK(is_floating(o.dtype), DTypeError, name, ": dtype must be floating, got ",
               dtype_name(o.dtype));
    const int64_t H = o.hidden_size, D = o.bidirectional ? 2 : 1;
    const double bound = 1.0 / std::sqrt(static_cast<double>(H));
    // PyTorch's registration order: per layer, per direction, w_ih, w_hh, b_ih, b_hh.
    for (int64_t l = 0; l < o.num_layers; ++l) {
        for (int64_t d = 0; d < D; ++d) {
            const std::string suffix = "_l" + std::to_string(l) + (d ? "_reverse" : "");
            const int64_t in = l == 0 ? o.input_size : D * H;
            auto param = [&](const std::string& n, Shape shape) {
                Tensor t = register_parameter(n + suffix, empty(shape, o.dtype));
                init::uniform_(t, -bound, bound, o.gen);
                return t;
            };
            Weights w;
            w.w_ih = param("weight_ih", {gates * H, in});
            w.w_hh = param("weight_hh", {gates * H, H});
            if (o.bias) {
                w.b_ih = param("bias_ih", {gates * H});
                w.b_hh = param("bias_hh", {gates * H});
            }
            weights_.push_back(w);
        }
    }
}

RNNOutput RecurrentBase::run(const Tensor& input, const Tensor& lengths, const Tensor& h0,
                             const Tensor& c0, bool has_cell) {
    const RNNOptions& o = options_;
    const int64_t H = o.hidden_size, D = o.bidirectional ? 2 : 1, L = o.num_layers;
    const bool batched = input.dim() == 3;
    KAYA_CHECK((input.dim() == 2 || batched) && input.shape().back() == o.input_size, ShapeError,
               name_, ": expected input ", o.batch_first ? "(N, T, " : "(T, N, ", o.input_size,
               ") or unbatched (T, ", o.input_size, "), got ", describe(input));
    KAYA_CHECK(input.dtype() == o.dtype, DTypeError, name_, ": input is ", describe(input),
               " but the weights are ", dtype_name(o.dtype));
    // Time-major (T, N, I) inside: each step then reads one contiguous (N, *) slice.
    Tensor x = !batched ? unsqueeze(input, 1) : o.batch_first ? transpose(input, 0, 1) : input;
    const int64_t T = x.shape()[0], N = x.shape()[1];
    KAYA_CHECK(T > 0, ShapeError, name_, ": the input has no time steps: ", describe(input));
    Tensor valid;  // (T, N, 1) bool: step t lies inside sequence n.
    if (lengths.defined()) {
        KAYA_CHECK(lengths.dtype() == DType::Int64 && lengths.shape() == Shape{N}, ShapeError,
                   name_, ": lengths must be int64 of shape [", N, "], got ", describe(lengths));
        for (int64_t v : to_vector<int64_t>(lengths)) {
            KAYA_CHECK(v >= 1 && v <= T, ValueError, name_, ": every length must be in [1, ", T,
                       "] (the padded length), got ", v);
        }
        valid = unsqueeze(lt(reshape(arange(T), {T, 1}), reshape(lengths, {1, N})), -1);
    }
    auto check_state = [&](const Tensor& s, const char* what) {
        if (!s.defined()) return;
        const Shape want = batched ? Shape{L * D, N, H} : Shape{L * D, H};
        KAYA_CHECK(s.shape() == want && s.dtype() == o.dtype, ShapeError, name_, ": ", what,
                   " must be ", format_shape(want), " ", dtype_name(o.dtype), ", got ", describe(s));
    };
    check_state(h0, "h0");
    check_state(c0, "c0");
    auto initial = [&](const Tensor& s, int64_t k) {
        if (!s.defined()) return zeros({N, H}, o.dtype);
        return batched ? select(s, 0, k) : unsqueeze(select(s, 0, k), 0);
    };

    const Reversal reversal = make_reversal(T, N, lengths);
    Tensor valid_tn = valid.defined() ? contiguous(squeeze(valid, -1)) : Tensor();  // (T, N)
    std::vector<Tensor> h_n, c_n;
    Tensor layer_in = x;
    for (int64_t l = 0; l < L; ++l) {
        std::vector<Tensor> outs;
        for (int64_t d = 0; d < D; ++d) {
            const Weights& w = weights_[static_cast<size_t>(l * D + d)];
            RecurrenceResult res =
                recur(d ? reversal.apply(layer_in) : layer_in, w, initial(h0, l * D + d),
                      has_cell ? initial(c0, l * D + d) : Tensor(), valid_tn);
            outs.push_back(d ? reversal.apply(res.output) : res.output);
            h_n.push_back(res.h_n);
            if (has_cell) c_n.push_back(res.c_n);
        }
        layer_in = D == 2 ? cat(outs, -1) : outs[0];
        if (l + 1 < L) layer_in = dropout(layer_in, o.dropout, is_training(), o.gen);
    }
    RNNOutput r;
    r.output = !batched ? squeeze(layer_in, 1) : o.batch_first ? transpose(layer_in, 0, 1) : layer_in;
    auto states = [&](const std::vector<Tensor>& s) {
        Tensor st = stack(s, 0);  // (L * D, N, H)
        return batched ? st : squeeze(st, 1);
    };
    r.h_n = states(h_n);
    if (has_cell) r.c_n = states(c_n);
    return r;
}

LSTM::LSTM(RNNOptions options) : RecurrentBase(options, 4, "LSTM") {}

RNNOutput LSTM::forward(const Tensor& input, const Tensor& lengths, const Tensor& h0,
                        const Tensor& c0) {
    return run(input, lengths, h0, c0, true);
}

RecurrenceResult LSTM::recur(const Tensor& x, const Weights& w, const Tensor& h0,
                             const Tensor& c0, const Tensor& valid) {
    // Both biases go into the input projection: one add per layer instead of one per step.
    Tensor bias = w.b_ih.defined() ? add(w.b_ih, w.b_hh) : Tensor();
    return lstm_recurrence(linear(x, w.w_ih, bias), w.w_hh, h0, c0, valid);
}

std::string LSTM::extra_repr() const { return describe_options(options()); }

GRU::GRU(RNNOptions options) : RecurrentBase(options, 3, "GRU") {}

RNNOutput GRU::forward(const Tensor& input, const Tensor& lengths, const Tensor& h0) {
    return run(input, lengths, h0, Tensor(), false);
}

RecurrenceResult GRU::recur(const Tensor& x, const Weights& w, const Tensor& h0, const Tensor&,
                            const Tensor& valid) {
    return gru_recurrence(linear(x, w.w_ih, w.b_ih), w.w_hh, w.b_hh, h0, valid);
}

std::string GRU::extra_repr() const { return describe_options(options()); }

LSTMCell::LSTMCell(LSTMCellOptions o) : options_(o) {
    KAYA_CHECK(o.input_size > 0 && o.hidden_size > 0, ValueError,
               "LSTMCell: input_size and hidden_size must be positive, got ", o.input_size, ", ", o.hidden_size);
    KAYA_CHECK(is_floating(o.dtype), DTypeError, "LSTMCell: dtype must be floating, got ", dtype_name(o.dtype));
    const int64_t H = o.hidden_size;
    const double bound = 1.0 / std::sqrt(static_cast<double>(H));
    auto param = [&](const std::string& n, Shape shape) {
        Tensor t = register_parameter(n, empty(shape, o.dtype));
        init::uniform_(t, -bound, bound, o.gen);
        return t;
    };
    weight_ih = param("weight_ih", {4 * H, o.input_size});
    weight_hh = param("weight_hh", {4 * H, H});
    if (o.bias) {
        bias_ih = param("bias_ih", {4 * H});
        bias_hh = param("bias_hh", {4 * H});
    }
}

LSTMCell::State LSTMCell::forward(const Tensor& x, const State& state) {
    const int64_t I = options_.input_size, H = options_.hidden_size;
    KAYA_CHECK(x.defined() && (x.dim() == 1 || x.dim() == 2) && x.shape().back() == I, ShapeError,
               "LSTMCell: expected input (N, ", I, ") or (", I, "), got ", describe(x));
    if (x.dim() == 1) {
        auto one = [](const Tensor& t) { return t.defined() ? unsqueeze(t, 0) : t; };
        State s = forward(unsqueeze(x, 0), {one(state.h), one(state.c)});
        return {squeeze(s.h, 0), squeeze(s.c, 0)};
    }
    const int64_t N = x.shape()[0];
    auto initial = [&](const Tensor& t, const char* name) {
        if (!t.defined()) return zeros({N, H}, x.dtype());
        KAYA_CHECK(t.shape() == Shape({N, H}), ShapeError, "LSTMCell: expected ", name, " of shape [", N, ", ", H,
                   "] for an input of ", N, " rows, got ", describe(t));
        return t;
    };
    const Tensor h0 = initial(state.h, "h"), c0 = initial(state.c, "c");
    Tensor xg = linear(x, weight_ih, options_.bias ? add(bias_ih, bias_hh) : Tensor());
    RecurrenceResult r = lstm_recurrence(unsqueeze(xg, 0), weight_hh, h0, c0);
    return {r.h_n, r.c_n};
}

std::string LSTMCell::extra_repr() const {
    return std::to_string(options_.input_size) + ", " + std::to_string(options_.hidden_size) +
           (options_.bias ? "" : ", bias=False");
}

}  // namespace kaya::nn
