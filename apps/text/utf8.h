// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kaya::text {

// Code points of valid UTF-8 (callers check validity where text enters: find_invalid_utf8).
std::vector<char32_t> decode_utf8(std::string_view s);
std::string encode_utf8(const std::vector<char32_t>& cps);
std::string encode_utf8(char32_t cp);

}  // namespace kaya::text
