// SPDX-License-Identifier: MIT
#include "apps/text/utf8.h"

#include "kaya/core/error.h"

namespace kaya::text {

std::vector<char32_t> decode_utf8(std::string_view s) {
    std::vector<char32_t> out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        if (i + static_cast<size_t>(len) > s.size()) len = static_cast<int>(s.size() - i);
        char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
        for (int k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
        out.push_back(c);
        i += static_cast<size_t>(len);
    }
    return out;
}

std::string encode_utf8(char32_t c) {
    std::string s;
    if (c < 0x80) {
        s += static_cast<char>(c);
    } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (c >> 18));
        s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    }
    return s;
}

std::string encode_utf8(const std::vector<char32_t>& cps) {
    std::string s;
    for (char32_t c : cps) s += encode_utf8(c);
    return s;
}

size_t find_invalid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        // Continuation bytes after a lead byte: 1, 2 or 3 (0: not a lead byte).
        const size_t n = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 0;
        if (n == 0 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4) || i + n >= s.size()) return i;
        for (size_t k = 1; k <= n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
        }
        // Overlong three-byte forms and UTF-16 surrogates.
        if (n == 2) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return i;
        }
        if (n == 3) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return i;
        }
        i += n + 1;
    }
    return std::string_view::npos;
}

void for_each_line(std::string_view text, const std::string& source,
                   const std::function<void(int64_t, std::string_view)>& f) {
    int64_t number = 0;
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const size_t bad = find_invalid_utf8(line);
        KAYA_CHECK(bad == std::string_view::npos, ParseError, source, ":", number, ":", bad + 1, ": invalid UTF-8");
        f(number, line);
    }
}

std::vector<std::string> lines_of(std::string_view text, const std::string& source) {
    std::vector<std::string> out;
    for_each_line(text, source, [&](int64_t, std::string_view line) { out.emplace_back(line); });
    return out;
}

}  // namespace kaya::text
