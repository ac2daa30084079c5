// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace kaya::text {

// One line of a CoNLL-U sentence (https://universaldependencies.org/format.html): ten
// tab-separated fields ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC. Word lines have an
// integer ID; multi-word token lines a range "1-2" (the surface form of words 1 and 2);
// empty nodes a decimal "8.1". Only word lines carry the syntactic words that get tags.
struct ConlluLine {
    enum class Kind { Word, MultiWord, Empty };
    Kind kind = Kind::Word;
    std::array<std::string, 10> fields;

    const std::string& form() const { return fields[1]; }
    const std::string& upos() const { return fields[3]; }
};

struct ConlluSentence {
    std::vector<std::string> comments;  // Lines starting with '#', without the newline.
    std::vector<ConlluLine> lines;      // In file order.
    int64_t first_line = 0;             // 1-based line of the sentence's first line in its file.

    // The word lines' forms and UPOS tags, in order.
    std::vector<std::string> forms() const;
    std::vector<std::string> upos() const;
    // Sets the UPOS of the word lines in order; ValueError unless tags has one per word.
    void set_upos(const std::vector<std::string>& tags);
};

// Parses CoNLL-U text. Blank lines end sentences; a missing final blank line is accepted.
// Throws ParseError "source:line:column: message" for a line without ten tab-separated
// fields, an ID that is not an integer, range or decimal, word IDs out of sequence (expected
// 1, 2, ...), an empty FORM, a sentence without word lines, or bytes that are not UTF-8.
std::vector<ConlluSentence> parse_conllu(std::string_view text, const std::string& source);
// Reads a .conllu or .conllu.gz file (gzip detected from the bytes).
std::vector<ConlluSentence> read_conllu(const std::string& path);

// The sentences of every *.conllu and *.conllu.gz file directly in a directory, in name
// order. A file that fails to parse is skipped; its path and reason go to `skipped`.
std::vector<ConlluSentence> read_conllu_dir(const std::string& dir,
                                            std::vector<std::string>* skipped);

// Plain text, one sentence per line, tokens separated by whitespace: one word line per token
// (ID, FORM, the other fields "_"). Blank lines are skipped. ParseError for invalid UTF-8.
std::vector<ConlluSentence> parse_plain_text(std::string_view text, const std::string& source);

// CoNLL-U text of the sentences (comments, lines, a blank line after each).
std::string format_conllu(const std::vector<ConlluSentence>& sentences);

}  // namespace kaya::text
