// SPDX-License-Identifier: MIT
#include "apps/translate/bpe.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <queue>
#include <set>
#include <sstream>

#include "apps/text/vocab.h"
#include "apps/translate/text.h"
#include "kaya/core/error.h"
#include "kaya/io/file.h"

namespace kaya::translate {

namespace {

const char kSep = '\x1f';  // Between the two halves of a pair key: never in text.
const std::vector<std::string> kSpecials = {"<pad>", "<unk>", "<s>", "</s>"};

std::string pair_key(const std::string& a, const std::string& b) { return a + kSep + b; }

// A candidate merge in the queue: the count it had when pushed (stale entries are skipped).
struct Candidate {
    int64_t count;
    std::string key;
    bool operator<(const Candidate& o) const {  // Most frequent first; ties by the smaller key.
        return count != o.count ? count < o.count : key > o.key;
    }
};

// The learner's state: each distinct word as symbols, with its count; pair counts and which
// words hold each pair.
struct Learner {
    std::vector<std::vector<std::string>> words;
    std::vector<int64_t> counts;
    std::unordered_map<std::string, int64_t> pairs;
    std::unordered_map<std::string, std::set<size_t>> where;
    std::priority_queue<Candidate> queue;

    void count_word(size_t w, int64_t sign) {
        const auto& s = words[w];
        for (size_t i = 0; i + 1 < s.size(); ++i) {
            const std::string k = pair_key(s[i], s[i + 1]);
            int64_t& c = pairs[k];
            c += sign * counts[w];
            if (sign > 0) {
                where[k].insert(w);
                queue.push({c, k});
            }
        }
    }

    // The most frequent pair (count >= 2), or an empty key.
    std::string best() {
        while (!queue.empty()) {
            Candidate top = queue.top();
            queue.pop();
            auto it = pairs.find(top.key);
            if (it != pairs.end() && it->second == top.count && top.count >= 2) return top.key;
        }
        return {};
    }

    void merge(const std::string& a, const std::string& b) {
        const std::string k = pair_key(a, b), joined = a + b;
        const std::set<size_t> holders = where[k];
        for (size_t w : holders) {
            count_word(w, -1);
            std::vector<std::string> out;
            const auto& s = words[w];
            for (size_t i = 0; i < s.size(); ++i) {
                if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) {
                    out.push_back(joined);
                    ++i;
                } else {
                    out.push_back(s[i]);
                }
            }
            words[w] = std::move(out);
            count_word(w, +1);
        }
        // Counts of pairs that dropped to nothing still sit in the queue: best() skips them.
        pairs.erase(k);
        where.erase(k);
    }
};

}  // namespace

Bpe Bpe::learn(const std::vector<std::string>& sentences, int64_t vocab_size) {
    std::map<std::string, int64_t> word_counts;  // Ordered: the same result on every run.
    std::unordered_map<std::string, int64_t> char_counts;
    for (const auto& s : sentences) {
        for (const auto& w : pretokenize_english(s)) ++word_counts[w];
    }
    Learner L;
    for (const auto& [w, c] : word_counts) {
        L.words.push_back(text::utf8_chars(w));
        L.counts.push_back(c);
        for (const auto& ch : L.words.back()) char_counts[ch] += c;
    }
    std::vector<std::pair<std::string, int64_t>> chars(char_counts.begin(), char_counts.end());
    std::sort(chars.begin(), chars.end(), [](const auto& x, const auto& y) {
        return x.second != y.second ? x.second > y.second : x.first < y.first;
    });
    const auto base = static_cast<int64_t>(kSpecials.size() + chars.size());
    KAYA_CHECK(vocab_size >= base, ValueError, "BPE: a vocabulary of ", vocab_size,
               " cannot hold the ", kSpecials.size(), " special tokens and the ", chars.size(),
               " characters of the training text (at least ", base, ")");
    Bpe bpe;
    bpe.tokens_ = kSpecials;
    for (const auto& [ch, c] : chars) bpe.tokens_.push_back(ch);
    for (size_t w = 0; w < L.words.size(); ++w) L.count_word(w, +1);
    std::set<std::string> known(bpe.tokens_.begin(), bpe.tokens_.end());
    while (static_cast<int64_t>(bpe.tokens_.size()) < vocab_size) {
        const std::string k = L.best();
        if (k.empty()) break;  // No pair occurs twice: more merges would only memorise.
        const auto sep = k.find(kSep);
        const std::string a = k.substr(0, sep), b = k.substr(sep + 1);
        L.merge(a, b);
        bpe.merges_.emplace_back(a, b);
        if (known.insert(a + b).second) bpe.tokens_.push_back(a + b);
    }
    bpe.index();
    return bpe;
}

void Bpe::index() {
    ids_.clear();
    merge_rank_.clear();
    for (size_t i = 0; i < tokens_.size(); ++i) ids_[tokens_[i]] = static_cast<int64_t>(i);
    for (size_t i = 0; i < merges_.size(); ++i)
        merge_rank_[pair_key(merges_[i].first, merges_[i].second)] = static_cast<int64_t>(i);
}

// Applies the merges to one word in the order they were learned (the lowest rank first).
std::vector<std::string> Bpe::word_pieces(const std::string& word) const {
    std::vector<std::string> s = text::utf8_chars(word);
    for (;;) {
        int64_t best = -1;
        for (size_t i = 0; i + 1 < s.size(); ++i) {
            auto it = merge_rank_.find(pair_key(s[i], s[i + 1]));
            if (it != merge_rank_.end() && (best < 0 || it->second < best)) best = it->second;
        }
        if (best < 0) return s;
        const auto& [a, b] = merges_[static_cast<size_t>(best)];
        std::vector<std::string> out;
        for (size_t i = 0; i < s.size(); ++i) {
            if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) {
                out.push_back(a + b);
                ++i;
            } else {
                out.push_back(s[i]);
            }
        }
        s = std::move(out);
    }
}

std::vector<std::string> Bpe::encode_pieces(std::string_view sentence) const {
    std::vector<std::string> out;
    for (const auto& w : pretokenize_english(sentence)) {
        for (auto& p : word_pieces(w)) out.push_back(std::move(p));
    }
    return out;
}

std::vector<int64_t> Bpe::encode(std::string_view sentence) const {
    std::vector<int64_t> out;
    for (const auto& p : encode_pieces(sentence)) out.push_back(id(p));
    return out;
}

int64_t Bpe::id(const std::string& token) const {
    auto it = ids_.find(token);
    return it == ids_.end() ? kUnk : it->second;
}

const std::string& Bpe::token(int64_t id) const {
    KAYA_CHECK(id >= 0 && id < size(), IndexError, "BPE: token id ", id, " is outside the vocabulary of ",
               size());
    return tokens_[static_cast<size_t>(id)];
}

std::string Bpe::decode(const std::vector<int64_t>& ids) const {
    std::vector<std::string> pieces;
    for (int64_t i : ids) {
        if (i == kPad || i == kBos || i == kEos) continue;
        pieces.push_back(i == kUnk ? "<unk>" : token(i));
    }
    return join_pieces(pieces);
}

std::string Bpe::serialize() const {
    std::string s = "kaya-bpe 1\ntokens " + std::to_string(tokens_.size()) + "\n";
    for (const auto& t : tokens_) s += t + "\n";
    s += "merges " + std::to_string(merges_.size()) + "\n";
    for (const auto& [a, b] : merges_) s += a + " " + b + "\n";
    return s;
}

Bpe Bpe::parse(std::string_view text, const std::string& source) {
    std::istringstream in{std::string(text)};
    std::string line;
    int64_t n = 0;
    auto next = [&](const char* what) {
        KAYA_CHECK(static_cast<bool>(std::getline(in, line)), ParseError, source, ":", n + 1,
                   ": the file ends where ", what, " should be");
        ++n;
        return line;
    };
    auto count = [&](const std::string& l, const std::string& key) {
        KAYA_CHECK(l.rfind(key + " ", 0) == 0, ParseError, source, ":", n, ": expected '", key,
                   " N', got '", l, "'");
        try {
            const long long v = std::stoll(l.substr(key.size() + 1));
            KAYA_CHECK(v >= 0 && v < (1LL << 31), ParseError, source, ":", n, ": bad count ", v);
            return static_cast<size_t>(v);
        } catch (const std::logic_error&) {
            throw ParseError(source + ":" + std::to_string(n) + ": bad count in '" + l + "'");
        }
    };
    KAYA_CHECK(next("the header") == "kaya-bpe 1", ParseError, source,
               ":1: not a Kaya BPE tokeniser (expected 'kaya-bpe 1', got '", line.substr(0, 40), "')");
    Bpe bpe;
    const size_t tokens = count(next("the token count"), "tokens");
    for (size_t i = 0; i < tokens; ++i) {
        next("a token");
        KAYA_CHECK(i < kSpecials.size() ? line == kSpecials[i] : !line.empty(), ParseError,
                   source, ":", n, ": token ", i, " must be ", i < kSpecials.size() ? kSpecials[i] : "non-empty",
                   ", got '", line, "'");
        bpe.tokens_.push_back(line);
    }
    const size_t merges = count(next("the merge count"), "merges");
    std::set<std::string> known(bpe.tokens_.begin(), bpe.tokens_.end());
    for (size_t i = 0; i < merges; ++i) {
        next("a merge");
        const auto sp = line.find(' ');
        KAYA_CHECK(sp != std::string::npos && sp > 0 && sp + 1 < line.size(), ParseError, source, ":", n,
                   ": a merge is two symbols separated by one space, got '", line, "'");
        std::string a = line.substr(0, sp), b = line.substr(sp + 1);
        KAYA_CHECK(known.count(a) && known.count(b) && known.count(a + b), ParseError, source, ":", n,
                   ": merge '", line, "' uses a symbol that is not in the vocabulary");
        bpe.merges_.emplace_back(std::move(a), std::move(b));
    }
    bpe.index();
    KAYA_CHECK(bpe.ids_.size() == bpe.tokens_.size(), ParseError, source, ": a token appears twice");
    return bpe;
}

void Bpe::save(const std::string& path) const { io::write_file_atomic(path, serialize()); }

Bpe Bpe::load(const std::string& path) { return parse(io::read_file(path), path); }

std::string Bpe::fingerprint() const {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a.
    for (unsigned char c : serialize()) h = (h ^ c) * 1099511628211ULL;
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace kaya::translate
