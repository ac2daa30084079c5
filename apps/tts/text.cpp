// SPDX-License-Identifier: MIT
#include "apps/tts/text.h"

#include <array>
#include <cctype>
#include <string>

#include "apps/text/utf8.h"
#include "kaya/core/error.h"

namespace kaya::tts {

namespace {

const std::string kSymbols = " !'(),-.:;?\"abcdefghijklmnopqrstuvwxyz";

const std::array<const char*, 20> kOnes = {"zero",    "one",     "two",       "three",    "four",
                                           "five",    "six",     "seven",     "eight",    "nine",
                                           "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                                           "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
const std::array<const char*, 10> kTens = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                                           "ninety"};

std::string below_thousand(int64_t n) {
    std::string s;
    if (n >= 100) {
        s = std::string(kOnes[static_cast<size_t>(n / 100)]) + " hundred";
        n %= 100;
        if (n == 0) return s;
        s += " ";
    }
    if (n < 20) return s + kOnes[static_cast<size_t>(n)];
    s += kTens[static_cast<size_t>(n / 10)];
    if (n % 10) s += std::string("-") + kOnes[static_cast<size_t>(n % 10)];
    return s;
}

// "one" -> "first", "twenty-two" -> "twenty-second", "twelve" -> "twelfth".
std::string ordinal(const std::string& words) {
    static const std::pair<const char*, const char*> irregular[] = {
        {"one", "first"}, {"two", "second"}, {"three", "third"}, {"five", "fifth"},
        {"eight", "eighth"}, {"nine", "ninth"}, {"twelve", "twelfth"}};
    const size_t cut = words.find_last_of(" -");
    const std::string head = cut == std::string::npos ? "" : words.substr(0, cut + 1);
    std::string last = cut == std::string::npos ? words : words.substr(cut + 1);
    for (const auto& [card, ord] : irregular) {
        if (last == card) return head + ord;
    }
    if (last.back() == 'y') return head + last.substr(0, last.size() - 1) + "ieth";
    return head + last + "th";
}

// A year as people say it: 1865 -> "eighteen sixty-five", 1905 -> "nineteen oh five",
// 1900 -> "nineteen hundred".
std::string year_words(int64_t y) {
    const int64_t hi = y / 100, lo = y % 100;
    if (lo == 0) return below_thousand(hi) + " hundred";
    return below_thousand(hi) + (lo < 10 ? " oh " : " ") + below_thousand(lo);
}

struct Abbreviation {
    const char* word;
    const char* spoken;
};
constexpr Abbreviation kAbbreviations[] = {
    {"mr", "mister"},    {"mrs", "missus"},   {"dr", "doctor"},      {"st", "saint"},     {"jr", "junior"},
    {"sr", "senior"},    {"co", "company"},   {"ltd", "limited"},    {"gen", "general"},  {"capt", "captain"},
    {"col", "colonel"},  {"lt", "lieutenant"}, {"sgt", "sergeant"},  {"rev", "reverend"}, {"hon", "honorable"},
    {"esq", "esquire"},  {"ft", "fort"},      {"maj", "major"},      {"vs", "versus"},    {"etc", "et cetera"}};

// Latin-1 letters without accents (U+00C0-U+00FF); '\0' where there is no plain letter.
char unaccented(char32_t c) {
    static const char* table =
        "aaaaaaaceeeeiiii" "dnooooo\0ouuuuy\0s"  // U+00C0-U+00DF (upper case folded)
        "aaaaaaaceeeeiiii" "dnooooo\0ouuuuy\0y";  // U+00E0-U+00FF
    if (c < 0xC0 || c > 0xFF) return '\0';
    return table[c - 0xC0];
}

// First pass: characters mapped to plain ASCII (quotes, dashes, accents), unknown ones dropped.
std::string plain_ascii(std::string_view raw, std::string& dropped) {
    std::string out;
    for (char32_t c : text::decode_utf8(raw)) {
        if (c < 0x80) {
            const char a = static_cast<char>(c);
            if (std::isalnum(static_cast<unsigned char>(a)) || kSymbols.find(static_cast<char>(std::tolower(a))) !=
                                                                     std::string::npos ||
                a == '&' || a == '%' || a == '\t' || a == '\n' || a == '\r') {
                out += a;
                continue;
            }
        } else if (c == 0x2018 || c == 0x2019 || c == 0x2032) {
            out += '\'';
            continue;
        } else if (c == 0x201C || c == 0x201D || c == 0xAB || c == 0xBB) {
            out += '"';
            continue;
        } else if (c == 0x2013 || c == 0x2014 || c == 0x2012 || c == 0x2212) {
            out += " - ";
            continue;
        } else if (c == 0x2026) {
            out += "...";
            continue;
        } else if (c == 0xA0 || c == 0x3000) {
            out += ' ';
            continue;
        } else if (char u = unaccented(c)) {
            out += u;
            continue;
        }
        const std::string ch = text::encode_utf8(c);
        if (dropped.find(ch) == std::string::npos) dropped += ch;
    }
    return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A comma inside a number ("12,500"): three digits follow it, and then no digit.
bool thousands_comma(const std::string& s, size_t j) {
    return s[j] == ',' && j > 0 && is_digit(s[j - 1]) && j + 3 < s.size() && is_digit(s[j + 1]) &&
           is_digit(s[j + 2]) && is_digit(s[j + 3]) && (j + 4 == s.size() || !is_digit(s[j + 4]));
}

// Second pass: numbers (with thousands commas, decimals, ordinal suffixes, years) in words.
std::string spell_numbers(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        if (!is_digit(s[i])) {
            out += s[i++];
            continue;
        }
        std::string digits;
        size_t j = i;
        while (j < s.size() && (is_digit(s[j]) || thousands_comma(s, j))) {
            if (s[j] != ',') digits += s[j];
            ++j;
        }
        std::string words;
        if (digits.size() > 15) {
            for (char d : digits) words += std::string(words.empty() ? "" : " ") + kOnes[static_cast<size_t>(d - '0')];
        } else {
            const int64_t n = std::stoll(digits);
            const bool year = j - i == 4 && n >= 1100 && n <= 1999;  // Written without a comma.
            words = year ? year_words(n) : number_to_words(n);
        }
        if (j + 1 < s.size() && s[j] == '.' && is_digit(s[j + 1])) {
            words += " point";
            for (++j; j < s.size() && is_digit(s[j]); ++j) words += std::string(" ") + kOnes[static_cast<size_t>(s[j] - '0')];
        } else if (j + 1 < s.size()) {
            const std::string suffix = {static_cast<char>(std::tolower(s[j])), static_cast<char>(std::tolower(s[j + 1]))};
            const bool ends = j + 2 >= s.size() || !std::isalpha(static_cast<unsigned char>(s[j + 2]));
            if (ends && (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th")) {
                words = ordinal(words);
                j += 2;
            }
        }
        out += words;
        i = j;
    }
    return out;
}

// Third pass: lower case, abbreviations, & and %, single spaces.
std::string words_and_spaces(const std::string& s) {
    std::string lower;
    for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string out;
    for (size_t i = 0; i < lower.size();) {
        const char c = lower[i];
        if (c >= 'a' && c <= 'z') {
            size_t j = i;
            while (j < lower.size() && lower[j] >= 'a' && lower[j] <= 'z') ++j;
            std::string word = lower.substr(i, j - i);
            if (j < lower.size() && lower[j] == '.') {
                for (const auto& a : kAbbreviations) {
                    if (word == a.word) {
                        word = a.spoken;
                        ++j;  // The abbreviation's full stop goes.
                        break;
                    }
                }
            }
            out += word;
            i = j;
            continue;
        }
        if (c == '&') {
            out += " and ";
        } else if (c == '%') {
            out += " percent";
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
        ++i;
    }
    // Spaces from the replacements collapsed, none at the ends.
    std::string squeezed;
    for (char c : out) {
        if (c == ' ' && (squeezed.empty() || squeezed.back() == ' ')) continue;
        squeezed += c;
    }
    while (!squeezed.empty() && squeezed.back() == ' ') squeezed.pop_back();
    return squeezed;
}

}  // namespace

std::string number_to_words(int64_t n) {
    KAYA_CHECK(n > -1000000000000000LL && n < 1000000000000000LL, ValueError, "number_to_words: ", n,
               " is out of range (|n| < 10^15)");
    if (n < 0) return "minus " + number_to_words(-n);
    if (n == 0) return "zero";
    static const std::pair<int64_t, const char*> scales[] = {
        {1000000000000LL, "trillion"}, {1000000000LL, "billion"}, {1000000LL, "million"}, {1000LL, "thousand"}};
    std::string s;
    for (const auto& [scale, name] : scales) {
        if (n >= scale) {
            s += (s.empty() ? "" : " ") + below_thousand(n / scale) + " " + name;
            n %= scale;
        }
    }
    if (n > 0) s += (s.empty() ? "" : " ") + below_thousand(n);
    return s;
}

NormalizedText normalize_text(std::string_view raw) {
    KAYA_CHECK(text::find_invalid_utf8(raw) == std::string_view::npos, ValueError,
               "text to speak: invalid UTF-8 at byte ", text::find_invalid_utf8(raw) + 1);
    NormalizedText r;
    r.text = words_and_spaces(spell_numbers(plain_ascii(raw, r.dropped)));
    return r;
}

int64_t Symbols::count() { return 2 + static_cast<int64_t>(kSymbols.size()); }

std::string Symbols::symbols() { return kSymbols; }

std::vector<int64_t> Symbols::encode(std::string_view normalized) {
    std::vector<int64_t> ids;
    for (size_t i = 0; i < normalized.size(); ++i) {
        const size_t at = kSymbols.find(normalized[i]);
        KAYA_CHECK(at != std::string::npos, ValueError, "text to speak: character '", normalized.substr(i, 1),
                   "' at position ", i + 1, " is not one the model reads (", kSymbols, ")");
        ids.push_back(2 + static_cast<int64_t>(at));
    }
    ids.push_back(kEnd);
    return ids;
}

std::string Symbols::decode(const std::vector<int64_t>& ids) {
    std::string s;
    for (int64_t id : ids) {
        if (id >= 2 && id < count()) s += kSymbols[static_cast<size_t>(id - 2)];
    }
    return s;
}

}  // namespace kaya::tts
