#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The PyTorch side of bench/compare.py: the same work as Kaya's Google Benchmark programs,
timed in this process. Prints {benchmark name: median seconds per call} as JSON.
Threading comes from the environment the caller sets (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS)."""
import argparse
import json
import math
import re
import statistics
import time

import torch


def timeit(fn, min_time):
    """Median seconds per call over 5 batches, each batch at least min_time / 5 long."""
    fn()
    n, t = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - start
        if t >= min_time / 5:
            break
        n *= 2 if t <= 0 else max(2, min(100, int(min_time / 5 / t) + 1))
    samples = [t / n]
    for _ in range(4):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples)


def gemm(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return lambda: torch.mm(a, b)


def add_broadcast(n):
    cols = min(256, n)
    x, b = torch.randn(n // cols, cols), torch.randn(cols)
    return lambda: x + b


def exp(n):
    x = torch.randn(n)
    return lambda: torch.exp(x)


def mul_add(n):
    a, b, c = torch.randn(n), torch.randn(n), torch.randn(n)
    return lambda: a * b + c


def mlp(batch):
    g = torch.Generator().manual_seed(0)
    p = lambda *s: (torch.randn(*s, generator=g) * 0.1).requires_grad_()
    w1, b1, w2, b2, w3, b3 = p(117, 64), p(64), p(64, 64), p(64), p(64, 1), p(1)
    params = [w1, b1, w2, b2, w3, b3]
    x, y = torch.randn(batch, 117, generator=g), torch.randn(batch, 1, generator=g)

    def step():
        for q in params:
            q.grad = None
        h = torch.relu(x @ w1 + b1)
        h = torch.relu(h @ w2 + b2)
        d = h @ w3 + b3 - y
        loss = (d * d).mean()
        loss.backward()

    return step


def train_step(sizes, batch, classification, foreach):
    torch.manual_seed(0)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=foreach)
    if classification:
        x, y, loss_fn = torch.rand(batch, sizes[0]), torch.randint(0, sizes[-1], (batch,)), torch.nn.CrossEntropyLoss()
    else:
        x, y, loss_fn = torch.randn(batch, sizes[0]), torch.randn(batch, 1), torch.nn.MSELoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def policy_net(layers, filters, board=19):
    """AlphaGo's policy network as apps/go/policy builds it (same layer order and names)."""
    body = [torch.nn.Conv2d(48, filters, 5, padding=2), torch.nn.ReLU()]
    for _ in range(layers - 2):
        body += [torch.nn.Conv2d(filters, filters, 3, padding=1), torch.nn.ReLU()]
    body.append(torch.nn.Conv2d(filters, 1, 1, bias=False))

    class PolicyNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.position_bias = torch.nn.Parameter(torch.zeros(board * board))
            self.body = torch.nn.Sequential(*body)

        def forward(self, x):
            return self.body(x).flatten(1) + self.position_bias

    return PolicyNet()


def policy_train(layers, filters, batch):
    torch.manual_seed(0)
    net = policy_net(layers, filters)
    opt = torch.optim.SGD(net.parameters(), lr=0.003)
    x, y = torch.rand(batch, 48, 19, 19), torch.randint(0, 361, (batch,))

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()

    return step


def policy_infer(layers, filters, batch):
    torch.manual_seed(0)
    net = policy_net(layers, filters).eval()
    x = torch.rand(batch, 48, 19, 19)

    def run():
        with torch.no_grad():
            torch.softmax(net(x), 1)

    return run


def search_net(blocks, board=19, f=64):
    """apps/go/policy's 6 x 64 net with `blocks` residual blocks with global pooling and the
    value and ownership heads, as bench/policy_bench.cpp's BM_SearchNetInfer builds it."""

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(f, f, 3, padding=1)
            self.conv2 = torch.nn.Conv2d(f, f, 3, padding=1)
            self.pool_fc = torch.nn.Linear(2 * f, f)

        def forward(self, x):
            pooled = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], 1)
            h = self.conv1(x) + self.pool_fc(pooled)[:, :, None, None]
            return torch.relu(x + self.conv2(torch.relu(h)))

    class SearchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.policy = policy_net(6, f, board)
            self.blocks = torch.nn.Sequential(*[Block() for _ in range(blocks)])
            self.value_conv = torch.nn.Conv2d(f, 1, 1)
            self.value_fc1 = torch.nn.Linear(board * board, 256)
            self.value_fc2 = torch.nn.Linear(256, 1)
            self.ownership_conv = torch.nn.Conv2d(f, 1, 1)

        def forward(self, x):
            h = self.blocks(self.policy.body[:-1](x))
            logits = self.policy.body[-1](h).flatten(1) + self.policy.position_bias
            v = torch.tanh(self.value_fc2(torch.relu(self.value_fc1(self.value_conv(h).flatten(1)))))
            return logits, v, torch.tanh(self.ownership_conv(h).flatten(1))

    return SearchNet()


def search_net_infer(blocks, batch, filters=64, bfloat16=False):
    """The search net's inference; bfloat16: under CPU autocast to bfloat16 (oneDNN's bfloat16
    convolutions and products, PyTorch's peer of Kaya's `--matmul-precision medium`)."""
    torch.manual_seed(0)
    net = search_net(blocks, f=filters).eval()
    x = torch.rand(batch, 48, 19, 19)

    def run():
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
            logits, _, ownership = net(x)
            torch.softmax(logits.float(), 1)
            ownership.float()

    return run


def encoder_layer():
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(256, 4, 1024, dropout=0.0, batch_first=True)
    x = torch.randn(32, 64, 256, requires_grad=True)

    def step():
        layer.zero_grad()
        layer(x).sum().backward()

    return step


def lstm_bidirectional():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(256, 256, num_layers=2, bidirectional=True)
    x = torch.randn(64, 32, 256, requires_grad=True)

    def step():
        lstm.zero_grad()
        lstm(x)[0].sum().backward()

    return step


def pos_tagger_step():
    """One training step of tools/pos_pytorch.py's tagger on a batch shaped as
    sequence_bench.cpp's BM_PosTaggerTrainStep."""
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
    from pos_pytorch import Tagger
    torch.manual_seed(0)
    B, T, U, C = 32, 22, 300, 12
    model = Tagger(9000, 110, 17)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    lengths = torch.tensor([15 + b % 8 for b in range(B)])
    valid = torch.arange(T)[None, :] < lengths[:, None]
    words = torch.where(valid, torch.randint(2, 9000, (B, T)), torch.zeros(B, T, dtype=torch.long))
    tags = torch.where(valid, torch.randint(0, 17, (B, T)), torch.full((B, T), -100))
    slots = torch.where(valid, torch.randint(1, U, (B, T)), torch.zeros(B, T, dtype=torch.long))
    chars = torch.zeros(U, C, dtype=torch.long)
    for u in range(1, U):
        n = 3 + u % 10
        chars[u, :n] = torch.randint(2, 110, (n,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(words, chars, slots, lengths).reshape(-1, 17), tags.reshape(-1)).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()

    return step


def lenet5_step(batch):
    """vision_bench.cpp's BM_LeNet5TrainStep: LeNet-5 with ReLU and max pooling, SGD momentum 0.9."""
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10))
    return classifier_steps(model, batch, lambda f: torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, foreach=f))


def fashion_cnn(batch_norm=True):
    """configs/fashion_cnn.toml's network (apps/vision/cnn.cpp's build_cnn with its defaults)."""
    nn = torch.nn
    layers, c_in = [], 1
    for c in (32, 64):
        for _ in range(2):
            layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=not batch_norm)]
            layers += [nn.BatchNorm2d(c)] if batch_norm else []
            layers += [nn.ReLU()]
            c_in = c
        layers += [nn.MaxPool2d(2), nn.Dropout(0.25)]
    layers += [nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10)]
    return nn.Sequential(*layers)


def fashion_cnn_step(batch):
    """vision_bench.cpp's BM_FashionCnnTrainStep: the fashion CNN, Adam, training mode."""
    torch.manual_seed(0)
    model = fashion_cnn()
    return classifier_steps(model, batch, lambda f: torch.optim.Adam(model.parameters(), lr=1e-3, foreach=f))


def classifier_steps(model, batch, make_optimizer):
    """Training steps on random 28x28 grey images, one per optimizer variant (foreach off, on)."""
    x, y = torch.rand(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
    loss_fn = torch.nn.CrossEntropyLoss()
    variants = []
    for foreach in (False, True):
        opt = make_optimizer(foreach)

        def step(opt=opt):
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        variants.append(step)
    return variants


class TorchTranslator(torch.nn.Module):
    """translate_bench.cpp's model: nn.Transformer (3 + 3 pre-norm layers, 256, 4 heads, 1024),
    scaled embeddings with sinusoidal positions, the output tied to the target embedding."""

    def __init__(self, vocab=8000, d=256):
        super().__init__()
        self.d = d
        self.src_embed = torch.nn.Embedding(vocab, d, padding_idx=0)
        self.tgt_embed = torch.nn.Embedding(vocab, d, padding_idx=0)
        self.transformer = torch.nn.Transformer(d, 4, 3, 3, 1024, 0.1, batch_first=True, norm_first=True)
        self.drop = torch.nn.Dropout(0.1)
        pos = torch.arange(256).unsqueeze(1) / torch.pow(10000, torch.arange(0, d, 2) / d)
        pe = torch.zeros(256, d)
        pe[:, 0::2], pe[:, 1::2] = torch.sin(pos), torch.cos(pos)
        self.register_buffer("pe", pe)

    def embed(self, table, ids):
        return self.drop(table(ids) * self.d ** 0.5 + self.pe[: ids.shape[1]])

    def encode(self, src):
        return self.transformer.encoder(self.embed(self.src_embed, src), src_key_padding_mask=src == 0)

    def decode(self, tgt, memory, src):
        mask = self.transformer.generate_square_subsequent_mask(tgt.shape[1])
        h = self.transformer.decoder(self.embed(self.tgt_embed, tgt), memory, tgt_mask=mask,
                                     tgt_key_padding_mask=tgt == 0, memory_key_padding_mask=src == 0)
        return torch.nn.functional.linear(h, self.tgt_embed.weight)


def translator_step():
    torch.manual_seed(0)
    m = TorchTranslator()
    opt = torch.optim.Adam(m.parameters(), lr=5e-4, betas=(0.9, 0.98))
    src, tin, tout = (torch.randint(4, 8000, (32, 32)) for _ in range(3))

    def step():
        opt.zero_grad()
        logits = m.decode(tin, m.encode(src), src)
        torch.nn.functional.cross_entropy(logits.reshape(-1, 8000), tout.reshape(-1), ignore_index=0,
                                          label_smoothing=0.1).backward()
        opt.step()

    return step


def greedy_decode(steps):
    """nn.Transformer's usual decoding loop: the whole prefix through the decoder each step."""
    torch.manual_seed(0)
    m = TorchTranslator().eval()
    src = torch.randint(4, 8000, (1, 32))

    def run():
        with torch.no_grad():
            memory = m.encode(src)
            ys = torch.full((1, 1), 2, dtype=torch.long)
            for _ in range(steps):
                nxt = m.decode(ys, memory, src)[:, -1].argmax(-1, keepdim=True)
                ys = torch.cat([ys, nxt], 1)
        return ys

    return run


def rfft(count, n):
    x = torch.randn(count, n)
    return lambda: torch.fft.rfft(x)


def ten_seconds():
    return torch.randn(160000, generator=torch.Generator().manual_seed(3)) * 0.1


def mfcc_10s():
    import torchaudio
    m = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=13, melkwargs=dict(
        n_fft=512, win_length=400, hop_length=160, n_mels=40))
    x = ten_seconds()

    def run():
        with torch.no_grad():
            m(x)
    return run


def kaldi_mfcc_10s():
    import torchaudio.compliance.kaldi as kaldi
    x = ten_seconds().unsqueeze(0)

    def run():
        with torch.no_grad():
            kaldi.mfcc(x)
    return run


def frame_mlp_step():
    """audio_bench.cpp's BM_FrameMlpTrainStep: the FSDD frame classifier, one Adam step."""
    torch.manual_seed(0)
    feats = torch.randn(2400 * 42, 39)
    ctx = torch.randint(0, feats.shape[0], (256, 11))
    y = torch.randint(0, 10, (256,))
    layers, width = [], 429
    for h in (512, 512):
        layers += [torch.nn.Linear(width, h), torch.nn.BatchNorm1d(h), torch.nn.ReLU(), torch.nn.Dropout(0.2)]
        width = h
    model = torch.nn.Sequential(*layers, torch.nn.Linear(width, 10)).train()
    loss_fn = torch.nn.CrossEntropyLoss()
    variants = []
    for foreach in (False, True):
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=foreach)

        def step(opt=opt):
            opt.zero_grad()
            loss_fn(model(feats[ctx.reshape(-1)].reshape(256, -1)), y).backward()
            opt.step()
        variants.append(step)
    return variants


def curvature_problem(dtype):
    """curvature_bench.cpp's reference problem: MLP 10-50-1, tanh, 200 samples, MSE (601 parameters)."""
    g = torch.Generator().manual_seed(18)
    x = torch.randn(200, 10, generator=g, dtype=dtype)
    y = torch.sin(x.sum(1, keepdim=True))
    params = tuple((torch.randn(*s, generator=g, dtype=dtype) * scale).requires_grad_()
                   for s, scale in (((50, 10), 0.3), ((50,), 0.1), ((1, 50), 0.3), ((1,), 0.1)))

    def loss(w1, b1, w2, b2):
        return torch.nn.functional.mse_loss(torch.nn.functional.linear(torch.tanh(
            torch.nn.functional.linear(x, w1, b1)), w2, b2), y)
    return loss, params


def hessian_601(dtype):
    """torch.autograd.functional.hessian, row by row and vectorised (vmap); the faster counts.
    (outer_jacobian_strategy="forward-mode" fails in 1.13 on this model: "ZeroTensors are
    immutable".)"""
    from torch.autograd.functional import hessian
    loss, params = curvature_problem(dtype)
    return [lambda: hessian(loss, params),
            lambda: hessian(loss, params, vectorize=True)]


def hvp_601(dtype):
    """One Hessian-vector product by double backward (and torch.autograd.functional.hvp)."""
    from torch.autograd.functional import hvp
    loss, params = curvature_problem(dtype)
    g = torch.Generator().manual_seed(5)
    v = torch.randn(601, generator=g, dtype=dtype)
    vs = tuple(p.reshape(-1) for p in torch.split(v, [p.numel() for p in params]))
    vs = tuple(a.reshape(p.shape) for a, p in zip(vs, params))

    def double_backward():
        grads = torch.autograd.grad(loss(*params), params, create_graph=True)
        return torch.autograd.grad(grads, params, grad_outputs=vs)
    return [double_backward, lambda: hvp(loss, params, vs)]


TTS_TEXT = "printing, in the only sense with which we are at present concerned, differs from most."
TTS_SYMBOLS = 40


def tts_ids():
    # Any ids of the right length: the work does not depend on which characters they are.
    return torch.randint(1, TTS_SYMBOLS, (1, len(TTS_TEXT)))


class TorchTacotron(torch.nn.Module):
    """tts_bench.cpp's autoregressive model (apps/tts/tacotron, configs/tts_ar.toml's sizes)."""

    def __init__(s, n_mels=80, emb=128, ch=128, k=5, lstm=64, att=128, loc_f=32, loc_k=31, prenet=128,
                 att_rnn=256, dec_rnn=256, r=3, post_layers=5, post_ch=128):
        super().__init__()
        nn, M = torch.nn, 2 * lstm
        s.r, s.n_mels = r, n_mels
        s.embedding = nn.Embedding(TTS_SYMBOLS, emb, padding_idx=0)
        s.convs = nn.Sequential(*[nn.Sequential(nn.Conv1d(emb if i == 0 else ch, ch, k, padding=k // 2),
                                                nn.BatchNorm1d(ch), nn.ReLU()) for i in range(3)])
        s.lstm = nn.LSTM(ch, lstm, batch_first=True, bidirectional=True)
        s.prenet1, s.prenet2 = nn.Linear(n_mels, prenet), nn.Linear(prenet, prenet)
        s.attention_rnn = nn.LSTMCell(prenet + M, att_rnn)
        s.query, s.keys = nn.Linear(att_rnn, att, bias=False), nn.Linear(M, att, bias=False)
        s.location_conv = nn.Conv1d(2, loc_f, loc_k, padding=loc_k // 2, bias=False)
        s.location_dense = nn.Linear(loc_f, att, bias=False)
        s.energy = nn.Linear(att, 1)
        s.decoder_rnn = nn.LSTMCell(att_rnn + M, dec_rnn)
        s.frames, s.stop = nn.Linear(dec_rnn + M, r * n_mels), nn.Linear(dec_rnn + M, 1)
        layers = []
        for i in range(post_layers):
            last = i == post_layers - 1
            layers += [nn.Conv1d(n_mels if i == 0 else post_ch, n_mels if last else post_ch, 5, padding=2),
                       nn.BatchNorm1d(n_mels if last else post_ch)] + ([] if last else [nn.Tanh()])
        s.postnet = nn.Sequential(*layers)
        with torch.no_grad():  # Never stops: exactly `steps` steps, as tts_bench.cpp pins it.
            s.stop.weight.zero_()
            s.stop.bias.fill_(-100.0)

    def generate(s, text, steps):
        F = torch.nn.functional
        memory = s.lstm(s.convs(s.embedding(text).transpose(1, 2)).transpose(1, 2))[0]
        keys = s.keys(memory)
        L, M = memory.shape[1], memory.shape[2]
        context, weights, cumulative = torch.zeros(1, M), torch.zeros(1, L), torch.zeros(1, L)
        att = dec = None
        frame, frames = torch.zeros(1, s.n_mels), []
        for _ in range(steps):
            pre = F.dropout(F.relu(s.prenet2(F.dropout(F.relu(s.prenet1(frame)), 0.5, True))), 0.5, True)
            att = s.attention_rnn(torch.cat([pre, context], 1), att)
            where = s.location_dense(s.location_conv(torch.stack([weights, cumulative], 1)).transpose(1, 2))
            energies = s.energy(torch.tanh(s.query(att[0]).unsqueeze(1) + where + keys)).squeeze(2)
            weights = torch.softmax(energies, 1)
            cumulative = cumulative + weights
            context = torch.bmm(weights.unsqueeze(1), memory).squeeze(1)
            dec = s.decoder_rnn(torch.cat([att[0], context], 1), dec)
            h = torch.cat([dec[0], context], 1)
            out = s.frames(h).view(1, s.r, s.n_mels)
            frames.append(out)
            frame = out[:, -1]
            if s.stop(h).item() > 0:
                break
        mel = torch.cat(frames, 1)
        return mel + s.postnet(mel.transpose(1, 2)).transpose(1, 2)


class TorchFftBlock(torch.nn.Module):
    def __init__(s, d=128, heads=2, filt=256, k=3, k2=1, dropout=0.1):
        super().__init__()
        nn = torch.nn
        s.attention = nn.MultiheadAttention(d, heads, dropout=0.0, batch_first=True)
        s.norm1, s.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        s.conv1, s.conv2 = nn.Conv1d(d, filt, k, padding=k // 2), nn.Conv1d(filt, d, k2, padding=k2 // 2)
        s.drop = nn.Dropout(dropout)

    def forward(s, x):
        h = s.norm1(x + s.drop(s.attention(x, x, x, need_weights=False)[0]))
        f = s.conv2(torch.relu(s.conv1(h.transpose(1, 2)))).transpose(1, 2)
        return s.norm2(h + s.drop(f))


class TorchFastSpeech(torch.nn.Module):
    """tts_bench.cpp's non-autoregressive model (apps/tts/fastspeech, configs/tts_nar.toml)."""

    def __init__(s, frames, n_mels=80, d=128, layers=3, r=4):
        super().__init__()
        nn = torch.nn
        s.d, s.r, s.n_mels = d, r, n_mels
        s.embedding = nn.Embedding(TTS_SYMBOLS, d, padding_idx=0)
        s.encoder = nn.Sequential(*[TorchFftBlock(d) for _ in range(layers)])
        s.decoder = nn.Sequential(*[TorchFftBlock(d) for _ in range(layers)])
        s.dur_conv1, s.dur_conv2 = nn.Conv1d(d, 128, 3, padding=1), nn.Conv1d(128, 128, 3, padding=1)
        s.dur_norm1, s.dur_norm2 = nn.LayerNorm(128), nn.LayerNorm(128)
        s.dur_out = nn.Linear(128, 1)
        s.frames = nn.Linear(d, r * n_mels)
        pos = torch.arange(4096).unsqueeze(1) / torch.pow(10000, torch.arange(0, d, 2) / d)
        s.pe = torch.zeros(4096, d)
        s.pe[:, 0::2], s.pe[:, 1::2] = torch.sin(pos), torch.cos(pos)
        with torch.no_grad():  # Every character lasts frames / L, as tts_bench.cpp pins it.
            s.dur_out.weight.zero_()
            s.dur_out.bias.fill_(math.log(1.0 + frames / len(TTS_TEXT)))

    def generate(s, text):
        F = torch.nn.functional
        x = s.embedding(text) * s.d ** 0.5 + s.pe[: text.shape[1]]
        hidden = s.encoder(x)
        h = s.dur_norm1(F.relu(s.dur_conv1(hidden.transpose(1, 2)).transpose(1, 2)))
        h = s.dur_norm2(F.relu(s.dur_conv2(h.transpose(1, 2)).transpose(1, 2)))
        durations = torch.clamp(torch.round(torch.exp(s.dur_out(h).squeeze(2)) - 1), min=0).long()[0]
        total = int(durations.sum())
        # Decoder position p holds the character under frame p r + r / 2 (Kaya's regulate).
        centres = torch.clamp(torch.arange(0, total, s.r) + s.r // 2, max=total - 1)
        index = torch.searchsorted(torch.cumsum(durations, 0), centres, right=True)
        y = hidden[0, index].unsqueeze(0)
        y = s.decoder(y + s.pe[: y.shape[1]])
        return s.frames(y).view(1, -1, s.n_mels)[:, :total]


def tts_autoregressive(frames):
    torch.manual_seed(0)
    m, text = TorchTacotron().eval(), tts_ids()

    def run():
        with torch.no_grad():
            return m.generate(text, frames // m.r)
    return run


def tts_non_autoregressive(frames):
    torch.manual_seed(0)
    m, text = TorchFastSpeech(frames).eval(), tts_ids()

    def run():
        with torch.no_grad():
            return m.generate(text)
    return run


def tts_griffin_lim(frames):
    """mel_to_audio's work: 30 multiplicative non-negative least-squares updates from 80 Slaney
    bands to 513 bins, magnitude ** 1.5, then 60 rounds of (fast) Griffin-Lim, as
    apps/tts/features.cpp; torchaudio's griffinlim for the rounds."""
    import torchaudio
    torch.manual_seed(0)
    fb = torchaudio.functional.melscale_fbanks(513, 0.0, 8000.0, 80, 22050, norm="slaney", mel_scale="slaney")
    log_mel = torch.randn(frames, 80) * 2 - 6
    window = torch.hann_window(1024)

    def run():
        mel = torch.exp(log_mel)
        fbt = fb.t()
        numerator = mel @ fbt
        s = numerator / torch.clamp(fb.sum(1), min=1e-8)
        gram = fb @ fbt
        for _ in range(30):
            s = s * (numerator / (s @ gram + 1e-10))
        magnitude = (s ** 1.5).t()
        wave = torchaudio.functional.griffinlim(magnitude, window, 1024, 256, 1024, 1.0, 60, 0.99,
                                                (frames - 1) * 256, False)
        return wave * (0.9 / wave.abs().max())
    return run


BENCHES = {}
for n in (256, 512, 1024, 2048):
    BENCHES[f"BM_KayaMatmul/{n}"] = lambda n=n: gemm(n)
for n in (1000, 100000, 10000000):
    BENCHES[f"BM_AddBroadcast/{n}"] = lambda n=n: add_broadcast(n)
    BENCHES[f"BM_Exp/{n}"] = lambda n=n: exp(n)
    BENCHES[f"BM_MulAdd/{n}"] = lambda n=n: mul_add(n)
for b in (256, 32):
    BENCHES[f"BM_MlpForwardBackward/{b}"] = lambda b=b: mlp(b)
    BENCHES[f"BM_TrainStepMlp/{b}"] = lambda b=b: [train_step([117, 64, 64, 1], b, False, f) for f in (False, True)]
BENCHES["BM_TrainStepFashion/128"] = lambda: [train_step([784, 256, 128, 10], 128, True, f) for f in (False, True)]
for layers, filters in ((6, 64), (13, 192)):
    BENCHES[f"BM_PolicyTrain/{layers}/{filters}/16"] = lambda l=layers, f=filters: policy_train(l, f, 16)
    for b in (1, 128):
        BENCHES[f"BM_PolicyInfer/{layers}/{filters}/{b}"] = lambda l=layers, f=filters, b=b: policy_infer(l, f, b)
for blocks in (0, 4):
    BENCHES[f"BM_SearchNetInfer/{blocks}/8"] = lambda n=blocks: search_net_infer(n, 8)
for filters in (64, 128):
    for bf16 in (0, 1):
        BENCHES[f"BM_SearchNetPrecision/4/8/{filters}/{bf16}"] = \
            lambda f=filters, b=bf16: search_net_infer(4, 8, f, bool(b))
BENCHES["BM_TransformerEncoderLayer"] = encoder_layer
BENCHES["BM_LstmBidirectional"] = lstm_bidirectional
BENCHES["BM_PosTaggerTrainStep"] = pos_tagger_step
BENCHES["BM_LeNet5TrainStep/64"] = lambda: lenet5_step(64)
BENCHES["BM_FashionCnnTrainStep/128"] = lambda: fashion_cnn_step(128)
BENCHES["BM_Rfft/1001/512/2"] = lambda: rfft(1001, 512)
BENCHES["BM_Mfcc10s"] = mfcc_10s
BENCHES["BM_FrameMlpTrainStep"] = frame_mlp_step
BENCHES["BM_KaldiMfcc10s"] = kaldi_mfcc_10s
BENCHES["BM_TranslatorTrainStep"] = translator_step
for steps in (8, 16, 32, 64):
    # PyTorch has no cache in nn.Transformer: both of Kaya's variants face the same loop.
    for cache in (0, 1):
        BENCHES[f"BM_GreedyDecode/{steps}/{cache}"] = lambda s=steps: greedy_decode(s)
for bits, dt in ((32, torch.float32), (64, torch.float64)):
    BENCHES[f"BM_Hessian601/{bits}"] = lambda dt=dt: hessian_601(dt)
    BENCHES[f"BM_Hvp601/{bits}"] = lambda dt=dt: hvp_601(dt)
BENCHES["BM_TtsAutoregressive/450"] = lambda: tts_autoregressive(450)
BENCHES["BM_TtsNonAutoregressive/450"] = lambda: tts_non_autoregressive(450)
BENCHES["BM_TtsGriffinLim/450"] = lambda: tts_griffin_lim(450)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-time", type=float, default=0.5)
    ap.add_argument("--filter", default="")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    # glibc serves blocks above its mmap threshold (128 KB at start) with fresh mappings, every
    # call paying their page faults, until a freed mapped block raises the threshold to its size.
    # PyTorch's search-net rows ran 16 ms a call in a fresh process and 4.6 ms after one 16 MB
    # tensor was freed (a long-running program meets such a free early). Start every peer process
    # in that state, so that a row's time does not depend on which rows ran before it.
    big = torch.empty(4 << 20)
    big.fill_(0)
    del big
    out = {}
    for name, make in BENCHES.items():
        if args.filter and not re.search(args.filter, name):
            continue
        made = make()
        # A list holds variants of one set-up (e.g. Adam's single-tensor and foreach paths): the
        # fastest counts, as PyTorch's best set-up on this machine.
        out[name] = min(timeit(f, args.min_time) for f in made) if isinstance(made, list) else timeit(made, args.min_time)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
