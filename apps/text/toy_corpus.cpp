// SPDX-License-Identifier: MIT
#include "apps/text/toy_corpus.h"

#include <random>
#include <string>
#include <utility>

namespace kaya::text {

namespace {

using Words = std::vector<std::pair<std::string, std::string>>;  // (form, UPOS)

class Maker {
public:
    explicit Maker(uint64_t seed) : rng_(seed) {}

    ConlluSentence sentence() {
        Words w;
        clause(w);
        if (chance(0.25)) {
            w.emplace_back(pick({"and", "but"}), "CCONJ");
            clause(w);
        }
        w.emplace_back(pick({".", ".", ".", "!", "?"}), "PUNCT");
        // Sentence-initial capital, as in real text.
        if (w[0].second != "PROPN" && !w[0].first.empty()) w[0].first[0] = static_cast<char>(std::toupper(w[0].first[0]));
        ConlluSentence s;
        for (size_t i = 0; i < w.size(); ++i) {
            ConlluLine l;
            l.fields.fill("_");
            l.fields[0] = std::to_string(i + 1);
            l.fields[1] = w[i].first;
            l.fields[3] = w[i].second;
            s.lines.push_back(std::move(l));
        }
        return s;
    }

private:
    uint64_t below(uint64_t n) { return rng_() % n; }
    bool chance(double p) { return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p; }
    std::string pick(std::initializer_list<const char*> options) {
        return *(options.begin() + below(options.size()));
    }
    // A made-up stem of two or three syllables.
    std::string stem() {
        static const char* syllables[] = {"bor", "ta", "mi", "len", "qua", "ris", "pel", "do",
                                          "vak", "su", "tren", "gol", "fi", "nar", "zo", "kel"};
        std::string s;
        const uint64_t n = 2 + below(2);
        for (uint64_t i = 0; i < n; ++i) s += syllables[below(16)];
        return s;
    }
    std::string noun() {
        if (chance(0.6)) return pick({"dog", "cat", "book", "park", "table", "idea", "duck", "can", "city", "letter"});
        return made_up({"tion", "ness", "ment", "ity"});
    }
    // A made-up word: a stem with a telling suffix, or (one time in three) the bare stem,
    // which only the words around it can tag.
    std::string made_up(std::initializer_list<const char*> suffixes) {
        return chance(1.0 / 3) ? stem() : stem() + pick(suffixes);
    }
    void noun_phrase(Words& w) {
        if (chance(0.2)) {
            w.emplace_back(pick({"she", "he", "they", "it", "we"}), "PRON");
            return;
        }
        if (chance(0.15)) {
            std::string name = stem();
            name[0] = static_cast<char>(std::toupper(name[0]));
            w.emplace_back(name, "PROPN");
            return;
        }
        w.emplace_back(pick({"the", "a", "this", "every", "some"}), "DET");
        if (chance(0.4)) {
            w.emplace_back(chance(0.6) ? pick({"big", "small", "red", "old", "quick", "happy"})
                                       : made_up({"ous", "ful", "ive", "able"}),
                           "ADJ");
        }
        w.emplace_back(noun(), "NOUN");
    }
    std::string verb() {
        if (chance(0.6)) return pick({"sees", "likes", "reads", "books", "walks", "finds", "saw", "ducks"});
        return made_up({"izes", "ates", "ifies"});
    }
    void clause(Words& w) {
        noun_phrase(w);
        if (chance(0.3)) {
            w.emplace_back(pick({"will", "can", "must"}), "AUX");
            w.emplace_back(chance(0.6) ? pick({"see", "book", "read", "find", "duck"})
                                       : made_up({"ize", "ate", "ify"}),
                           "VERB");
        } else {
            w.emplace_back(verb(), "VERB");
        }
        noun_phrase(w);
        if (chance(0.35)) {
            w.emplace_back(pick({"in", "on", "with", "near"}), "ADP");
            noun_phrase(w);
        }
        if (chance(0.25)) {
            w.emplace_back(chance(0.5) ? pick({"quickly", "slowly", "often"}) : made_up({"ly"}), "ADV");
        }
    }

    std::mt19937_64 rng_;
};

}  // namespace

std::vector<ConlluSentence> make_toy_corpus(int64_t sentences, uint64_t seed) {
    Maker m(seed);
    std::vector<ConlluSentence> out;
    for (int64_t i = 0; i < sentences; ++i) {
        out.push_back(m.sentence());
        out.back().comments = {"# sent_id = toy-" + std::to_string(seed) + "-" + std::to_string(i + 1)};
    }
    return out;
}

}  // namespace kaya::text
