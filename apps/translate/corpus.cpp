// SPDX-License-Identifier: MIT
#include "apps/translate/corpus.h"

#include <algorithm>
#include <map>

#include "apps/text/utf8.h"
#include "apps/translate/text.h"
#include "kaya/core/error.h"
#include "kaya/core/random.h"
#include "kaya/io/file.h"

namespace kaya::translate {

std::vector<Pair> parse_pairs(std::string_view text, const std::string& source) {
    std::vector<Pair> out;
    text::for_each_line(text, source, [&](int64_t n, std::string_view line) {
        if (line.find_first_not_of(" \t") == std::string_view::npos) return;
        const size_t tab = line.find('\t');
        KAYA_CHECK(tab != std::string_view::npos, ParseError, source, ":", n,
                   ": expected 'English<TAB>Chinese', found no tab");
        const size_t tab2 = line.find('\t', tab + 1);
        Pair p{normalize_english(line.substr(0, tab)),
               normalize_chinese(line.substr(tab + 1, tab2 == std::string_view::npos ? std::string_view::npos
                                                                                      : tab2 - tab - 1)),
               n};
        KAYA_CHECK(!p.en.empty() && !p.zh.empty(), ParseError, source, ":", n, ": the ",
                   p.en.empty() ? "English" : "Chinese", " side is empty");
        out.push_back(std::move(p));
    });
    return out;
}

std::vector<Pair> read_pairs(const std::string& path) {
    return parse_pairs(io::read_file_maybe_gzip(path), path);
}

Split split_pairs(const std::vector<Pair>& pairs, int64_t held_out, uint64_t seed) {
    std::map<std::string, std::vector<size_t>> groups;  // English -> its pairs.
    for (size_t i = 0; i < pairs.size(); ++i) groups[pairs[i].en].push_back(i);
    KAYA_CHECK(held_out >= 0 && static_cast<int64_t>(pairs.size()) > 2 * held_out, ValueError,
               "split_pairs: ", pairs.size(), " pairs cannot give ", held_out,
               " for development and for test and leave some for training");
    std::vector<const std::vector<size_t>*> order;
    for (const auto& [en, idx] : groups) order.push_back(&idx);
    Generator g(seed);
    for (size_t i = order.size(); i > 1; --i) {  // Fisher-Yates with the seeded generator.
        const auto j = static_cast<size_t>(g.bits(i) % i);
        std::swap(order[i - 1], order[j]);
    }
    std::vector<int> part(pairs.size(), 0);  // 0 train, 1 dev, 2 test.
    int64_t test = 0, dev = 0;
    for (const auto* idx : order) {
        const int p = test < held_out ? 2 : dev < held_out ? 1 : 0;
        for (size_t i : *idx) part[i] = p;
        (p == 2 ? test : p == 1 ? dev : test) += p ? static_cast<int64_t>(idx->size()) : 0;
    }
    Split s;
    for (size_t i = 0; i < pairs.size(); ++i)
        (part[i] == 2 ? s.test : part[i] == 1 ? s.dev : s.train).push_back(pairs[i]);
    return s;
}

}  // namespace kaya::translate
