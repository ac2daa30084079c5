// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels {

// Whole-sequence LSTM and GRU recurrences, the part of a recurrent layer that cannot be
// batched over time: one (N x H) by (H x G*H) product per step plus the cell's pointwise work.
// The input projections x_t W_ih^T + b_ih of all steps come precomputed (one big product).
// Shapes: T steps, N sequences, H hidden units; all buffers contiguous, row-major.
//   xg      (T, N, G*H)  input projections (the LSTM's also include b_hh)
//   w_hh    (G*H, H)     recurrent weights, PyTorch's gate order (LSTM i,f,g,o; GRU r,z,n)
//   valid   (T, N)       false where step t lies past sequence n's length (nullptr: all
//                        valid); there the state is carried unchanged and out is 0.
//   hs, cs  (T, N, H)    the (carried) hidden and cell state after each step, saved for the
//                        backward pass; the last step's rows are h_n and c_n.
//   acts    (T, N, G*H)  the gates after their nonlinearity, saved for the backward pass
//                        (GRU: r, z, n, then (T, N, H) of h W_hn^T + b_hn in `extra`).

// LSTM: i, f, o = sigmoid, g = tanh, c' = f c + i g, h' = o tanh(c').
template <class T>
void lstm_forward(T* out, T* hs, T* cs, T* acts, const T* xg, const T* w_hh, const T* h0,
                  const T* c0, const bool* valid, int64_t steps, int64_t N, int64_t H);

// Gradients of lstm_forward for dout (T, N, H) (nullptr: 0) and dh_n, dc_n (N, H) (nullptr:
// 0): dxg (T, N, 4H), dw_hh (4H, H), dh0 and dc0 (N, H). All written, never accumulated.
template <class T>
void lstm_backward(T* dxg, T* dw_hh, T* dh0, T* dc0, const T* dout, const T* dh_n,
                   const T* dc_n, const T* acts, const T* hs, const T* cs, const T* w_hh,
                   const T* h0, const T* c0, const bool* valid, int64_t steps, int64_t N,
                   int64_t H);

// GRU: r, z = sigmoid, n = tanh(xn + r * (h W_hn^T + b_hn)), h' = n + z (h - n).
// b_hh (3H) or nullptr; extra (T, N, H) saves h W_hn^T + b_hn.
template <class T>
void gru_forward(T* out, T* hs, T* acts, T* extra, const T* xg, const T* w_hh, const T* b_hh,
                 const T* h0, const bool* valid, int64_t steps, int64_t N, int64_t H);

// Gradients of gru_forward: dxg (T, N, 3H), dw_hh (3H, H), db_hh (3H) (nullptr: not wanted),
// dh0 (N, H).
template <class T>
void gru_backward(T* dxg, T* dw_hh, T* db_hh, T* dh0, const T* dout, const T* dh_n,
                  const T* acts, const T* extra, const T* hs, const T* w_hh, const T* h0,
                  const bool* valid, int64_t steps, int64_t N, int64_t H);

}  // namespace kaya::kernels
