// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kaya::text {

// Code points of valid UTF-8 (callers check validity where text enters: find_invalid_utf8).
std::vector<char32_t> decode_utf8(std::string_view s);
std::string encode_utf8(const std::vector<char32_t>& cps);
std::string encode_utf8(char32_t cp);

// Position of the first byte that does not continue valid UTF-8, or npos.
size_t find_invalid_utf8(std::string_view s);

// Each line of `text` with its number from 1 (a final newline ends the last line; a '\r' before
// the newline is dropped), checked for UTF-8 first: ParseError "source:line:column: invalid
// UTF-8" at the first bad byte.
void for_each_line(std::string_view text, const std::string& source,
                   const std::function<void(int64_t, std::string_view)>& f);
std::vector<std::string> lines_of(std::string_view text, const std::string& source);

}  // namespace kaya::text
