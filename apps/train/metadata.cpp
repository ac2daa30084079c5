// SPDX-License-Identifier: MIT
#include "apps/train/metadata.h"

#include <sstream>

namespace kaya::app {

const std::string& MetadataReader::text(const std::string& key) const {
    auto it = m_.find(key);
    KAYA_CHECK(it != m_.end(), ParseError, source_, ": metadata key '", key, "' missing (not ", expected_, "?)");
    return it->second;
}

std::vector<int64_t> MetadataReader::sizes(const std::string& key) const {
    std::vector<int64_t> out;
    const std::string& value = text(key);
    std::stringstream ss(value);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            size_t used = 0;
            const long long v = std::stoll(item, &used);
            if (used == item.size() && v > 0) {
                out.push_back(v);
                continue;
            }
        } catch (const std::exception&) {
        }
        throw ParseError(source_ + ": metadata '" + key + "' must list positive sizes, got '" + value + "'");
    }
    return out;
}

std::string join_sizes(const std::vector<int64_t>& sizes) {
    std::string s;
    for (size_t i = 0; i < sizes.size(); ++i) {
        if (i) s += ",";
        s += std::to_string(sizes[i]);
    }
    return s;
}

std::string join_lines(const std::vector<std::string>& items) {
    std::string s;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) s += "\n";
        s += items[i];
    }
    return s;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream is(text);
    for (std::string line; std::getline(is, line);) out.push_back(line);
    return out;
}

}  // namespace kaya::app
