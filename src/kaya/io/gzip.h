// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace kaya::io {

// Whether the bytes start with gzip's magic number (1f 8b).
bool is_gzip(std::string_view bytes);

// Decompresses gzip data (RFC 1952; several concatenated members, as `cat a.gz b.gz` makes,
// are read one after another) with zlib. ParseError naming `source` for corrupt or truncated
// data, with zlib's message and how many compressed bytes were read.
std::string gunzip(std::string_view bytes, const std::string& source);

}  // namespace kaya::io
