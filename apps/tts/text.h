// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kaya::tts {

// What the speech models read: text made plain (lower-case letters, a few punctuation marks
// that change how a sentence is spoken, single spaces), as Tacotron's "English cleaners" do.
//   - curly quotes and apostrophes straight, dashes '-', an ellipsis "...", accented Latin
//     letters without their accents;
//   - numbers in words ("42" -> "forty-two", "3.5" -> "three point five", "1st" -> "first",
//     years 1100-1999 as spoken: "1865" -> "eighteen sixty-five"), "&" "and", "%" "percent";
//   - common abbreviations spelt out ("Mr." -> "mister", "Dr." -> "doctor", ...);
//   - anything else that cannot be spoken is dropped and listed in `dropped` (each character
//     once, in order of appearance), so the caller can warn or refuse.
struct NormalizedText {
    std::string text;
    std::string dropped;
};
NormalizedText normalize_text(std::string_view raw);

// "forty-two", "one thousand two hundred", "minus seven"; for 0 <= |n| < 10^15.
std::string number_to_words(int64_t n);

// The symbols a model reads, ids fixed: 0 padding, 1 end of text, then space, punctuation
// ! ' ( ) , - . : ; ? " and a-z.
class Symbols {
public:
    static constexpr int64_t kPad = 0, kEnd = 1;
    static int64_t count();
    // Ids of normalised text followed by kEnd. Throws ValueError naming any character that is
    // not a symbol (normalize_text leaves none).
    static std::vector<int64_t> encode(std::string_view normalized);
    static std::string decode(const std::vector<int64_t>& ids);  // Without padding and end.
    static std::string symbols();  // All of them in id order from 2 ("␣!'(),-.:;?\"a..z").
};

}  // namespace kaya::tts
