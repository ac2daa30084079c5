// SPDX-License-Identifier: MIT
#include "apps/tts/sizes.h"

#include <stdexcept>

#include "kaya/core/error.h"

namespace kaya::tts {

int64_t metadata_int(const std::map<std::string, std::string>& metadata, const std::string& key,
                     const std::string& source) {
    const auto it = metadata.find(key);
    KAYA_CHECK(it != metadata.end(), ParseError, source, ": no '", key, "' in the metadata");
    size_t used = 0;
    try {
        const int64_t v = std::stoll(it->second, &used);
        if (used == it->second.size()) return v;
    } catch (const std::logic_error&) {
    }
    throw ParseError(source + ": metadata '" + key + "' = '" + it->second + "' is not a whole number");
}

}  // namespace kaya::tts
