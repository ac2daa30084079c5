// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace kaya::text {

// Tokens and their ids. Built from training counts: tokens seen at least min_count times, in
// order of decreasing count (ties by the token's bytes), after the specials (e.g. "<pad>" = 0,
// "<unk>" = 1). index() maps unknown tokens to the unknown token, or throws ValueError when
// the vocabulary has none (e.g. the tag set).
class Vocabulary {
public:
    Vocabulary() = default;
    // specials come first, in order; unk names the unknown token among them ("" = none).
    Vocabulary(std::vector<std::string> specials, std::string unk);

    // Builds from tokens with their counts.
    static Vocabulary build(const std::unordered_map<std::string, int64_t>& counts,
                            int64_t min_count, std::vector<std::string> specials,
                            std::string unk);
    // Back from tokens(), e.g. stored with the weights.
    static Vocabulary from_tokens(std::vector<std::string> tokens, std::string unk);

    int64_t index(const std::string& token) const;
    bool contains(const std::string& token) const { return ids_.count(token) > 0; }
    const std::string& token(int64_t id) const;
    int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
    const std::vector<std::string>& tokens() const { return tokens_; }
    const std::string& unk() const { return unk_; }

    void add(const std::string& token);

private:
    std::vector<std::string> tokens_;
    std::unordered_map<std::string, int64_t> ids_;
    std::string unk_;
};

// The Unicode code points of a UTF-8 string as separate UTF-8 strings ("naïve" -> n a ï v e).
// Assumes valid UTF-8 (checked where text enters).
std::vector<std::string> utf8_chars(const std::string& s);

// ASCII lower case (other bytes unchanged).
std::string lower_ascii(std::string s);

}  // namespace kaya::text
