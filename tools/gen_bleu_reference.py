#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden corpus BLEU values from NLTK (Debian python3-nltk) for tests/translate: random
corpora over a small alphabet of Chinese characters (so n-grams match often), one to three
references a sentence, some hypotheses short (brevity penalty), one corpus with no 4-gram match.
Writes tests/data/translate/bleu_nltk.txt:
  case <name> <bleu 0-100, %.17g>
  s                     (a new sentence)
  h <tokens>            (its hypothesis)
  r <tokens>            (a reference; one or more)
Run: /usr/bin/python3 tools/gen_bleu_reference.py"""
import os
import random

from nltk.translate.bleu_score import corpus_bleu

ALPHABET = list("我你他是的不了在有人这中大来上个们到说")


def sentence(rng, lo, hi, alphabet):
    return [rng.choice(alphabet) for _ in range(rng.randint(lo, hi))]


def corpus(rng, n, refs, short, alphabet):
    hyps, references = [], []
    for _ in range(n):
        rs = [sentence(rng, 4, 14, alphabet) for _ in range(rng.randint(1, refs))]
        base = list(rs[0])
        # A hypothesis: the first reference with some tokens changed, dropped or added.
        h = [t if rng.random() > 0.3 else rng.choice(alphabet) for t in base]
        if short and len(h) > 4:
            # At least 4 tokens left: NLTK counts a missing n-gram order of a hypothesis shorter
            # than n as one n-gram (max(1, 0) in modified_precision), which sacreBLEU and the
            # BLEU paper do not; Kaya follows the latter, so the cases avoid such hypotheses.
            h = h[: max(4, len(h) - rng.randint(1, 3))]
        elif rng.random() < 0.3:
            h += sentence(rng, 1, 3, alphabet)
        hyps.append(h)
        references.append(rs)
    return hyps, references


def main():
    rng = random.Random(2026)
    cases = []
    cases.append(("one_ref", *corpus(rng, 20, 1, False, ALPHABET)))
    cases.append(("three_refs", *corpus(rng, 30, 3, False, ALPHABET)))
    cases.append(("short_hyps", *corpus(rng, 25, 2, True, ALPHABET)))
    cases.append(("big", *corpus(rng, 200, 2, False, ALPHABET)))
    # Nothing in common beyond unigrams: BLEU 0.
    cases.append(("no_match", [["我", "你", "他"], ["是", "的"]], [[["你", "我", "是"]], [["他", "是"]]]))
    # A perfect corpus.
    cases.append(("perfect", [list("我是中国人"), list("你好吗我很好")], [[list("我是中国人")], [list("你好吗我很好")]]))
    out = []
    for name, hyps, refs in cases:
        score = 100 * corpus_bleu(refs, hyps)
        out.append("case %s %.17g" % (name, score))
        for h, rs in zip(hyps, refs):
            out.append("s")
            out.append("h " + " ".join(h))
            for r in rs:
                out.append("r " + " ".join(r))
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "translate", "bleu_nltk.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
