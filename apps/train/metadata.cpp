// SPDX-License-Identifier: MIT
#include "apps/train/metadata.h"

namespace kaya::app {

const std::string& MetadataReader::text(const std::string& key) const {
    auto it = m_.find(key);
    KAYA_CHECK(it != m_.end(), ParseError, source_, ": metadata key '", key, "' missing (not ", expected_, "?)");
    return it->second;
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
