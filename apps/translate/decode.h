// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "apps/translate/model.h"

namespace kaya::translate {

// Token ids shared by both sides' vocabularies.
inline constexpr int64_t kPadId = 0, kUnkId = 1, kBosId = 2, kEosId = 3;

struct DecodeOptions {
    int64_t beam = 1;             // 1: greedy.
    double length_penalty = 1.0;  // GNMT's alpha: scores divided by ((5 + length) / 6)^alpha.
    // The longest output for a source of n tokens: max_len_a * n + max_len_b (and the model's
    // max_len), as fairseq's --max-len-a/--max-len-b.
    double max_len_a = 1.5;
    int64_t max_len_b = 10;
    bool cache = true;  // Incremental decoding with a key/value cache (false: recompute prefixes).
};

// Sources as a padded batch: each row the ids followed by </s>, then padding (N, S).
Tensor source_batch(const std::vector<std::vector<int64_t>>& sources);

// Translations (target ids without <s> and </s>) of a batch of sources, greedy (beam 1) or by
// beam search: for each sentence, `beam` hypotheses grow token by token; a hypothesis that
// emits </s> among the best `beam` candidates of a step is finished with its length-normalised
// score, and a sentence is done once it has `beam` finished ones (or reached its longest
// output). <pad> and <s> are never output. Eval mode; batched over sentences.
std::vector<std::vector<int64_t>> translate_batch(Translator& model,
                                                  const std::vector<std::vector<int64_t>>& sources,
                                                  const DecodeOptions& options);

// Greedy decoding of a batch for `steps` tokens, returning each step's logits (N, steps, V) as
// well: the cache's test compares them with and without it.
struct GreedyTrace {
    std::vector<std::vector<int64_t>> tokens;  // (N, steps), </s> and what follows included.
    Tensor logits;
};
GreedyTrace greedy_trace(Translator& model, const Tensor& src, int64_t steps, bool cache);

}  // namespace kaya::translate
