// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "apps/train/config.h"

namespace kaya::tts {

// One integer size of a model's options: config key and metadata key "model.<name>", its
// allowed range, and whether it must be odd (kernels with "same" padding). A model lists its
// sizes once; reading a config, writing the weights' metadata and reading it back follow that
// list, so a new size cannot be saved and then forgotten on loading.
template <class Options>
struct SizeField {
    const char* name;
    int64_t Options::*member;
    int64_t lo, hi;
    bool odd = false;
};

// The metadata value `key` as a whole number; a clear ParseError naming `source` otherwise.
int64_t metadata_int(const std::map<std::string, std::string>& metadata, const std::string& key,
                     const std::string& source);

template <class Options>
void read_sizes(const app::Config& cfg, const std::vector<SizeField<Options>>& fields, Options& o) {
    for (const auto& f : fields) {
        const std::string key = std::string("model.") + f.name;
        o.*f.member = cfg.get_int(key, o.*f.member, f.lo, f.hi);
        if (f.odd && o.*f.member % 2 == 0) cfg.fail(key, key + " must be odd");
    }
}

template <class Options>
std::map<std::string, int64_t> sizes_of(const std::vector<SizeField<Options>>& fields, const Options& o) {
    std::map<std::string, int64_t> sizes;
    for (const auto& f : fields) sizes[f.name] = o.*f.member;
    return sizes;
}

template <class Options>
void sizes_from_metadata(const std::map<std::string, std::string>& metadata, const std::string& source,
                         const std::vector<SizeField<Options>>& fields, Options& o) {
    for (const auto& f : fields) o.*f.member = metadata_int(metadata, std::string("model.") + f.name, source);
}

}  // namespace kaya::tts
