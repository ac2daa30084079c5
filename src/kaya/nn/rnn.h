// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "kaya/core/random.h"
#include "kaya/nn/module.h"
#include "kaya/ops/rnn.h"

namespace kaya::nn {

struct RNNOptions {
    int64_t input_size = 0;
    int64_t hidden_size = 0;
    int64_t num_layers = 1;
    bool bias = true;            // bias_ih_l* and bias_hh_l*.
    bool batch_first = false;    // (N, T, *) instead of PyTorch's default (T, N, *).
    double dropout = 0.0;        // On each layer's output except the last, in training mode.
    bool bidirectional = false;
    DType dtype = kDefaultDType;
    Generator* gen = nullptr;    // For the initialisation U(-1/sqrt(H), 1/sqrt(H)) and dropout.
};

struct RNNOutput {
    Tensor output;  // (T, N, D * H) or (N, T, D * H) with batch_first, or (T, D * H); zero past
                    // each sequence's length.
    Tensor h_n;     // (num_layers * D, N, H): each direction's state after its last valid step.
    Tensor c_n;     // Same for the LSTM's cell state; undefined for the GRU.
};

// What LSTM and GRU share: parameters named as PyTorch's (weight_ih_l0, weight_hh_l0,
// bias_ih_l0, bias_hh_l0, then *_reverse for the backward direction, then l1, ...), the layer
// and direction loop, variable lengths and dropout. Subclasses give the gate count and the cell.
class RecurrentBase : public Module {
public:
    const RNNOptions& options() const { return options_; }

protected:
    RecurrentBase(RNNOptions options, int64_t gates, const char* name);

    // input (T, N, I) / (N, T, I) / (T, I); lengths int64 (N) or undefined (all full length):
    // the equivalent of PyTorch's pack_padded_sequence / pad_packed_sequence. h0 and c0
    // (num_layers * D, N, H) or undefined (zeros).
    RNNOutput run(const Tensor& input, const Tensor& lengths, const Tensor& h0, const Tensor& c0,
                  bool has_cell);

    struct Weights {
        Tensor w_ih, w_hh, b_ih, b_hh;
    };
    // One layer in one direction over the whole sequence: x (T, N, in), h0 and c0 (N, H),
    // valid (T, N) bool or undefined. Returns output (T, N, H), h_n and (LSTM) c_n.
    virtual RecurrenceResult recur(const Tensor& x, const Weights& w, const Tensor& h0,
                                   const Tensor& c0, const Tensor& valid) = 0;

private:
    std::vector<Weights> weights_;  // Layer-major, then direction.
    RNNOptions options_;
    const char* name_;
};

// Long short-term memory (torch.nn.LSTM, Hochreiter and Schmidhuber 1997), PyTorch's gate
// order i, f, g, o:
//   i, f, o = sigmoid(.), g = tanh(.), c' = f * c + i * g, h' = o * tanh(c').
class LSTM : public RecurrentBase {
public:
    explicit LSTM(RNNOptions options);

    RNNOutput forward(const Tensor& input, const Tensor& lengths, const Tensor& h0 = Tensor(),
                      const Tensor& c0 = Tensor());
    Tensor forward(const Tensor& input) override { return forward(input, Tensor()).output; }
    std::string type_name() const override { return "LSTM"; }
    std::string extra_repr() const override;

protected:
    RecurrenceResult recur(const Tensor& x, const Weights& w, const Tensor& h0, const Tensor& c0,
                           const Tensor& valid) override;
};

// Gated recurrent unit (torch.nn.GRU, Cho et al. 2014), PyTorch's gate order r, z, n:
//   r, z = sigmoid(.), n = tanh(x_n + r * (h W_hn^T + b_hn)), h' = (1 - z) * n + z * h.
class GRU : public RecurrentBase {
public:
    explicit GRU(RNNOptions options);

    RNNOutput forward(const Tensor& input, const Tensor& lengths, const Tensor& h0 = Tensor());
    Tensor forward(const Tensor& input) override { return forward(input, Tensor()).output; }
    std::string type_name() const override { return "GRU"; }
    std::string extra_repr() const override;

protected:
    RecurrenceResult recur(const Tensor& x, const Weights& w, const Tensor& h0, const Tensor& c0,
                           const Tensor& valid) override;
};

struct LSTMCellOptions {
    int64_t input_size = 0;
    int64_t hidden_size = 0;
    bool bias = true;
    DType dtype = kDefaultDType;
    Generator* gen = nullptr;  // For the initialisation U(-1/sqrt(H), 1/sqrt(H)).
};

// One LSTM step (torch.nn.LSTMCell), for decoders that feed each output back in: weight_ih
// (4H, I), weight_hh (4H, H), bias_ih and bias_hh (4H), PyTorch's names and gate order. Runs
// the fused recurrence of one time step (lstm_recurrence with T = 1), so its backward is the
// same kernel's.
class LSTMCell : public Module {
public:
    explicit LSTMCell(LSTMCellOptions options);

    struct State {
        Tensor h, c;  // (N, H) each; undefined = zeros.
    };
    // x (N, I) or (I) -> the next state, (N, H) or (H).
    State forward(const Tensor& x, const State& state);
    Tensor forward(const Tensor& x) override { return forward(x, State{}).h; }
    std::string type_name() const override { return "LSTMCell"; }
    std::string extra_repr() const override;
    const LSTMCellOptions& options() const { return options_; }

    Tensor weight_ih, weight_hh, bias_ih, bias_hh;

private:
    LSTMCellOptions options_;
};

}  // namespace kaya::nn
