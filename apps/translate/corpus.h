// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kaya::translate {

// One sentence and its translation, normalised (normalize_english, normalize_chinese), with the
// line it came from.
struct Pair {
    std::string en, zh;
    int64_t line = 0;
};

// "English<TAB>Chinese[<TAB>anything]" lines (Tatoeba's cmn.txt and any file like it). Empty
// lines are skipped; invalid UTF-8, a line without a tab or with an empty side is a ParseError
// naming source:line.
std::vector<Pair> parse_pairs(std::string_view text, const std::string& source);
std::vector<Pair> read_pairs(const std::string& path);

struct Split {
    std::vector<Pair> train, dev, test;
};

// Train, development and test parts such that one English sentence (which may have several
// translations) never lands in two: the distinct English sentences are shuffled with the seed,
// and whole groups go to test, then to dev, until each holds at least `held_out` pairs; the
// rest is training. Each part keeps the file's order.
Split split_pairs(const std::vector<Pair>& pairs, int64_t held_out, uint64_t seed);

}  // namespace kaya::translate
