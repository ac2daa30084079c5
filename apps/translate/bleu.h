// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace kaya::translate {

using Tokens = std::vector<std::string>;

struct BleuScore {
    double bleu = 0;  // 0-100.
    std::array<double, 4> precision{};  // Clipped n-gram precisions, 1-4 (0-100).
    double brevity_penalty = 0;
    int64_t hypothesis_length = 0, reference_length = 0;
    std::string format() const;  // "BLEU 25.31 (58.2/32.0/19.1/11.9, BP 0.981, 9041/9214)".
};

// Corpus BLEU-4 (Papineni et al. 2002) as NLTK's corpus_bleu and sacreBLEU compute it: n-gram
// matches clipped by the most any one reference of the sentence holds, summed over the corpus;
// the geometric mean of the four precisions (0 when one of them is 0, no smoothing); a brevity
// penalty exp(1 - r/c) when the hypotheses are shorter, r summing each sentence's reference
// length closest to its hypothesis (the shorter on a tie). One or more references a sentence.
BleuScore corpus_bleu(const std::vector<Tokens>& hypotheses,
                      const std::vector<std::vector<Tokens>>& references);

}  // namespace kaya::translate
