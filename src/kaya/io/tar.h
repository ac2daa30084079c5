// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kaya::io {

struct TarEntry {
    std::string name;       // Path inside the archive (ustar prefix joined).
    std::string_view data;  // The file's bytes, a view into the archive text.
};

// The regular files of a tar archive (POSIX ustar and GNU formats; directories, links and
// extended headers are skipped). ParseError "source: entry N: what" on a bad header checksum,
// a size field that is not octal, or data running past the end; never reads out of bounds.
std::vector<TarEntry> read_tar(std::string_view archive, const std::string& source);

}  // namespace kaya::io
