// SPDX-License-Identifier: MIT
#include "apps/translate/toy_corpus.h"

#include "kaya/core/random.h"

namespace kaya::translate {

std::string make_toy_pairs(int n, uint64_t seed) {
    const char* en[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
    const char* zh[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    Generator g(seed);
    std::string text;
    for (int i = 0; i < n; ++i) {
        const int len = 1 + static_cast<int>(g.bits(static_cast<uint64_t>(7 * i)) % 5);
        std::string e, z;
        for (int k = 0; k < len; ++k) {
            const auto d = g.bits(static_cast<uint64_t>(7 * i + k + 1)) % 10;
            e += (k ? " " : "") + std::string(en[d]);
            z += zh[d];
        }
        text += e + ".\t" + z + "。\tCC0 toy\n";
    }
    return text;
}

}  // namespace kaya::translate
