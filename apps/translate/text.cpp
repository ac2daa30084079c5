// SPDX-License-Identifier: MIT
#include "apps/translate/text.h"

#include <cstring>
#include <unordered_set>

namespace kaya::translate {

namespace {

const std::string kWordStart = "\u2581";

bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0; }
bool is_ascii_alnum(char32_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// Letters and digits of any script that words are made of (not punctuation, not CJK).
bool is_word_char(char32_t c) {
    if (c < 0x80) return is_ascii_alnum(c);
    if (is_cjk(c)) return false;
    if (c >= 0x2000 && c <= 0x206F) return false;  // General punctuation.
    if (c >= 0x3000 && c <= 0x303F) return false;  // CJK punctuation.
    if (c >= 0xFF00 && c <= 0xFFEF) return false;  // Full-width forms.
    return c >= 0xC0;                              // Latin-1 letters and beyond.
}

// Collapses white space to single spaces and trims.
std::vector<char32_t> squeeze(const std::vector<char32_t>& in) {
    std::vector<char32_t> out;
    for (char32_t c : in) {
        if (is_space(c)) {
            if (!out.empty() && out.back() != ' ') out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

bool is_cjk(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2EBEF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x30000 && c <= 0x3134F);
}

std::string normalize_english(std::string_view s) {
    std::vector<char32_t> cps = decode_utf8(s);
    for (char32_t& c : cps) {
        if (c >= 0xFF01 && c <= 0xFF5E) c = c - 0xFF01 + 0x21;
        else if (c == 0x2018 || c == 0x2019) c = '\'';
        else if (c == 0x201C || c == 0x201D) c = '"';
        else if (c == 0x2581) c = '_';  // The word-start mark is the tokeniser's own.
    }
    return encode_utf8(squeeze(cps));
}

std::string normalize_chinese(std::string_view s) {
    std::vector<char32_t> cps = decode_utf8(s);
    for (char32_t& c : cps) {
        if (c >= 0xFF01 && c <= 0xFF5E && is_ascii_alnum(c - 0xFF01 + 0x21)) {
            c = c - 0xFF01 + 0x21;  // Full-width letters and digits: ASCII.
        } else if (c < 0x80 && std::strchr("!?,;:()", static_cast<char>(c)) && c != 0) {
            c = c - 0x21 + 0xFF01;  // ASCII punctuation: full-width.
        }
    }
    cps = squeeze(cps);
    std::vector<char32_t> out;
    for (size_t i = 0; i < cps.size(); ++i) {
        // A space stays only between two Latin words ("Tom Smith").
        const bool dropped = cps[i] == ' ' && i > 0 && i + 1 < cps.size() &&
                             !(is_word_char(cps[i - 1]) && is_word_char(cps[i + 1]));
        if (!dropped) out.push_back(cps[i]);
    }
    return encode_utf8(out);
}

std::vector<std::string> pretokenize_english(std::string_view s) {
    const std::vector<char32_t> cps = decode_utf8(s);
    std::vector<std::string> out;
    bool space = true;  // The sentence starts as after a space.
    for (size_t i = 0; i < cps.size();) {
        if (is_space(cps[i])) {
            space = true;
            ++i;
            continue;
        }
        size_t j = i + 1;
        if (is_word_char(cps[i])) {
            // A word: letters and digits, with apostrophes inside ("don't", "o'clock").
            while (j < cps.size() && (is_word_char(cps[j]) ||
                                      (cps[j] == '\'' && j + 1 < cps.size() && is_word_char(cps[j + 1]))))
                ++j;
        }
        std::string piece = space ? kWordStart : "";
        for (size_t k = i; k < j; ++k) piece += encode_utf8(cps[k]);
        out.push_back(piece);
        space = false;
        i = j;
    }
    return out;
}

std::string join_pieces(const std::vector<std::string>& pieces) {
    std::string s;
    for (const auto& p : pieces) s += p;
    std::string out;
    for (size_t i = 0; i < s.size();) {
        if (s.compare(i, kWordStart.size(), kWordStart) == 0) {
            if (!out.empty()) out += ' ';
            i += kWordStart.size();
        } else {
            out += s[i++];
        }
    }
    return out;
}

std::vector<std::string> chinese_chars(std::string_view s) {
    std::vector<std::string> out;
    for (char32_t c : decode_utf8(s)) {
        if (!is_space(c)) out.push_back(encode_utf8(c));
    }
    return out;
}

std::vector<std::string> bleu_tokens_zh(std::string_view s) {
    std::vector<std::string> out;
    std::string run;
    auto flush = [&] {
        if (!run.empty()) out.push_back(run);
        run.clear();
    };
    for (char32_t c : decode_utf8(s)) {
        if (is_space(c)) {
            flush();
        } else if (is_cjk(c) || (c >= 0x80 && !is_word_char(c)) ||
                   (c < 0x80 && !is_ascii_alnum(c) && c != '\'')) {
            flush();  // A character or a punctuation mark of its own.
            out.push_back(encode_utf8(c));
        } else {
            run += encode_utf8(c);
        }
    }
    flush();
    return out;
}

namespace {

#include "apps/translate/chinese_script_table.inc"

struct ScriptTables {
    std::unordered_set<char32_t> traditional, simplified;
};

const ScriptTables& script_tables() {
    static const ScriptTables tables = [] {
        ScriptTables t;
        for (char32_t c : decode_utf8(kTraditionalOnly)) t.traditional.insert(c);
        for (char32_t c : decode_utf8(kSimplifiedOnly)) t.simplified.insert(c);
        return t;
    }();
    return tables;
}

}  // namespace

ChineseScript chinese_script(std::string_view s) {
    const ScriptTables& tables = script_tables();
    int64_t t = 0, z = 0;
    for (char32_t c : decode_utf8(s)) {
        t += static_cast<int64_t>(tables.traditional.count(c));
        z += static_cast<int64_t>(tables.simplified.count(c));
    }
    if (t > z) return ChineseScript::traditional;
    if (z > t) return ChineseScript::simplified;
    return t > 0 ? ChineseScript::mixed : ChineseScript::either;
}

void ScriptCounts::add(std::string_view text) {
    switch (chinese_script(text)) {
        case ChineseScript::simplified: ++simplified; break;
        case ChineseScript::traditional: ++traditional; break;
        case ChineseScript::mixed: ++mixed; break;
        case ChineseScript::either: ++either; break;
    }
}

std::string ScriptCounts::format() const {
    return "simplified " + std::to_string(simplified) + ", traditional " + std::to_string(traditional) + ", mixed " +
           std::to_string(mixed) + ", either " + std::to_string(either);
}

}  // namespace kaya::translate
