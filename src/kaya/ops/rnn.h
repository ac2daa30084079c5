// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/tensor.h"

namespace kaya {

// The recurrent core of one LSTM or GRU layer in one direction, over a whole sequence
// (what torch.nn.LSTM / GRU run per layer and direction). T steps, N sequences, H units:
//   xg     (T, N, G*H)  input projections of every step (x_t W_ih^T + b_ih; the LSTM's also
//                       plus b_hh), G = 4 (LSTM, gates i, f, g, o) or 3 (GRU, r, z, n)
//   w_hh   (G*H, H)     recurrent weights
//   h0, c0 (N, H)       initial states
//   valid  (T, N) bool  false past a sequence's length, where its state is carried and its
//                       output is 0; undefined = every step valid
// Fused kernels run forward and backward through time; when a graph of the gradient is wanted
// (create_graph), the step-by-step version built from ops is differentiated instead, so
// higher derivatives work. Throws ShapeError / DTypeError on inconsistent arguments.
struct RecurrenceResult {
    Tensor output;  // (T, N, H)
    Tensor h_n;     // (N, H): the state after each sequence's last valid step
    Tensor c_n;     // (N, H), LSTM only
};

RecurrenceResult lstm_recurrence(const Tensor& xg, const Tensor& w_hh, const Tensor& h0,
                                 const Tensor& c0, const Tensor& valid = Tensor());

// GRU: b_hh (3H) or undefined, kept apart because n = tanh(x_n + r * (h W_hn^T + b_hn)).
RecurrenceResult gru_recurrence(const Tensor& xg, const Tensor& w_hh, const Tensor& b_hh,
                                const Tensor& h0, const Tensor& valid = Tensor());

// The same recurrences written step by step with ops (the definition the fused versions are
// tested against).
RecurrenceResult lstm_recurrence_stepwise(const Tensor& xg, const Tensor& w_hh, const Tensor& h0,
                                          const Tensor& c0, const Tensor& valid = Tensor());
RecurrenceResult gru_recurrence_stepwise(const Tensor& xg, const Tensor& w_hh, const Tensor& b_hh,
                                         const Tensor& h0, const Tensor& valid = Tensor());

}  // namespace kaya
