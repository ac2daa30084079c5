// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "kaya/core/error.h"

namespace kaya::app {

// A model file's metadata (safetensors' string map: a task's options, vocabularies, class
// names), read with errors that name the file, the key and what kind of file was expected.
class MetadataReader {
public:
    // `expected`: e.g. "a Kaya POS tagger file (written by `kaya train` with task.kind =
    // \"pos_tagger\")", said when a key is missing.
    MetadataReader(const std::map<std::string, std::string>& m, std::string source, std::string expected)
        : m_(m), source_(std::move(source)), expected_(std::move(expected)) {}

    bool has(const std::string& key) const { return m_.count(key) > 0; }
    const std::string& text(const std::string& key) const;
    // The whole value as a number of type T; ParseError otherwise.
    template <class T>
    T number(const std::string& key) const {
        const std::string& s = text(key);
        std::istringstream is(s);
        T v{};
        is >> v;
        KAYA_CHECK(!is.fail() && is.eof(), ParseError, source_, ": metadata '", key, "' is '", s,
                   "', expected a number");
        return v;
    }
    // "32,64" -> {32, 64}; ParseError unless every item is a positive size.
    std::vector<int64_t> sizes(const std::string& key) const;
    const std::string& source() const { return source_; }

private:
    const std::map<std::string, std::string>& m_;
    std::string source_, expected_;
};

// Lists stored as one metadata value, a line per item.
std::string join_lines(const std::vector<std::string>& items);
std::vector<std::string> split_lines(const std::string& text);
// Layer sizes stored as one value: {32, 64} -> "32,64" (MetadataReader::sizes reads it back).
std::string join_sizes(const std::vector<int64_t>& sizes);

}  // namespace kaya::app
