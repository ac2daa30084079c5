// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kaya/core/error.h"

namespace kaya::fuzz {

// One fuzz target per parser: it feeds the bytes to the parser and uses the result a little
// (round trips where the format has a writer). Bad input must end in a kaya::Error, which the
// target swallows; anything else (a crash, a sanitizer report, another exception, a failed
// round trip, which calls __builtin_trap) is a finding. Returns 0, as libFuzzer expects.
using Target = int (*)(const uint8_t* data, size_t size);

struct NamedTarget {
    std::string name;  // Also the folder of its seed corpus: fuzz/corpus/<name>/.
    Target run;
};

// Runs f, swallowing the kaya::Error that bad input may raise; returns 0 for libFuzzer.
template <class F>
int guarded(F&& f) {
    try {
        f();
    } catch (const Error&) {
    }
    return 0;
}

// Every target, in the order scripts/fuzz.sh lists them.
const std::vector<NamedTarget>& targets();

int fuzz_safetensors(const uint8_t* data, size_t size);
int fuzz_csv(const uint8_t* data, size_t size);
int fuzz_json(const uint8_t* data, size_t size);
int fuzz_npy(const uint8_t* data, size_t size);
int fuzz_idx(const uint8_t* data, size_t size);
int fuzz_tar(const uint8_t* data, size_t size);
int fuzz_gzip(const uint8_t* data, size_t size);
int fuzz_config(const uint8_t* data, size_t size);
int fuzz_sgf(const uint8_t* data, size_t size);
int fuzz_gtp(const uint8_t* data, size_t size);
int fuzz_go_policy(const uint8_t* data, size_t size);
int fuzz_match_results(const uint8_t* data, size_t size);
int fuzz_image(const uint8_t* data, size_t size);
int fuzz_conllu(const uint8_t* data, size_t size);
int fuzz_landscape(const uint8_t* data, size_t size);
int fuzz_audio(const uint8_t* data, size_t size);
int fuzz_translate(const uint8_t* data, size_t size);
int fuzz_tts(const uint8_t* data, size_t size);
int fuzz_tts_metadata(const uint8_t* data, size_t size);

}  // namespace kaya::fuzz
