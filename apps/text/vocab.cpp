// SPDX-License-Identifier: MIT
#include "apps/text/vocab.h"

#include <algorithm>

#include "kaya/core/error.h"

namespace kaya::text {

Vocabulary::Vocabulary(std::vector<std::string> specials, std::string unk) : unk_(std::move(unk)) {
    for (auto& s : specials) add(s);
    KAYA_CHECK(unk_.empty() || contains(unk_), ValueError, "Vocabulary: unknown token '", unk_,
               "' is not among the specials");
}

Vocabulary Vocabulary::build(const std::unordered_map<std::string, int64_t>& counts,
                             int64_t min_count, std::vector<std::string> specials, std::string unk) {
    Vocabulary v(std::move(specials), std::move(unk));
    std::vector<std::pair<std::string, int64_t>> kept;
    for (const auto& [tok, n] : counts) {
        if (n >= min_count && !v.contains(tok)) kept.emplace_back(tok, n);
    }
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (const auto& [tok, n] : kept) v.add(tok);
    return v;
}

Vocabulary Vocabulary::from_tokens(std::vector<std::string> tokens, std::string unk) {
    Vocabulary v({}, "");
    for (auto& t : tokens) {
        KAYA_CHECK(!v.contains(t), ValueError, "Vocabulary: token '", t, "' appears twice");
        v.add(t);
    }
    KAYA_CHECK(unk.empty() || v.contains(unk), ValueError, "Vocabulary: unknown token '", unk,
               "' is not in the vocabulary");
    v.unk_ = std::move(unk);
    return v;
}

void Vocabulary::add(const std::string& token) {
    if (contains(token)) return;
    ids_.emplace(token, size());
    tokens_.push_back(token);
}

int64_t Vocabulary::index(const std::string& token) const {
    auto it = ids_.find(token);
    if (it != ids_.end()) return it->second;
    KAYA_CHECK(!unk_.empty(), ValueError, "Vocabulary: '", token,
               "' is not in the vocabulary (which has no unknown token)");
    return ids_.at(unk_);
}

const std::string& Vocabulary::token(int64_t id) const {
    KAYA_CHECK(id >= 0 && id < size(), IndexError, "Vocabulary: id ", id, " outside [0, ", size(), ")");
    return tokens_[static_cast<size_t>(id)];
}

std::vector<std::string> utf8_chars(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

std::string lower_ascii(std::string s) {
    for (auto& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

}  // namespace kaya::text
