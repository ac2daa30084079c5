// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kaya::translate {

// Byte-pair encoding over characters (Sennrich et al. 2016), learned from the training text
// itself: words (pretokenize_english) start as characters, and the most frequent adjacent pair
// is merged again and again until the vocabulary has the size asked for. The same object
// encodes in training, evaluation and `kaya translate`, and is saved beside the weights.
// Ids: <pad> 0, <unk> 1, <s> 2, </s> 3, then the characters (most frequent first), then one
// symbol per merge in merge order. A character never seen in training encodes as <unk>.
class Bpe {
public:
    static constexpr int64_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;

    Bpe() = default;
    // Learns from normalised sentences. vocab_size counts the specials and every character of
    // the training text; fewer merges are made when the pairs run out. ValueError when
    // vocab_size cannot even hold the characters.
    static Bpe learn(const std::vector<std::string>& sentences, int64_t vocab_size);

    // Subword pieces of a sentence ("\u2581" marks a word start).
    std::vector<std::string> encode_pieces(std::string_view sentence) const;
    std::vector<int64_t> encode(std::string_view sentence) const;
    // Text of ids (specials dropped; <unk> shown as "<unk>").
    std::string decode(const std::vector<int64_t>& ids) const;

    int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
    const std::string& token(int64_t id) const;
    int64_t id(const std::string& token) const;  // kUnk when absent.
    const std::vector<std::pair<std::string, std::string>>& merges() const { return merges_; }

    // The whole tokeniser as text ("kaya-bpe 1", the tokens, the merges); parse() checks every
    // line and names the source and line of a problem (ParseError).
    std::string serialize() const;
    static Bpe parse(std::string_view text, const std::string& source);
    void save(const std::string& path) const;  // Atomic.
    static Bpe load(const std::string& path);
    // A short hash of serialize(), stored with the weights so that a tokeniser of other weights
    // is refused.
    std::string fingerprint() const;

private:
    void index();
    std::vector<std::string> word_pieces(const std::string& word) const;

    std::vector<std::string> tokens_;
    std::unordered_map<std::string, int64_t> ids_;
    std::vector<std::pair<std::string, std::string>> merges_;
    std::unordered_map<std::string, int64_t> merge_rank_;  // "a\x1fb" -> merge index.
};

}  // namespace kaya::translate
