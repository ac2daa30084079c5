// SPDX-License-Identifier: MIT
#include "kaya/io/tar.h"

#include <cstdint>

#include "kaya/core/error.h"

namespace kaya::io {

namespace {

constexpr size_t kBlock = 512;

// A NUL- or space-terminated field as a string.
std::string field(std::string_view h, size_t at, size_t len) {
    std::string_view f = h.substr(at, len);
    size_t end = f.find('\0');
    return std::string(f.substr(0, end));
}

// An octal number field; false when it holds anything else.
bool octal(std::string_view h, size_t at, size_t len, uint64_t& out) {
    out = 0;
    bool digits = false;
    for (char c : h.substr(at, len)) {
        if (c == '\0' || (c == ' ' && digits)) break;
        if (c == ' ') continue;
        if (c < '0' || c > '7') return false;
        out = out * 8 + static_cast<uint64_t>(c - '0');
        digits = true;
    }
    return digits;
}

}  // namespace

std::vector<TarEntry> read_tar(std::string_view a, const std::string& source) {
    std::vector<TarEntry> out;
    size_t pos = 0;
    for (int entry = 1; pos + kBlock <= a.size(); ++entry) {
        std::string_view h = a.substr(pos, kBlock);
        if (h.find_first_not_of('\0') == std::string_view::npos) break;  // End-of-archive block.
        // The checksum counts its own field as eight spaces.
        uint64_t want = 0, sum = 0;
        for (size_t i = 0; i < kBlock; ++i)
            sum += (i >= 148 && i < 156) ? ' ' : static_cast<uint8_t>(h[i]);
        KAYA_CHECK(octal(h, 148, 8, want) && want == sum, ParseError, source, ": entry ", entry,
                   ": header checksum mismatch (not a tar archive, or corrupt)");
        uint64_t size = 0;
        KAYA_CHECK(octal(h, 124, 12, size), ParseError, source, ": entry ", entry,
                   ": size field is not octal");
        const size_t data = pos + kBlock;
        KAYA_CHECK(size <= a.size() - data, ParseError, source, ": entry ", entry, ": ", size,
                   " bytes of data run past the end of the archive");
        const char type = h[156];
        std::string name = field(h, 0, 100);
        if (h.substr(257, 5) == "ustar") {
            std::string prefix = field(h, 345, 155);
            if (!prefix.empty()) name = prefix + "/" + name;
        }
        if (type == '0' || type == '\0') out.push_back({name, a.substr(data, size)});
        pos = data + (size + kBlock - 1) / kBlock * kBlock;
    }
    return out;
}

}  // namespace kaya::io
