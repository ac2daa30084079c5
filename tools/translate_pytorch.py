#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""configs/translate_en_zh.toml's recipe in PyTorch, on exactly the data of a Kaya run: the
split and token ids of RUN_DIR/split.tsv and the vocabulary sizes of RUN_DIR/tokenizer.txt.
nn.Transformer (3 + 3 pre-norm layers, d_model 256, 4 heads, feed-forward 1024, dropout 0.1),
scaled embeddings with sinusoidal positions, output tied to the target embedding,
label smoothing 0.1, Adam (0.9, 0.98) at 7e-4 with 1,000 batches of warm-up then a cosine to
the last batch, norm clipping at 1, batches of 64 pairs of similar length, 20 epochs; greedy
BLEU on the first 500 development pairs picks the epoch; the test set is translated greedy and
with a beam of 4 (GNMT length penalty 1.0), scored by the same BLEU (sacreBLEU's zh tokens, all
references of a sentence). Prints one JSON line per epoch and the test result.

With --checkpoint FILE the state after each epoch (weights, Adam, schedule, random streams, the
best epoch's weights, the log so far) is written there atomically, and a later start with the
same FILE goes on from it, so a run longer than a session finishes across several.

  /usr/bin/python3 tools/translate_pytorch.py RUN_DIR [--epochs 20] [--seed 0] [--out result.json]
      [--checkpoint state.pt]
"""
import argparse
import collections
import json
import math
import os
import random
import sys
import time

import torch

PAD, UNK, BOS, EOS = 0, 1, 2, 3


def read_split(run):
    parts = collections.defaultdict(list)
    with open(f"{run}/split.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            part, src, tgt, en, zh = line.rstrip("\n").split("\t")
            parts[part].append(([int(x) for x in src.split()], [int(x) for x in tgt.split()], en, zh))
    return parts


def vocab_sizes(run):
    src = tgt = None
    with open(f"{run}/tokenizer.txt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("tokens ") and src is None:
                src = int(line.split()[1])
            elif line.startswith("kaya-target-vocab "):
                tgt = int(line.split()[1])
    return src, tgt


def is_cjk(c):
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2EBEF or 0xF900 <= o <= 0xFAFF


def bleu_tokens_zh(s):
    """apps/translate/text.cpp's bleu_tokens_zh."""
    out, run = [], ""
    for c in s:
        if c.isspace():
            if run:
                out.append(run)
            run = ""
        elif is_cjk(c) or (ord(c) >= 0x80 and not c.isalnum()) or (ord(c) < 0x80 and not c.isalnum() and c != "'"):
            if run:
                out.append(run)
            run = ""
            out.append(c)
        else:
            run += c
    if run:
        out.append(run)
    return out


def corpus_bleu(hyps, refs):
    """Corpus BLEU-4 as apps/translate/bleu.cpp (and sacreBLEU) compute it, 0-100."""
    matched, total = [0] * 4, [0] * 4
    c = r = 0
    for h, rs in zip(hyps, refs):
        c += len(h)
        r += min((abs(len(x) - len(h)), len(x)) for x in rs)[1]
        for n in range(1, 5):
            hc = collections.Counter(tuple(h[i:i + n]) for i in range(len(h) - n + 1))
            most = collections.Counter()
            for x in rs:
                for g, k in collections.Counter(tuple(x[i:i + n]) for i in range(len(x) - n + 1)).items():
                    most[g] = max(most[g], k)
            matched[n - 1] += sum(min(k, most[g]) for g, k in hc.items())
            total[n - 1] += sum(hc.values())
    if min(matched) == 0:
        return 0.0
    bp = 1.0 if c >= r else (math.exp(1 - r / c) if c else 0.0)
    return 100 * bp * math.exp(sum(math.log(m / t) for m, t in zip(matched, total)) / 4)


class Model(torch.nn.Module):
    def __init__(self, src_vocab, tgt_vocab, d=256, max_len=128):
        super().__init__()
        self.d = d
        self.src_embed = torch.nn.Embedding(src_vocab, d, padding_idx=0)
        self.tgt_embed = torch.nn.Embedding(tgt_vocab, d, padding_idx=0)
        for e in (self.src_embed, self.tgt_embed):
            torch.nn.init.normal_(e.weight, 0, d ** -0.5)
            with torch.no_grad():
                e.weight[0].zero_()
        self.transformer = torch.nn.Transformer(d, 4, 3, 3, 1024, 0.1, batch_first=True, norm_first=True)
        self.drop = torch.nn.Dropout(0.1)
        pos = torch.arange(max_len).unsqueeze(1) / torch.pow(10000, torch.arange(0, d, 2) / d)
        pe = torch.zeros(max_len, d)
        pe[:, 0::2], pe[:, 1::2] = torch.sin(pos), torch.cos(pos)
        self.register_buffer("pe", pe)

    def embed(self, table, ids):
        return self.drop(table(ids) * self.d ** 0.5 + self.pe[: ids.shape[1]])

    def encode(self, src):
        return self.transformer.encoder(self.embed(self.src_embed, src), src_key_padding_mask=src == PAD)

    def decode(self, tgt, memory, src):
        mask = self.transformer.generate_square_subsequent_mask(tgt.shape[1])
        h = self.transformer.decoder(self.embed(self.tgt_embed, tgt), memory, tgt_mask=mask,
                                     tgt_key_padding_mask=tgt == PAD, memory_key_padding_mask=src == PAD)
        return torch.nn.functional.linear(h, self.tgt_embed.weight)


def pad(rows):
    n = max(len(r) for r in rows)
    return torch.tensor([r + [PAD] * (n - len(r)) for r in rows])


def batches(train, size, rng):
    """Pools of 50 batches sorted by length, cut into batches, batches shuffled (as Kaya's loader)."""
    order = list(range(len(train)))
    rng.shuffle(order)
    pool = 50 * size
    out = []
    for s in range(0, len(order), pool):
        chunk = sorted(order[s:s + pool], key=lambda i: max(len(train[i][0]) + 1, len(train[i][1]) + 1))
        out += [chunk[k:k + size] for k in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


@torch.no_grad()
def translate(model, sources, beam, alpha=1.0):
    model.eval()
    outs = []
    for src_ids in sources:
        src = torch.tensor([src_ids + [EOS]])
        memory = model.encode(src)
        limit = min(int(1.5 * (len(src_ids) + 1)) + 10, 127)
        live, done = [([BOS], 0.0)], []
        for t in range(limit):
            prefix = pad([p for p, _ in live])
            lp = torch.log_softmax(model.decode(prefix, memory.expand(len(live), -1, -1),
                                                src.expand(len(live), -1))[:, -1].float(), -1)
            lp[:, PAD] = lp[:, BOS] = -math.inf
            cand = []
            for k, (p, s) in enumerate(live):
                top = torch.topk(lp[k], min(2 * beam, lp.shape[1]))
                cand += [(s + v.item(), p, i.item()) for v, i in zip(top.values, top.indices)]
            cand.sort(key=lambda x: -x[0])
            live = []
            for rank, (s, p, tok) in enumerate(cand[: 2 * beam]):
                if tok == EOS or t + 1 == limit:
                    toks = p[1:] + ([] if tok == EOS else [tok])
                    if rank < beam:
                        done.append((toks, s / ((5 + len(toks) + 1) / 6) ** alpha))
                elif len(live) < beam:
                    live.append((p + [tok], s))
            if len(done) >= beam or not live:
                break
        outs.append(max(done, key=lambda x: x[1])[0] if done else [])
    return outs


def score(model, pairs, itos, beam):
    groups = collections.OrderedDict()
    for src, tgt, en, zh in pairs:
        groups.setdefault(en, (src[:126], []))[1].append(bleu_tokens_zh(zh))
    hyps = translate(model, [g[0] for g in groups.values()], beam)
    text = ["".join(itos[i] for i in h if i > EOS) for h in hyps]
    return corpus_bleu([bleu_tokens_zh(t) for t in text], [g[1] for g in groups.values()])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="")
    ap.add_argument("--checkpoint", default="")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    parts = read_split(a.run)
    src_vocab, tgt_vocab = vocab_sizes(a.run)
    itos = []
    with open(f"{a.run}/tokenizer.txt", encoding="utf-8") as f:
        lines = f.read().split("\n")
    at = next(i for i, l in enumerate(lines) if l.startswith("kaya-target-vocab "))
    itos = lines[at + 1: at + 1 + tgt_vocab]
    model = Model(src_vocab, tgt_vocab)
    opt = torch.optim.Adam(model.parameters(), lr=7e-4, betas=(0.9, 0.98))
    train = parts["train"]
    steps_per_epoch = math.ceil(len(train) / 64)
    total, warmup = a.epochs * steps_per_epoch + 1, 1000

    def lr_at(s):
        return s / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    rng = random.Random(a.seed)
    best, best_epoch, best_state, log, first = -1.0, 0, None, [], 1
    if a.checkpoint and os.path.exists(a.checkpoint):
        st = torch.load(a.checkpoint)
        if (st["seed"], st["epochs"]) != (a.seed, a.epochs):
            sys.exit(f"{a.checkpoint}: written by a run with seed {st['seed']} and {st['epochs']} epochs, "
                     f"this one has seed {a.seed} and {a.epochs} epochs")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
        rng.setstate(st["rng"])
        torch.set_rng_state(st["torch_rng"])
        best, best_epoch, best_state, log, first = st["best"], st["best_epoch"], st["best_state"], st["log"], st["epoch"] + 1
        for line in log:
            print(json.dumps(line), flush=True)
        print(f"resumed from {a.checkpoint} after epoch {st['epoch']}", file=sys.stderr, flush=True)
    for epoch in range(first, a.epochs + 1):
        model.train()
        t0, loss_sum, n = time.time(), 0.0, 0
        for b in batches(train, 64, rng):
            src = pad([train[i][0] + [EOS] for i in b])
            tin = pad([[BOS] + train[i][1] for i in b])
            tout = pad([train[i][1] + [EOS] for i in b])
            opt.zero_grad()
            logits = model.decode(tin, model.encode(src), src)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, tgt_vocab), tout.reshape(-1),
                                                     ignore_index=PAD, label_smoothing=0.1)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(b)
            n += len(b)
        val = score(model, parts["dev"][:500], itos, 1)
        log.append({"epoch": epoch, "train_loss": loss_sum / n, "val_bleu": val, "seconds": time.time() - t0})
        print(json.dumps(log[-1]), flush=True)
        if val > best:
            best, best_epoch, best_state = val, epoch, {k: v.clone() for k, v in model.state_dict().items()}
        if a.checkpoint:
            tmp = a.checkpoint + ".tmp"
            torch.save({"seed": a.seed, "epochs": a.epochs, "epoch": epoch, "model": model.state_dict(),
                        "opt": opt.state_dict(), "sched": sched.state_dict(), "rng": rng.getstate(),
                        "torch_rng": torch.get_rng_state(), "best": best, "best_epoch": best_epoch, "best_state": best_state,
                        "log": log}, tmp)
            os.replace(tmp, a.checkpoint)
    model.load_state_dict(best_state)
    result = {"seed": a.seed, "epochs": a.epochs, "best_epoch": best_epoch, "best_val_bleu": best, "test_bleu_greedy": score(model, parts["test"], itos, 1),
              "test_bleu_beam": score(model, parts["test"], itos, 4)}
    print(json.dumps(result), flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    sys.exit(main())
