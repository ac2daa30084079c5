#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes PyTorch reference values for Kaya's op tests into tests/data/ref/.

For every case of tests/support/op_cases.cpp (same names, same input shapes and ranges):
  <name>.in<i>.npy   float64 inputs
  <name>.gout.npy    float64 seed for the backward pass
  <name>.out64.npy   output computed by PyTorch in float64
  <name>.out32.npy   output computed by PyTorch in float32 (from the rounded inputs)
  <name>.grad<i>.npy float64 gradient of <out, gout> with respect to input i
Run by hand when a case changes (needs Debian's python3-torch: scripts/setup.sh --with-torch):
  python3 tools/gen_reference.py
The tests read the committed files and never need Python.
"""
import math
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "ref")

I = lambda v, s: torch.tensor(v, dtype=torch.int64).reshape(s)

def attention(q, k, v, mask=None, scale=None):
    """softmax(q k^T * scale + mask) v, written out: PyTorch 1.13 has no public SDPA."""
    scores = (q * (scale if scale is not None else q.shape[-1] ** -0.5)) @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    return torch.softmax(scores, -1) @ v


VALID_3x2 = torch.tensor([[1, 1], [1, 1], [1, 0]], dtype=torch.bool)


def lstm(xg, w_hh, h, c, valid=None):
    """torch.nn.LSTM's recurrence (gates i, f, g, o) with per-sequence lengths as a mask."""
    outs = []
    for t in range(xg.shape[0]):
        i, f, g, o = (xg[t] + h @ w_hh.T).chunk(4, 1)
        cn = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        hn = torch.sigmoid(o) * torch.tanh(cn)
        m = valid[t].unsqueeze(1) if valid is not None else torch.ones(1, 1, dtype=torch.bool)
        h, c = torch.where(m, hn, h), torch.where(m, cn, c)
        outs.append(torch.where(m, hn, torch.zeros_like(hn)))
    return torch.stack(outs), h, c


def gru(xg, w_hh, b_hh, h, valid=None):
    """torch.nn.GRU's recurrence (gates r, z, n)."""
    outs = []
    for t in range(xg.shape[0]):
        xr, xz, xn = xg[t].chunk(3, 1)
        hr, hz, hn = (h @ w_hh.T + b_hh).chunk(3, 1)
        r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        new = (1 - z) * n + z * h
        m = valid[t].unsqueeze(1)
        h = torch.where(m, new, h)
        outs.append(torch.where(m, new, torch.zeros_like(new)))
    return torch.stack(outs), h


# name: (shapes, function, lo, hi)
CASES = {
    "add": ([(3, 4), (3, 4)], lambda x: x[0] + x[1]),
    "add_broadcast": ([(3, 1, 4), (2, 4)], lambda x: x[0] + x[1]),
    "add_scalar": ([(3, 4)], lambda x: x[0] + 2.5),
    "sub_broadcast": ([(2, 3), (3,)], lambda x: x[0] - x[1]),
    "rsub": ([(2, 3)], lambda x: 1.5 - x[0]),
    "mul": ([(3, 4), (3, 4)], lambda x: x[0] * x[1]),
    "mul_broadcast": ([(4, 1), (1, 5)], lambda x: x[0] * x[1]),
    "div": ([(3, 4), (3, 4)], lambda x: x[0] / x[1], 0.5, 2.0),
    "div_broadcast": ([(2, 3), (2, 1)], lambda x: x[0] / x[1], 0.5, 2.0),
    "pow": ([(3, 4), (3, 4)], lambda x: torch.pow(x[0], x[1]), 0.5, 2.0),
    "pow_scalar": ([(3, 4)], lambda x: torch.pow(x[0], 3)),
    "pow_fractional": ([(3, 4)], lambda x: torch.pow(x[0], 1.7), 0.5, 2.0),
    "maximum": ([(3, 4), (3, 4)], lambda x: torch.maximum(x[0], x[1])),
    "minimum_broadcast": ([(3, 4), (4,)], lambda x: torch.minimum(x[0], x[1])),
    "neg": ([(3, 4)], lambda x: -x[0]),
    "exp": ([(3, 4)], lambda x: torch.exp(x[0])),
    "log": ([(3, 4)], lambda x: torch.log(x[0]), 0.5, 2.0),
    "sqrt": ([(3, 4)], lambda x: torch.sqrt(x[0]), 0.5, 2.0),
    "rsqrt": ([(3, 4)], lambda x: torch.rsqrt(x[0]), 0.5, 2.0),
    "abs": ([(3, 4)], lambda x: torch.abs(x[0])),
    "sign": ([(3, 4)], lambda x: torch.sign(x[0]) * x[0]),
    "sin": ([(3, 4)], lambda x: torch.sin(x[0])),
    "cos": ([(3, 4)], lambda x: torch.cos(x[0])),
    "tanh": ([(3, 4)], lambda x: torch.tanh(x[0])),
    "sigmoid": ([(3, 4)], lambda x: torch.sigmoid(x[0]), -4, 4),
    "relu": ([(3, 4)], lambda x: torch.relu(x[0])),
    "clamp": ([(4, 5)], lambda x: torch.clamp(x[0], -0.5, 0.5)),
    "clamp_min": ([(4, 5)], lambda x: torch.clamp(x[0], min=0.1)),
    "where": ([(3, 4), (3, 4)], lambda x: torch.where(x[0] > x[1], x[0] * x[1], x[1])),
    "where_broadcast": ([(3, 4), (4,)], lambda x: torch.where(x[0] > 0, x[0], x[1])),
    "to_float64": ([(3, 4)], lambda x: x[0].to(torch.float64) * x[0]),
    "clone": ([(3, 4)], lambda x: x[0].clone() * x[0]),
    "contiguous": ([(3, 4)], lambda x: torch.exp(x[0].contiguous())),
    "erf": ([(3, 4)], lambda x: torch.erf(x[0]), -2, 2),
    "log1p": ([(3, 4)], lambda x: torch.log1p(x[0]), -0.5, 2),
    "gelu": ([(3, 4)], lambda x: torch.nn.functional.gelu(x[0]), -3, 3),
    "gelu_tanh": ([(3, 4)], lambda x: torch.nn.functional.gelu(x[0], approximate="tanh"), -3, 3),
    "silu": ([(3, 4)], lambda x: torch.nn.functional.silu(x[0]), -3, 3),
    "hardsigmoid": ([(3, 4)], lambda x: torch.nn.functional.hardsigmoid(x[0]), -5, 5),
    "softplus": ([(3, 4)], lambda x: torch.nn.functional.softplus(x[0]), -5, 5),
    "logsigmoid": ([(3, 4)], lambda x: torch.nn.functional.logsigmoid(x[0]), -5, 5),
    "sum_all": ([(3, 4)], lambda x: torch.sum(x[0] * x[0])),
    "sum_dim": ([(3, 4, 2)], lambda x: torch.sum(x[0] * x[0], [1])),
    "sum_dims_keepdim": ([(3, 4, 2)], lambda x: torch.sum(torch.exp(x[0]), [0, 2], keepdim=True)),
    "mean": ([(3, 4)], lambda x: torch.mean(x[0] * x[0], [-1])),
    "var": ([(3, 5)], lambda x: torch.var(x[0], [1])),
    "var_all_unbiased0": ([(3, 5)], lambda x: torch.var(x[0], unbiased=False)),
    "std": ([(3, 5)], lambda x: torch.std(x[0], [0], keepdim=True)),
    "max_dim": ([(3, 5)], lambda x: torch.max(x[0], 1).values * 2.0),
    "min_dim_keepdim": ([(3, 5)], lambda x: torch.min(x[0], 0, keepdim=True).values),
    "max_all": ([(3, 5)], lambda x: torch.max(x[0])),
    "amax": ([(3, 4, 2)], lambda x: torch.amax(x[0], [0, 2])),
    "logsumexp": ([(3, 5)], lambda x: torch.logsumexp(x[0], [1])),
    "norm2": ([(3, 5)], lambda x: torch.linalg.vector_norm(x[0])),
    "norm1_dim": ([(3, 5)], lambda x: torch.linalg.vector_norm(x[0], 1, [1])),
    "norm3": ([(3, 5)], lambda x: torch.linalg.vector_norm(x[0], 3, [0], keepdim=True)),
    "norm_inf": ([(3, 5)], lambda x: torch.linalg.vector_norm(x[0], math.inf, [1])),
    "softmax": ([(3, 5)], lambda x: torch.softmax(x[0], 1)),
    "softmax_3d_last": ([(2, 3, 4)], lambda x: torch.softmax(x[0], -1)),
    "softmax_dim0": ([(4, 3)], lambda x: torch.softmax(x[0], 0)),
    "log_softmax": ([(3, 5)], lambda x: torch.log_softmax(x[0], 0)),
    "mm": ([(3, 4), (4, 2)], lambda x: torch.mm(x[0], x[1])),
    "bmm": ([(2, 3, 4), (2, 4, 2)], lambda x: torch.bmm(x[0], x[1])),
    "matmul_vec_vec": ([(4,), (4,)], lambda x: torch.matmul(x[0], x[1])),
    "matmul_mat_vec": ([(3, 4), (4,)], lambda x: torch.matmul(x[0], x[1])),
    "matmul_vec_mat": ([(4,), (4, 3)], lambda x: torch.matmul(x[0], x[1])),
    "matmul_batch_mat": ([(2, 3, 4), (4, 2)], lambda x: torch.matmul(x[0], x[1])),
    "matmul_broadcast": ([(2, 1, 3, 4), (3, 4, 2)], lambda x: torch.matmul(x[0], x[1])),
    "linear": ([(3, 4), (2, 4), (2,)], lambda x: torch.nn.functional.linear(x[0], x[1], x[2])),
    "linear_batched_nobias": ([(2, 3, 4), (5, 4)], lambda x: torch.nn.functional.linear(x[0], x[1])),
    "conv2d": ([(2, 3, 5, 5), (4, 3, 3, 3), (4,)], lambda x: F.conv2d(x[0], x[1], x[2], padding=1)),
    "conv2d_5x5_pad2": ([(1, 2, 5, 5), (3, 2, 5, 5)], lambda x: F.conv2d(x[0], x[1], padding=2)),
    "conv2d_stride_dilation": ([(2, 2, 7, 6), (3, 2, 2, 3), (3,)],
                               lambda x: F.conv2d(x[0], x[1], x[2], stride=(2, 1), padding=(1, 2), dilation=(2, 1))),
    "conv2d_groups": ([(2, 4, 5, 4), (6, 2, 3, 2)], lambda x: F.conv2d(x[0], x[1], stride=(1, 2), groups=2)),
    "conv2d_add_relu": ([(2, 3, 5, 5), (4, 3, 3, 3), (4,), (2, 4, 5, 5)],
                        lambda x: F.relu(F.conv2d(x[0], x[1], x[2], padding=1) + x[3])),
    "conv2d_add_per_channel": ([(2, 3, 5, 5), (4, 3, 3, 3), (2, 4, 1, 1)],
                               lambda x: F.conv2d(x[0], x[1], padding=1) + x[2]),
    "conv2d_pointwise": ([(2, 3, 4, 4), (5, 3, 1, 1), (5,)], lambda x: F.conv2d(x[0], x[1], x[2])),
    "conv2d_unbatched": ([(2, 4, 4), (3, 2, 3, 3)], lambda x: F.conv2d(x[0], x[1], padding=(1, 0))),
    "conv1d": ([(2, 3, 7), (4, 3, 3), (4,)], lambda x: F.conv1d(x[0], x[1], x[2], padding=1)),
    "conv1d_stride_dilation_groups": ([(2, 4, 9), (6, 2, 3)],
                                      lambda x: F.conv1d(x[0], x[1], stride=2, padding=2, dilation=2, groups=2)),
    "conv2d_input_grad": ([(4, 3, 3, 3), (2, 4, 3, 2)],
                          lambda x: torch.nn.grad.conv2d_input((2, 3, 6, 5), x[0], x[1], stride=2, padding=(1, 0))),
    "conv2d_weight_grad": ([(2, 4, 5, 5), (2, 6, 5, 5)],
                           lambda x: torch.nn.grad.conv2d_weight(x[0], (6, 2, 3, 3), x[1], padding=1, groups=2)),
    "outer": ([(3,), (4,)], lambda x: torch.outer(x[0], x[1])),
    "dot": ([(5,), (5,)], lambda x: torch.dot(x[0], x[1])),
    "view": ([(3, 4)], lambda x: x[0].reshape(2, 6) * 3.0),
    "reshape_infer": ([(3, 4)], lambda x: torch.exp(x[0].reshape(-1))),
    "permute": ([(2, 3, 4)], lambda x: x[0].permute(2, 0, 1) * x[0].size(0)),
    "transpose": ([(3, 4)], lambda x: x[0].transpose(0, 1) * x[0].transpose(0, 1)),
    "narrow": ([(5, 4)], lambda x: torch.exp(x[0].narrow(0, 1, 3))),
    "slice_step": ([(7, 3)], lambda x: torch.exp(x[0][1:7:2])),
    "select": ([(3, 4)], lambda x: torch.exp(x[0].select(1, -1))),
    "expand": ([(3, 1)], lambda x: x[0].expand(2, 3, 4) * 2.0),
    "squeeze_unsqueeze": ([(3, 1, 4)], lambda x: torch.exp(x[0]).squeeze().unsqueeze(0)),
    "flatten": ([(2, 3, 4)], lambda x: torch.exp(x[0].flatten(1))),
    "cat": ([(2, 3), (4, 3)], lambda x: torch.exp(torch.cat([x[0], x[1]], 0))),
    "stack": ([(2, 3), (2, 3)], lambda x: torch.stack([x[0], x[1]], 1) * 2.0),
    "split": ([(5, 3)], lambda x: (lambda p: p[0] * p[1] + torch.exp(p[2]))(torch.split(x[0], 2, 0))),
    "chunk": ([(2, 6)], lambda x: (lambda p: p[0] * p[2])(torch.chunk(x[0], 3, 1))),
    "index_select": ([(4, 3)], lambda x: torch.exp(torch.index_select(x[0], 0, I([2, 0, 2], (3,))))),
    "gather": ([(3, 4)], lambda x: torch.exp(torch.gather(x[0], 1, I([0, 3, 3, 1, 2, 0], (3, 2))))),
    "scatter_add": ([(3, 4), (2, 4)], lambda x: torch.exp(torch.scatter_add(x[0], 0, I([0, 2, 1, 0, 0, 0, 2, 2], (2, 4)), x[1]))),
    "tril": ([(4, 4)], lambda x: torch.tril(x[0]) * x[0]),
    "triu_offset": ([(3, 5)], lambda x: torch.triu(x[0], 1) * x[0]),
    "masked_fill": ([(3, 4)], lambda x: torch.exp(x[0].masked_fill(x[0] > 0.2, 0.0))),
    "embedding": ([(5, 3)], lambda x: torch.exp(F.embedding(I([1, 4, 0, 1], (2, 2)), x[0]))),
    "embedding_padding": ([(5, 3)], lambda x: torch.exp(F.embedding(I([1, 4, 2, 1, 3, 2], (3, 2)), x[0], padding_idx=2))
                          * (I([1, 4, 2, 1, 3, 2], (3, 2)) != 2).unsqueeze(-1)),
    "attention": ([(2, 3, 4), (2, 5, 4), (2, 5, 3)], lambda x: attention(x[0], x[1], x[2])),
    "attention_masked_causal": ([(2, 4, 4), (2, 4, 4), (2, 4, 2)], lambda x: attention(
        x[0], x[1], x[2], torch.tensor([[[1, 1, 1, 0]], [[1, 1, 0, 0]]], dtype=torch.bool)
        & torch.ones(4, 4, dtype=torch.bool).tril())),
    "attention_float_mask": ([(3, 4), (5, 4), (5, 2), (3, 5)], lambda x: attention(x[0], x[1], x[2], x[3], 0.7)),
    "lstm_recurrence": ([(3, 2, 8), (8, 2), (2, 2), (2, 2)],
                        lambda x: torch.cat([t.reshape(-1) for t in lstm(*x, VALID_3x2)])),
    "gru_recurrence": ([(3, 2, 6), (6, 2), (6,), (2, 2)],
                       lambda x: torch.cat([t.reshape(-1) for t in gru(*x, VALID_3x2)])),
    "lstm_recurrence_full_length": ([(4, 1, 4), (4, 1), (1, 1), (1, 1)],
                                    lambda x: torch.cat([t.reshape(-1) for t in lstm(*x)[::2]])),
    "max_pool2d": ([(2, 2, 5, 6)], lambda x: F.max_pool2d(x[0], 2)),
    "max_pool2d_pad_dilation_ceil": ([(1, 2, 7, 6)], lambda x: F.max_pool2d(
        x[0], (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True)),
    "max_pool2d_unbatched": ([(2, 4, 5)], lambda x: torch.exp(F.max_pool2d(x[0], (2, 3), stride=(1, 2)))),
    "avg_pool2d_pad": ([(2, 2, 5, 6)], lambda x: F.avg_pool2d(x[0], (2, 3), stride=2, padding=1)),
    "avg_pool2d_ceil_exclude_pad": ([(1, 3, 6, 5)], lambda x: F.avg_pool2d(
        x[0], 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    "avg_pool2d_backward": ([(2, 2, 3, 3)], lambda x: torch.ops.aten.avg_pool2d_backward(
        x[0], torch.zeros(2, 2, 5, 6, dtype=x[0].dtype), [2, 3], [2, 2], [1, 1], False, True, None)),
    "adaptive_avg_pool2d": ([(2, 2, 5, 7)], lambda x: F.adaptive_avg_pool2d(x[0], (3, 4))),
    "adaptive_avg_pool2d_global": ([(2, 3, 4, 4)], lambda x: torch.exp(F.adaptive_avg_pool2d(x[0], 1))),
    "batch_norm_training": ([(4, 3, 2, 2), (3,), (3,)], lambda x: F.batch_norm(x[0], None, None, x[1], x[2], training=True)),
    "batch_norm_rows": ([(6, 5), (5,), (5,)], lambda x: F.batch_norm(x[0], None, None, x[1], x[2], training=True)),
    "amax_trailing": ([(3, 4, 2)], lambda x: torch.amax(x[0], [1, 2])),
    "batch_norm_1d_plain": ([(5, 2, 3)], lambda x: F.batch_norm(x[0], None, None, training=True, eps=1e-3)),
    "batch_norm_eval": ([(4, 3, 2, 2), (3,), (3,)],
                        lambda x: F.batch_norm(x[0], torch.tensor([0.2, -0.1, 0.05], dtype=x[0].dtype),
                                               torch.tensor([1.5, 0.7, 2.0], dtype=x[0].dtype), x[1], x[2],
                                               training=False)),
    "rfft": ([(3, 8)], lambda x: torch.view_as_real(torch.fft.rfft(x[0]))),
    "rfft_odd_padded": ([(2, 7)], lambda x: torch.view_as_real(torch.fft.rfft(x[0], 9))),
    "rfft_trimmed": ([(2, 10)], lambda x: torch.view_as_real(torch.fft.rfft(x[0], 6))),
    "irfft": ([(3, 5, 2)], lambda x: torch.fft.irfft(torch.view_as_complex(x[0]))),
    "irfft_odd": ([(2, 4, 2)], lambda x: torch.fft.irfft(torch.view_as_complex(x[0]), 7)),
    "irfft_padded": ([(2, 3, 2)], lambda x: torch.fft.irfft(torch.view_as_complex(x[0]), 10)),
    "unfold": ([(3, 10)], lambda x: x[0].unfold(1, 4, 3)),
    "unfold_dim0_overlap": ([(7, 2)], lambda x: x[0].unfold(0, 3, 2)),
    "layer_norm": ([(3, 5), (5,), (5,)], lambda x: F.layer_norm(x[0], (5,), x[1], x[2])),
    "layer_norm_2d_plain": ([(2, 3, 4)], lambda x: F.layer_norm(x[0], (3, 4))),
    "layer_norm_weight_only": ([(4, 6), (6,)], lambda x: F.layer_norm(x[0], (6,), x[1], None, 1e-3)),
}


# Ops without gradients (integer, bool and index results), compared exactly or at float
# tolerance. Inputs: ("f", shape) float32 in [-2, 2), ("i", shape, lo, hi) int64 in [lo, hi).
NONDIFF = {
    "eq_broadcast": ([("i", (3, 4), 0, 3), ("i", (4,), 0, 3)], lambda x: torch.eq(x[0], x[1])),
    "lt_mixed": ([("f", (3, 4)), ("i", (3, 4), -2, 2)], lambda x: torch.lt(x[0], x[1])),
    "ge_scalar": ([("f", (5,))], lambda x: torch.ge(x[0], 0.25)),
    "logical_and": ([("f", (3, 4)), ("f", (4,))], lambda x: torch.logical_and(x[0] > 0, x[1] > 0)),
    "logical_or": ([("f", (6,)), ("f", (6,))], lambda x: torch.logical_or(x[0] > 0, x[1] > 0)),
    "logical_xor": ([("f", (6,)), ("f", (6,))], lambda x: torch.logical_xor(x[0] > 0, x[1] > 0)),
    "logical_not": ([("f", (6,))], lambda x: torch.logical_not(x[0] > 0)),
    "argmax_dim": ([("f", (4, 5))], lambda x: torch.argmax(x[0], 1)),
    "argmin_keepdim": ([("f", (4, 5))], lambda x: torch.argmin(x[0], 0, keepdim=True)),
    "argmax_all": ([("f", (4, 5))], lambda x: torch.argmax(x[0])),
    "max_indices": ([("f", (3, 6))], lambda x: torch.max(x[0], 1).indices),
    "one_hot": ([("i", (5,), 0, 4)], lambda x: torch.nn.functional.one_hot(x[0], 6)),
    "int_add_mul": ([("i", (3, 4), -5, 5), ("i", (4,), -5, 5)], lambda x: x[0] * x[1] + x[0]),
    "int_pow": ([("i", (8,), -3, 4)], lambda x: torch.pow(x[0], 3)),
    "int_div": ([("i", (8,), -9, 9), ("i", (8,), 1, 4)], lambda x: torch.div(x[0], x[1])),
    "int_times_float": ([("i", (8,), -9, 9)], lambda x: x[0] * 0.5),
    "int_sum": ([("i", (3, 5), -9, 9)], lambda x: torch.sum(x[0], 1)),
    "bool_sum": ([("f", (3, 5))], lambda x: torch.sum(x[0] > 0)),
    "int_matmul": ([("i", (3, 4), -3, 3), ("i", (4, 2), -3, 3)], lambda x: torch.matmul(x[0], x[1])),
    "int_clamp": ([("i", (8,), -9, 9)], lambda x: torch.clamp(x[0], -3, 4)),
    "int_abs_neg_sign": ([("i", (8,), -9, 9)], lambda x: torch.abs(x[0]) - torch.neg(x[0]) * torch.sign(x[0])),
    "where_int": ([("f", (6,)), ("i", (6,), 0, 9)], lambda x: torch.where(x[0] > 0, x[1], 0)),
    "float_to_int": ([("f", (8,))], lambda x: (x[0] * 3).to(torch.int64)),
    "bool_to_float": ([("f", (8,))], lambda x: (x[0] > 0).to(torch.float32)),
    "exp_of_int": ([("i", (5,), -3, 3)], lambda x: torch.exp(x[0])),
    "cat_promote": ([("i", (2, 3), 0, 9), ("f", (1, 3))], lambda x: torch.cat([x[0], x[1]], 0)),
    "index_select_int": ([("i", (4, 3), 0, 9)], lambda x: torch.index_select(x[0], 1, I([2, 0], (2,)))),
    "gather_int": ([("i", (3, 3), 0, 9)], lambda x: torch.gather(x[0], 0, I([2, 1, 0], (1, 3)))),
    "tril_int": ([("i", (3, 4), 1, 9)], lambda x: torch.tril(x[0], -1)),
    "arange_float": ([], lambda x: torch.arange(-1.0, 1.0, 0.3)),
    "arange_int": ([], lambda x: torch.arange(2, 17, 4)),
    "linspace": ([], lambda x: torch.linspace(-1.0, 2.0, 7)),
    "eye": ([], lambda x: torch.eye(3, 5)),
}



# Losses: name -> (arrays, fn). Arrays: input (float64 logits or predictions), target, and
# optional weight / pos_weight. Written as nl_<name>.<key>.npy with .out and .grad (of the
# summed loss with respect to input).
def loss_cases(rng):
    u = lambda *s: rng.uniform(-3, 3, size=s)
    idx = lambda hi, *s: rng.integers(0, hi, size=s).astype(np.int64)
    probs = rng.dirichlet(np.ones(5), size=6)
    tgt_ignore = idx(5, 6)
    tgt_ignore[[1, 4]] = -100
    tgt_ign3 = idx(4, 3)
    tgt_ign3[0] = 3
    return {
        "mse": ({"input": u(4, 3), "target": u(4, 3)}, lambda a: F.mse_loss(a["input"], a["target"])),
        "mse_sum": ({"input": u(4, 3), "target": u(4, 3)}, lambda a: F.mse_loss(a["input"], a["target"], reduction="sum")),
        "l1_none": ({"input": u(4, 3), "target": u(4, 3)}, lambda a: F.l1_loss(a["input"], a["target"], reduction="none")),
        "huber": ({"input": u(5, 4), "target": u(5, 4)}, lambda a: F.huber_loss(a["input"], a["target"], delta=1.5)),
        "ce": ({"input": u(6, 5), "target": idx(5, 6)}, lambda a: F.cross_entropy(a["input"], a["target"])),
        "ce_sum": ({"input": u(6, 5), "target": idx(5, 6)}, lambda a: F.cross_entropy(a["input"], a["target"], reduction="sum")),
        "ce_none": ({"input": u(6, 5), "target": idx(5, 6)}, lambda a: F.cross_entropy(a["input"], a["target"], reduction="none")),
        "ce_weight": ({"input": u(6, 5), "target": idx(5, 6), "weight": rng.uniform(0.2, 2, size=5)},
                      lambda a: F.cross_entropy(a["input"], a["target"], weight=a["weight"])),
        "ce_ignore": ({"input": u(6, 5), "target": tgt_ignore}, lambda a: F.cross_entropy(a["input"], a["target"])),
        "ce_smooth": ({"input": u(6, 5), "target": idx(5, 6)},
                      lambda a: F.cross_entropy(a["input"], a["target"], label_smoothing=0.1)),
        "ce_all_options": ({"input": u(6, 5), "target": tgt_ignore, "weight": rng.uniform(0.2, 2, size=5)},
                           lambda a: F.cross_entropy(a["input"], a["target"], weight=a["weight"], label_smoothing=0.2)),
        "ce_smooth_none": ({"input": u(6, 5), "target": tgt_ignore, "weight": rng.uniform(0.2, 2, size=5)},
                           lambda a: F.cross_entropy(a["input"], a["target"], weight=a["weight"], label_smoothing=0.2, reduction="none")),
        "ce_spatial": ({"input": u(2, 4, 3), "target": idx(4, 2, 3)}, lambda a: F.cross_entropy(a["input"], a["target"])),
        "ce_unbatched": ({"input": u(4), "target": np.array(2, dtype=np.int64)}, lambda a: F.cross_entropy(a["input"], a["target"])),
        "ce_probs": ({"input": u(6, 5), "target": probs}, lambda a: F.cross_entropy(a["input"], a["target"])),
        "ce_probs_all": ({"input": u(6, 5), "target": probs, "weight": rng.uniform(0.2, 2, size=5)},
                         lambda a: F.cross_entropy(a["input"], a["target"], weight=a["weight"], label_smoothing=0.1)),
        "ce_huge_logits": ({"input": u(3, 4) * 5000, "target": idx(4, 3)}, lambda a: F.cross_entropy(a["input"], a["target"])),
        "nll_weight_ignore": ({"input": np.log(rng.dirichlet(np.ones(4), size=3)), "target": tgt_ign3,
                               "weight": rng.uniform(0.2, 2, size=4)},
                              lambda a: F.nll_loss(a["input"], a["target"], weight=a["weight"], ignore_index=3)),
        "bce_logits": ({"input": u(4, 3), "target": rng.uniform(0, 1, size=(4, 3))},
                       lambda a: F.binary_cross_entropy_with_logits(a["input"], a["target"])),
        "bce_logits_all": ({"input": u(4, 3) * 10, "target": rng.integers(0, 2, size=(4, 3)).astype(np.float64),
                            "weight": rng.uniform(0.5, 2, size=(4, 3)), "pos_weight": rng.uniform(0.5, 3, size=3)},
                           lambda a: F.binary_cross_entropy_with_logits(a["input"], a["target"], weight=a["weight"],
                                                                        pos_weight=a["pos_weight"], reduction="sum")),
    }


# Optimizers: 20 steps on loss = mean((tanh(X w) + b - Y)^2), float64; the trajectories of
# w (4, 3) and b (3) after each step are written as no_<name>.w.npy (20, 4, 3) / .b.npy.
O = torch.optim
OPTIMIZERS = {
    "sgd": lambda w, b: O.SGD([w, b], lr=0.1),
    "sgd_momentum": lambda w, b: O.SGD([w, b], lr=0.05, momentum=0.9),
    "sgd_dampening": lambda w, b: O.SGD([w, b], lr=0.05, momentum=0.9, dampening=0.3),
    "sgd_nesterov_wd": lambda w, b: O.SGD([w, b], lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adagrad": lambda w, b: O.Adagrad([w, b], lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1),
    "rmsprop": lambda w, b: O.RMSprop([w, b], lr=0.01),
    "rmsprop_centered_momentum": lambda w, b: O.RMSprop([w, b], lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.01),
    "adam": lambda w, b: O.Adam([w, b], lr=0.01),
    "adam_amsgrad_wd": lambda w, b: O.Adam([w, b], lr=0.01, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.01),
    "adamw": lambda w, b: O.AdamW([w, b], lr=0.01, weight_decay=0.1),
    "adamw_amsgrad": lambda w, b: O.AdamW([w, b], lr=0.02, amsgrad=True),
    "groups_sgd": lambda w, b: O.SGD([{"params": [w], "lr": 0.1, "momentum": 0.9}, {"params": [b]}], lr=0.01),
}

# Schedules: lr after each of 30 steps of SGD(lr=0.1) on one parameter (ns_<name>.lr.npy).
S = torch.optim.lr_scheduler
SCHEDULERS = {
    "step": lambda o: S.StepLR(o, step_size=7, gamma=0.5),
    "exponential": lambda o: S.ExponentialLR(o, gamma=0.9),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
    "warmup_inverse_sqrt": lambda o: S.LambdaLR(o, lambda s: min(s / 5, math.sqrt(5 / s)) if s > 0 else 0.0),
}
PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.85, 0.86, 0.86, 0.87, 0.88, 0.89, 0.9, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85]


def write_safetensors_with_numpy(path, arrays, metadata):
    """The format by hand (no safetensors package): 8-byte length, JSON header, raw data.
    arrays: name -> (dtype tag, numpy array already in that storage type)."""
    import json
    import struct
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, (tag, a) in arrays.items():
        raw = np.ascontiguousarray(a).tobytes()
        header[name] = {"dtype": tag, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def safetensors_reference(rng):
    d = os.path.join(OUT, "..", "safetensors")
    os.makedirs(d, exist_ok=True)
    f32 = rng.normal(size=(3, 2)).astype(np.float32)
    half = np.array([0.5, -2.0, 65504.0, 1e-7], dtype=np.float16)
    bf_src = np.array([1.5, -3.25], dtype=np.float32)
    bf = (bf_src.view(np.uint32) >> 16).astype(np.uint16)  # Exact: these values fit bfloat16.
    arrays = {
        "linear.weight": ("F32", f32),
        "linear.bias": ("F32", np.arange(3, dtype=np.float32)),
        "counts": ("I64", np.array([1, -2, 3, 1 << 40], dtype=np.int64)),
        "mask": ("BOOL", np.array([[True, False], [False, True]])),
        "half": ("F16", half),
        "bf": ("BF16", bf),
        "small": ("I32", np.array([-7, 9], dtype=np.int32)),
        "bytes": ("U8", np.array([0, 200, 255], dtype=np.uint8)),
        "scalar": ("F64", np.array(2.5)),
        "empty": ("F32", np.zeros((0, 3), dtype=np.float32)),
    }
    write_safetensors_with_numpy(os.path.join(d, "numpy_written.safetensors"), arrays,
                                 {"format": "pt", "epoch": "3"})
    expected = {"linear.weight": f32, "half": half.astype(np.float32), "bf": bf_src,
                "small": np.array([-7, 9], dtype=np.int64), "bytes": np.array([0, 200, 255], dtype=np.int64)}
    for name, a in expected.items():
        save(os.path.join(d, f"expected.{name}.npy"), a)


def make_input(rng, spec):
    if spec[0] == "f":
        return rng.uniform(-2.0, 2.0, size=spec[1]).astype(np.float32)
    return rng.integers(spec[2], spec[3], size=spec[1]).astype(np.int64)


def save(path, array):
    np.save(path, np.array(array, order="C", copy=True))  # ascontiguousarray makes 0-d 1-d


def case_rng(name):
    """A generator per case, so adding a case leaves every other case's files unchanged."""
    return np.random.default_rng([20261124, zlib.crc32(name.encode())])


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".npy"):
            os.remove(os.path.join(OUT, old))
    for name, spec in CASES.items():
        rng = case_rng(name)
        shapes, fn = spec[0], spec[1]
        lo, hi = (spec[2], spec[3]) if len(spec) > 2 else (-1.0, 1.0)
        ins = [rng.uniform(lo, hi, size=s) for s in shapes]
        xs64 = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in ins]
        out64 = fn(xs64)
        gout = rng.uniform(-1.0, 1.0, size=tuple(out64.shape))
        grads = torch.autograd.grad(out64, xs64, torch.tensor(gout), allow_unused=True)
        with torch.no_grad():
            out32 = fn([torch.tensor(a, dtype=torch.float32) for a in ins])
        for i, a in enumerate(ins):
            save(os.path.join(OUT, f"{name}.in{i}.npy"), a)
            g = grads[i] if grads[i] is not None else torch.zeros(shapes[i], dtype=torch.float64)
            save(os.path.join(OUT, f"{name}.grad{i}.npy"), g.numpy())
        save(os.path.join(OUT, f"{name}.gout.npy"), gout)
        save(os.path.join(OUT, f"{name}.out64.npy"), out64.detach().numpy())
        save(os.path.join(OUT, f"{name}.out32.npy"), out32.numpy().astype(np.float32))
    for name, (specs, fn) in NONDIFF.items():
        rng = case_rng("nd_" + name)
        ins = [make_input(rng, sp) for sp in specs]
        out = fn([torch.from_numpy(a) for a in ins])
        for i, a in enumerate(ins):
            save(os.path.join(OUT, f"nd_{name}.in{i}.npy"), a)
        save(os.path.join(OUT, f"nd_{name}.out.npy"), out.numpy())
    rng = np.random.default_rng(20261124)
    losses = loss_cases(rng)
    for name, (arrays, fn) in losses.items():
        tensors = {k: torch.from_numpy(v) for k, v in arrays.items()}
        tensors["input"].requires_grad_(True)
        out = fn(tensors)
        (grad,) = torch.autograd.grad(out.sum(), [tensors["input"]])
        for k, v in arrays.items():
            save(os.path.join(OUT, f"nl_{name}.{k}.npy"), v)
        save(os.path.join(OUT, f"nl_{name}.out.npy"), out.detach().numpy())
        save(os.path.join(OUT, f"nl_{name}.grad.npy"), grad.numpy())
    X, Y = rng.normal(size=(8, 4)), rng.normal(size=(8, 3))
    w0, b0 = rng.normal(size=(4, 3)) * 0.5, rng.normal(size=3) * 0.5
    save(os.path.join(OUT, "no_data.X.npy"), X)
    save(os.path.join(OUT, "no_data.Y.npy"), Y)
    save(os.path.join(OUT, "no_data.w0.npy"), w0)
    save(os.path.join(OUT, "no_data.b0.npy"), b0)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    for name, make in OPTIMIZERS.items():
        w = torch.tensor(w0, requires_grad=True)
        b = torch.tensor(b0, requires_grad=True)
        opt = make(w, b)
        ws, bs = [], []
        for _ in range(20):
            opt.zero_grad()
            loss = ((torch.tanh(Xt @ w) + b - Yt) ** 2).mean()
            loss.backward()
            opt.step()
            ws.append(w.detach().clone().numpy())
            bs.append(b.detach().clone().numpy())
        save(os.path.join(OUT, f"no_{name}.w.npy"), np.stack(ws))
        save(os.path.join(OUT, f"no_{name}.b.npy"), np.stack(bs))
    for name, make in SCHEDULERS.items():
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make(opt)
        lrs = []
        for _ in range(30):
            opt.step()
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        save(os.path.join(OUT, f"ns_{name}.lr.npy"), np.array(lrs))
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    plateau = S.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    lrs = []
    for m in PLATEAU_METRICS:
        plateau.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    save(os.path.join(OUT, "ns_plateau.metric.npy"), np.array(PLATEAU_METRICS))
    save(os.path.join(OUT, "ns_plateau.lr.npy"), np.array(lrs))
    safetensors_reference(rng)
    with open(os.path.join(OUT, "VERSION.txt"), "w") as f:
        f.write(f"torch {torch.__version__}, numpy {np.__version__}, "
                f"{len(CASES)} differentiable, {len(NONDIFF)} other, {len(losses)} loss cases, "
                f"{len(OPTIMIZERS)} optimizer and {len(SCHEDULERS) + 1} schedule trajectories\n")
    print(f"wrote {len(CASES) + len(NONDIFF)} cases to {os.path.normpath(OUT)} with torch {torch.__version__}")


if __name__ == "__main__":
    sys.exit(main())
