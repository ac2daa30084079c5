#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes PyTorch reference runs of whole modules for Kaya's module tests (tests/nn).

For each case, one file tests/data/modules/<name>.safetensors holds:
  param.<name>        the module's state_dict (PyTorch's names: Kaya loads it as is)
  input.<name>        the inputs (float inputs also get gradients)
  after.<name>        the module's buffers after the forward pass
  output[.<k>]        the forward result(s)
  gout[.<k>]          the seed of the backward pass: loss = sum(output * gout)
  grad.param.<name>   gradients of the loss for every parameter
  grad.input.<name>   gradients of the loss for every float input
Modules run in training mode with dropout 0 (PyTorch 1.13's fast inference path is a
different kernel). Run by hand when a case changes (needs Debian's python3-torch):
  python3 tools/gen_module_reference.py
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_reference import write_safetensors_with_numpy  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "modules")
TAGS = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.bool: "BOOL"}


def rand(*shape):
    return torch.rand(*shape) * 2 - 1


def padding(rows):
    """A bool key-padding mask (True = padding) from per-row lengths and the full length."""
    lengths, full = rows
    return torch.arange(full)[None, :] >= torch.tensor(lengths)[:, None]


def causal(n):
    return torch.ones(n, n, dtype=torch.bool).triu(1)  # True = not allowed


def mha_self():
    m = nn.MultiheadAttention(8, 2)
    x = rand(5, 3, 8)
    kpm = padding(([5, 3, 1], 5))
    return m, {"x": x, "key_padding_mask": kpm}, \
        lambda i: m(i["x"], i["x"], i["x"], key_padding_mask=i["key_padding_mask"])


def mha_cross_batch_first():
    m = nn.MultiheadAttention(8, 4, batch_first=True)
    q, mem = rand(2, 3, 8), rand(2, 6, 8)
    mask = rand(3, 6)
    return m, {"q": q, "memory": mem, "attn_mask": mask}, \
        lambda i: m(i["q"], i["memory"], i["memory"], attn_mask=i["attn_mask"], average_attn_weights=False)


def mha_distinct_kv_no_bias():
    m = nn.MultiheadAttention(6, 2, bias=False)
    q, k, v = rand(3, 2, 6), rand(4, 2, 6), rand(4, 2, 6)
    mask = torch.tensor([[0, 0, 1, 1], [0, 1, 0, 1], [1, 0, 0, 0]], dtype=torch.bool).repeat(4, 1, 1)
    mask[1, 0] = torch.tensor([0, 0, 0, 1], dtype=torch.bool)
    return m, {"q": q, "k": k, "v": v, "attn_mask": mask}, \
        lambda i: m(i["q"], i["k"], i["v"], attn_mask=i["attn_mask"])


def encoder_layer_post_relu():
    m = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    x = rand(2, 5, 8)
    return m, {"x": x, "key_padding_mask": padding(([5, 2], 5))}, \
        lambda i: m(i["x"], src_key_padding_mask=i["key_padding_mask"])


def encoder_layer_pre_gelu():
    m = nn.TransformerEncoderLayer(8, 4, 12, dropout=0.0, activation="gelu", norm_first=True)
    x = rand(4, 3, 8)
    return m, {"x": x, "mask": causal(4)}, lambda i: m(i["x"], src_mask=i["mask"])


def decoder_layer():
    m = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)
    tgt, mem = rand(4, 2, 8), rand(6, 2, 8)
    return m, {"tgt": tgt, "memory": mem, "tgt_mask": causal(4),
               "memory_key_padding_mask": padding(([6, 4], 6))}, \
        lambda i: m(i["tgt"], i["memory"], tgt_mask=i["tgt_mask"],
                    memory_key_padding_mask=i["memory_key_padding_mask"])


def decoder_pre_norm_stack():
    layer = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=True, batch_first=True)
    m = nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(8))
    for p in m.parameters():  # deep copies start equal: make the layers differ
        p.data = rand(*p.shape) * 0.5
    tgt, mem = rand(2, 3, 8), rand(2, 5, 8)
    return m, {"tgt": tgt, "memory": mem, "tgt_mask": causal(3)}, \
        lambda i: m(i["tgt"], i["memory"], tgt_mask=i["tgt_mask"])


def encoder_stack():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, norm_first=True)
    m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
    for p in m.parameters():
        p.data = rand(*p.shape) * 0.5
    x = rand(5, 2, 8)
    return m, {"x": x, "key_padding_mask": padding(([5, 3], 5))}, \
        lambda i: m(i["x"], src_key_padding_mask=i["key_padding_mask"])


def layer_norm_2d():
    m = nn.LayerNorm((3, 4), eps=1e-4)
    with torch.no_grad():
        m.weight.copy_(rand(3, 4))
        m.bias.copy_(rand(3, 4))
    return m, {"x": rand(2, 5, 3, 4) * 3 + 1}, lambda i: m(i["x"])


def embedding_padding():
    m = nn.Embedding(7, 4, padding_idx=0)
    idx = torch.tensor([[1, 0, 6], [6, 2, 0]])
    return m, {"indices": idx}, lambda i: m(i["indices"])


def packed(m, x, lengths, state, batch_first):
    """PyTorch's variable-length path: pack, run, pad back to the full length."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    p = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
    out, st = m(p, state)
    out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=x.shape[1 if batch_first else 0])
    return (out,) + (st if isinstance(st, tuple) else (st,))


def lstm_bi_2layer_packed():
    m = nn.LSTM(5, 4, num_layers=2, bidirectional=True, batch_first=True)
    ins = {"x": rand(3, 6, 5), "lengths": torch.tensor([6, 2, 4]), "h0": rand(4, 3, 4), "c0": rand(4, 3, 4)}
    return m, ins, lambda i: packed(m, i["x"], i["lengths"], (i["h0"], i["c0"]), True)


def lstm_no_bias():
    m = nn.LSTM(3, 4, bias=False)
    return m, {"x": rand(4, 2, 3)}, lambda i: (lambda o: (o[0], o[1][0], o[1][1]))(m(i["x"]))


def lstm_cell():
    m = nn.LSTMCell(3, 4)
    return m, {"x": rand(2, 3), "h0": rand(2, 4), "c0": rand(2, 4)}, lambda i: m(i["x"], (i["h0"], i["c0"]))


def conv1d_strided_groups():
    m = nn.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2)
    return m, {"x": rand(2, 4, 9)}, lambda i: m(i["x"])


def gru_bi_time_major():
    m = nn.GRU(4, 3, bidirectional=True)
    return m, {"x": rand(5, 2, 4), "h0": rand(2, 2, 3)}, lambda i: m(i["x"], i["h0"])


def gru_2layer_packed():
    m = nn.GRU(3, 5, num_layers=2, batch_first=True)
    ins = {"x": rand(3, 4, 3), "lengths": torch.tensor([1, 4, 3])}
    return m, ins, lambda i: packed(m, i["x"], i["lengths"], None, True)


def embedding_max_norm():
    m = nn.Embedding(6, 3, max_norm=1.5, norm_type=2.0)
    with torch.no_grad():
        m.weight.mul_(torch.tensor([3.0, 0.2, 1.0, 2.0, 0.1, 4.0])[:, None])
    return m, {"indices": torch.tensor([[0, 1, 5], [3, 0, 2]])}, lambda i: m(i["indices"])


def batchnorm2d_train():
    m = nn.BatchNorm2d(3, momentum=0.2)
    with torch.no_grad():
        m.weight.copy_(rand(3) + 1)
        m.bias.copy_(rand(3))
        m.running_mean.copy_(rand(3))
        m.running_var.copy_(rand(3) + 1.5)
        m.num_batches_tracked.fill_(4)
    return m, {"x": rand(4, 3, 3, 5) * 2 + 0.5}, lambda i: m(i["x"])


def batchnorm1d_cumulative():
    m = nn.BatchNorm1d(4, momentum=None, affine=False)
    with torch.no_grad():
        m.num_batches_tracked.fill_(2)
        m.running_mean.copy_(rand(4))
    return m, {"x": rand(6, 4, 3)}, lambda i: m(i["x"])


def batchnorm1d_eval():
    m = nn.BatchNorm1d(5)
    with torch.no_grad():
        m.weight.copy_(rand(5))
        m.bias.copy_(rand(5))
        m.running_mean.copy_(rand(5))
        m.running_var.copy_(rand(5) + 1.5)
    m._ref_eval = True
    return m, {"x": rand(7, 5)}, lambda i: m(i["x"])


def maxpool_with_indices():
    m = nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), ceil_mode=True, return_indices=True)
    return m, {"x": rand(2, 3, 7, 6)}, lambda i: m(i["x"])


class GoBlock(nn.Module):
    """Kaya's go::ResidualBlock: relu(x + conv2(relu(conv1(x) + pool_fc([mean, max] of x))))."""

    def __init__(self, f):
        super().__init__()
        self.conv1 = nn.Conv2d(f, f, 3, padding=1)
        self.conv2 = nn.Conv2d(f, f, 3, padding=1)
        self.pool_fc = nn.Linear(2 * f, f)

    def forward(self, x):
        pooled = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], 1)
        h = self.conv1(x) + self.pool_fc(pooled)[:, :, None, None]
        return torch.relu(x + self.conv2(torch.relu(h)))


class GoNet(nn.Module):
    """Kaya's go::PolicyNet with residual blocks, global pooling, a value and an ownership head;
    value_norm: layer normalisation (no scale or shift) of the value head's hidden units."""

    def __init__(self, board=5, planes=48, f=4, layers=3, blocks=2, value_hidden=6, value_norm=False):
        super().__init__()
        self.value_norm = value_norm
        self.position_bias = nn.Parameter(rand(board * board))
        body = [nn.Conv2d(planes, f, 5, padding=2), nn.ReLU()]
        for _ in range(layers - 2):
            body += [nn.Conv2d(f, f, 3, padding=1), nn.ReLU()]
        body.append(nn.Conv2d(f, 1, 1, bias=False))
        self.body = nn.Sequential(*body)
        self.blocks = nn.Sequential(*[GoBlock(f) for _ in range(blocks)])
        self.value_conv = nn.Conv2d(f, 1, 1)
        self.value_fc1 = nn.Linear(board * board, value_hidden)
        self.value_fc2 = nn.Linear(value_hidden, 1)
        self.ownership_conv = nn.Conv2d(f, 1, 1)

    def forward(self, x):
        h = self.blocks(self.body[:-1](x))
        b = x.shape[0]
        logits = self.body[-1](h).reshape(b, -1) + self.position_bias
        hidden = self.value_fc1(self.value_conv(h).reshape(b, -1))
        if self.value_norm:
            hidden = nn.functional.layer_norm(hidden, hidden.shape[1:])
        v = torch.tanh(self.value_fc2(torch.relu(hidden))).reshape(b)
        return logits, v, torch.tanh(self.ownership_conv(h).reshape(b, -1))


def go_net_residual_gpool():
    m = GoNet()
    return m, {"planes": rand(2, 48, 5, 5)}, lambda i: m(i["planes"])


def go_net_value_norm():
    m = GoNet(blocks=1, value_norm=True)
    return m, {"planes": rand(3, 48, 5, 5)}, lambda i: m(i["planes"])


CASES = [go_net_residual_gpool, go_net_value_norm, mha_self, mha_cross_batch_first, mha_distinct_kv_no_bias, encoder_layer_post_relu,
         encoder_layer_pre_gelu, decoder_layer, decoder_pre_norm_stack, encoder_stack,
         layer_norm_2d, embedding_padding, lstm_bi_2layer_packed, lstm_no_bias, gru_bi_time_major,
         gru_2layer_packed, embedding_max_norm, batchnorm2d_train, batchnorm1d_cumulative,
         batchnorm1d_eval, maxpool_with_indices, lstm_cell, conv1d_strided_groups]


def run(case):
    torch.manual_seed(20261201)
    module, inputs, fn = case()
    module.train(not getattr(module, "_ref_eval", False))
    for t in inputs.values():
        if t.is_floating_point():
            t.requires_grad_(True)
    # The weights as loaded, before any forward pass changes them (Embedding's max_norm).
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    out = fn(inputs)
    outs = list(out) if isinstance(out, tuple) else [out]
    outs = [o for o in outs if o is not None]
    gouts = [rand(*o.shape) if o.is_floating_point() else torch.zeros(o.shape, dtype=o.dtype) for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, gouts) if o.is_floating_point())
    loss.backward()
    arrays = {}
    put = lambda name, t: arrays.__setitem__(name, (TAGS[t.dtype], t.detach().numpy()))
    for name, t in state.items():
        put(f"param.{name}", t)
    for name, t in module.named_buffers():
        put(f"after.{name}", t)  # Buffers after the forward pass (running statistics).
    for name, t in inputs.items():
        put(f"input.{name}", t)
        if t.is_floating_point():
            put(f"grad.input.{name}", t.grad)
    for name, p in module.named_parameters():
        if p.grad is not None:
            put(f"grad.param.{name}", p.grad)
    for k, (o, g) in enumerate(zip(outs, gouts)):
        suffix = "" if k == 0 else f".{k}"
        put(f"output{suffix}", o)
        put(f"gout{suffix}", g)
    write_safetensors_with_numpy(os.path.join(OUT, f"{case.__name__}.safetensors"), arrays,
                                 {"torch": torch.__version__})


def main():
    os.makedirs(OUT, exist_ok=True)
    for case in CASES:
        run(case)
    print(f"wrote {len(CASES)} module cases to {os.path.normpath(OUT)} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
