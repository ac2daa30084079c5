// SPDX-License-Identifier: MIT
#include "apps/go/data/archive.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "kaya/core/error.h"
#include "kaya/io/file.h"
#include "kaya/io/tar.h"

namespace kaya::go {

namespace {

bool ends_with(std::string s, const std::string& suffix) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

SgfCollection load_games(const std::string& path) {
    namespace fs = std::filesystem;
    KAYA_CHECK(fs::exists(path), IoError, path, ": no such file or directory");
    if (fs::is_directory(path)) return load_sgf_directory(path);
    SgfCollection out;
    const std::string bytes = io::read_file_maybe_gzip(path);
    if (ends_with(path, ".tar") || ends_with(path, ".tar.gz") || ends_with(path, ".tgz")) {
        auto entries = io::read_tar(bytes, path);
        // Members in name order, as a directory load would see them.
        std::sort(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.name < b.name; });
        for (const auto& e : entries) {
            if (ends_with(e.name, ".sgf")) add_sgf_text(out, e.data, path + ":" + e.name);
        }
        return out;
    }
    add_sgf_text(out, bytes, path);
    return out;
}

}  // namespace kaya::go
