// SPDX-License-Identifier: MIT
#include "apps/translate/bleu.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "kaya/core/error.h"

namespace kaya::translate {

namespace {

using Counts = std::map<std::vector<std::string>, int64_t>;

Counts ngrams(const Tokens& t, size_t n) {
    Counts c;
    for (size_t i = 0; i + n <= t.size(); ++i) ++c[Tokens(t.begin() + static_cast<std::ptrdiff_t>(i),
                                                          t.begin() + static_cast<std::ptrdiff_t>(i + n))];
    return c;
}

}  // namespace

BleuScore corpus_bleu(const std::vector<Tokens>& hyps, const std::vector<std::vector<Tokens>>& refs) {
    KAYA_CHECK(hyps.size() == refs.size(), ValueError, "corpus_bleu: ", hyps.size(),
               " hypotheses but ", refs.size(), " reference lists");
    std::array<int64_t, 4> matched{}, total{};
    BleuScore s;
    for (size_t k = 0; k < hyps.size(); ++k) {
        KAYA_CHECK(!refs[k].empty(), ValueError, "corpus_bleu: sentence ", k, " has no reference");
        const Tokens& h = hyps[k];
        s.hypothesis_length += static_cast<int64_t>(h.size());
        // The reference length closest to the hypothesis's, the shorter on a tie.
        int64_t best = -1;
        for (const auto& r : refs[k]) {
            const auto len = static_cast<int64_t>(r.size()), hl = static_cast<int64_t>(h.size());
            if (best < 0 || std::llabs(len - hl) < std::llabs(best - hl) ||
                (std::llabs(len - hl) == std::llabs(best - hl) && len < best))
                best = len;
        }
        s.reference_length += best;
        for (size_t n = 1; n <= 4; ++n) {
            const Counts hc = ngrams(h, n);
            Counts most;  // The most each n-gram occurs in any one reference.
            for (const auto& r : refs[k]) {
                for (const auto& [g, c] : ngrams(r, n)) most[g] = std::max(most[g], c);
            }
            for (const auto& [g, c] : hc) {
                auto it = most.find(g);
                matched[n - 1] += std::min(c, it == most.end() ? 0 : it->second);
                total[n - 1] += c;
            }
        }
    }
    double log_sum = 0;
    bool zero = false;
    for (size_t n = 0; n < 4; ++n) {
        s.precision[n] = total[n] > 0 ? 100.0 * static_cast<double>(matched[n]) / static_cast<double>(total[n]) : 0;
        if (matched[n] == 0) zero = true;
        else log_sum += std::log(static_cast<double>(matched[n]) / static_cast<double>(total[n]));
    }
    const double c = static_cast<double>(s.hypothesis_length), r = static_cast<double>(s.reference_length);
    s.brevity_penalty = c == 0 ? 0 : c < r ? std::exp(1 - r / c) : 1;
    s.bleu = zero ? 0 : 100 * s.brevity_penalty * std::exp(log_sum / 4);
    return s;
}

std::string BleuScore::format() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "BLEU %.2f (%.1f/%.1f/%.1f/%.1f, BP %.3f, %lld/%lld)", bleu,
                  precision[0], precision[1], precision[2], precision[3], brevity_penalty,
                  static_cast<long long>(hypothesis_length), static_cast<long long>(reference_length));
    return buf;
}

}  // namespace kaya::translate
