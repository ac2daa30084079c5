#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The POS tagger recipe of configs/pos_ewt.toml in PyTorch 1.13: the same data files, the same
vocabularies (read from a Kaya run's model.safetensors, or built the same way), the same model
(word embedding + character BiLSTM over each batch's distinct spellings, 2-layer BiLSTM,
dropout 0.33, word dropout 0.1), Adam lr 0.002 with cosine decay per epoch, gradient norm
clipped at 5, length-bucketed batches of 32 sentences, the development set picking the epoch
and the test set scored once. A peer for Kaya's numbers, never a dependency.

  python3 tools/pos_pytorch.py [--vocab-from runs/pos_ewt/model.safetensors] [--seed 0]
                               [--epochs 20] [--threads 2] [--out result.json]
Prints one line per epoch and a JSON summary (test accuracy, unseen-word accuracy, tokens/s).
"""
import argparse
import gzip
import json
import math
import random
import struct
import time

import torch
import torch.nn as nn

EWT = "../shared/data/pos/ud_english_ewt/en_ewt-ud-"


def read_conllu(path):
    opener = gzip.open if path.endswith(".gz") else open
    sentences, words = [], []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if words:
                    sentences.append(words)
                words = []
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            words.append((cols[1], cols[3]))
    if words:
        sentences.append(words)
    return sentences


def lower_ascii(s):
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in s)


def build_vocab(counts, min_count, specials):
    kept = sorted(((t, n) for t, n in counts.items() if n >= min_count and t not in specials),
                  key=lambda p: (-p[1], p[0].encode()))
    return specials + [t for t, _ in kept]


def vocab_from_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        meta = json.loads(f.read(n))["__metadata__"]
    return [meta[k].split("\n") for k in ("vocab.words", "vocab.chars", "vocab.tags")]


class Tagger(nn.Module):
    def __init__(self, words, chars, tags, word_dim=100, char_dim=32, char_hidden=64, hidden=256,
                 layers=2, dropout=0.33, word_dropout=0.1):
        super().__init__()
        self.word_embedding = nn.Embedding(words, word_dim, padding_idx=0)
        self.char_embedding = nn.Embedding(chars, char_dim, padding_idx=0)
        self.char_lstm = nn.LSTM(char_dim, char_hidden, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(word_dim + 2 * char_hidden, hidden, num_layers=layers, batch_first=True,
                            dropout=dropout, bidirectional=True)
        self.output = nn.Linear(2 * hidden, tags)
        self.word_dropout = word_dropout

    def forward(self, words, chars, slots, lengths):
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
        if self.training and self.word_dropout > 0:
            drop = (torch.rand(words.shape) < self.word_dropout) & (words != 0)
            words = torch.where(drop, torch.ones_like(words), words)
        x = self.word_embedding(words)
        clen = (chars != 0).sum(1).clamp(min=1)
        packed = pack_padded_sequence(self.char_embedding(chars), clen, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.char_lstm(packed)
        spell = torch.cat([h[0], h[1]], 1)
        x = torch.cat([x, spell[slots]], -1)
        x = self.dropout(x)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(h, batch_first=True, total_length=words.shape[1])
        return self.output(self.dropout(h))


def encode(sentences, wv, cv, tv, train_forms, max_chars=24):
    wi = {t: i for i, t in enumerate(wv)}
    ci = {t: i for i, t in enumerate(cv)}
    ti = {t: i for i, t in enumerate(tv)}
    out = []
    for s in sentences:
        words = [wi.get(lower_ascii(f), 1) for f, _ in s]
        chars = []
        for f, _ in s:
            cs = list(f)
            if len(cs) > max_chars:
                cs = cs[:max_chars // 2] + cs[len(cs) - (max_chars - max_chars // 2):]
            chars.append(tuple(ci.get(c, 1) for c in cs))
        tags = [ti.get(t, -100) for _, t in s]
        unseen = [0 if f in train_forms else 1 for f, _ in s]
        out.append((words, chars, tags, unseen))
    return out


def collate(batch):
    T = max(len(b[0]) for b in batch)
    spellings = {(0,): 0}
    words = torch.zeros(len(batch), T, dtype=torch.long)
    tags = torch.full((len(batch), T), -100, dtype=torch.long)
    slots = torch.zeros(len(batch), T, dtype=torch.long)
    unseen = torch.zeros(len(batch), T, dtype=torch.long)
    for i, (w, c, t, u) in enumerate(batch):
        words[i, :len(w)] = torch.tensor(w)
        tags[i, :len(t)] = torch.tensor(t)
        unseen[i, :len(u)] = torch.tensor(u)
        for k, sp in enumerate(c):
            slots[i, k] = spellings.setdefault(sp, len(spellings))
    C = max(len(s) for s in spellings)
    chars = torch.zeros(len(spellings), C, dtype=torch.long)
    for sp, j in spellings.items():
        chars[j, :len(sp)] = torch.tensor(sp)
    lengths = torch.tensor([len(b[0]) for b in batch])
    return words, chars, slots, lengths, tags, unseen


def batches(data, batch_size, rng, pool=50, shuffle=True):
    order = list(range(len(data)))
    if shuffle:
        rng.shuffle(order)
    span = pool * batch_size
    for s in range(0, len(order), span):
        order[s:s + span] = sorted(order[s:s + span], key=lambda i: len(data[i][0]))
    out = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    if shuffle:
        rng.shuffle(out)
    return out


def evaluate(model, data):
    model.eval()
    n = correct = un = ucorrect = 0
    with torch.no_grad():
        for b in batches(data, 128, None, shuffle=False):
            words, chars, slots, lengths, tags, unseen = collate([data[i] for i in b])
            pred = model(words, chars, slots, lengths).argmax(-1)
            mask = tags >= 0
            ok = (pred == tags) & mask
            n += int(mask.sum()); correct += int(ok.sum())
            um = mask & (unseen == 1)
            un += int(um.sum()); ucorrect += int((ok & um).sum())
    model.train()
    return correct / n, (ucorrect / un if un else 0.0), n, un


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default=EWT + "train.conllu.gz")
    ap.add_argument("--dev", default=EWT + "dev.conllu.gz")
    ap.add_argument("--test", default=EWT + "test.conllu.gz")
    ap.add_argument("--vocab-from", default="")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    train, dev, test = read_conllu(args.train), read_conllu(args.dev), read_conllu(args.test)
    train_forms = {f for s in train for f, _ in s}
    if args.vocab_from:
        wv, cv, tv = vocab_from_safetensors(args.vocab_from)
    else:
        wc, cc = {}, {}
        for s in train:
            for f, _ in s:
                wc[lower_ascii(f)] = wc.get(lower_ascii(f), 0) + 1
                for c in f:
                    cc[c] = cc.get(c, 0) + 1
        wv, cv = build_vocab(wc, 2, ["<pad>", "<unk>"]), build_vocab(cc, 1, ["<pad>", "<unk>"])
        tv = sorted({t for s in train for _, t in s})
    data = [encode(x, wv, cv, tv, train_forms) for x in (train, dev, test)]
    model = Tagger(len(wv), len(cv), len(tv))
    opt = torch.optim.Adam(model.parameters(), lr=0.002)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    best, best_state, tokens, seconds = -1.0, None, 0, 0.0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        for b in batches(data[0], 32, rng):
            words, chars, slots, lengths, tags, _ = collate([data[0][i] for i in b])
            opt.zero_grad()
            loss = loss_fn(model(words, chars, slots, lengths).reshape(-1, len(tv)), tags.reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            tokens += int(lengths.sum())
        seconds += time.perf_counter() - start
        sched.step()
        acc, uacc, _, _ = evaluate(model, data[1])
        print(f"epoch {epoch:3d}  val_accuracy {100 * acc:.2f}%  val_unseen_accuracy {100 * uacc:.2f}%  "
              f"train tokens/s {tokens / seconds:.0f}", flush=True)
        if acc > best:
            best, best_epoch = acc, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    acc, uacc, n, un = evaluate(model, data[2])
    result = {"seed": args.seed, "best_epoch": best_epoch, "val_accuracy": best, "test_accuracy": acc,
              "test_unseen_accuracy": uacc, "test_tokens": n, "test_unseen_tokens": un,
              "train_tokens_per_second": tokens / seconds, "torch": torch.__version__}
    print(json.dumps(result))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
