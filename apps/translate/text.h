// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "apps/text/utf8.h"

namespace kaya::translate {

using text::decode_utf8;
using text::encode_utf8;

// CJK ideographs (the unified blocks and their extensions, compatibility ideographs).
bool is_cjk(char32_t c);

// English as written by different hands, made one way: full-width forms (U+FF01-FF5E) become
// ASCII, the ideographic space a space, curly quotes straight, \u2581 (the tokeniser's
// word-start mark) '_', runs of white space one space, no space at either end.
std::string normalize_english(std::string_view s);
// Chinese the same way, the other direction for punctuation: full-width letters and digits
// become ASCII, while ASCII ! ? , ; : ( ) become their full-width forms (the Chinese text
// mostly uses those); a space stays only between two Latin words. Traditional and simplified
// characters are left as they are.
std::string normalize_chinese(std::string_view s);

// English pre-tokens before subwords: words (letters, digits, and apostrophes inside a word)
// and single punctuation marks, each marked with a leading "\u2581" when white space came
// before it, so the sentence can be rebuilt exactly (SentencePiece's convention).
// "Where's the station?" -> "\u2581Where's" "\u2581the" "\u2581station" "?".
std::vector<std::string> pretokenize_english(std::string_view s);
// Back to text: the pieces joined, each "\u2581" a space, none at the start.
std::string join_pieces(const std::vector<std::string>& pieces);

// Chinese by character (the target side's tokens): every code point but spaces, one token each.
std::vector<std::string> chinese_chars(std::string_view s);

// The tokens BLEU scores Chinese by (sacreBLEU's "zh"): each CJK character and each
// non-ASCII punctuation mark alone; runs of other characters split at spaces, with ASCII
// punctuation split off.
std::vector<std::string> bleu_tokens_zh(std::string_view s);

// Which of the two Chinese scripts a text is written in, judged by the ideographs only one of
// them uses (OpenCC's character tables, apps/translate/chinese_script_table.inc): more
// traditional-only than simplified-only ones -> traditional, the reverse -> simplified, as many
// of each (but some) -> mixed, none -> either (every character is written the same in both).
// A vote rather than "any", since a few simplified forms (于, 么, 云) also occur in traditional text.
enum class ChineseScript { simplified, traditional, mixed, either };
ChineseScript chinese_script(std::string_view s);

// How many texts of each script: "simplified 26811, traditional 1402, mixed 3, either 231".
struct ScriptCounts {
    int64_t simplified = 0, traditional = 0, mixed = 0, either = 0;
    void add(std::string_view text);
    std::string format() const;
};

}  // namespace kaya::translate
