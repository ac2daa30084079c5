// SPDX-License-Identifier: MIT
// libFuzzer's entry point for one target, chosen at compile time (fuzz/CMakeLists.txt builds
// one kaya_fuzz_<name> per target with -DKAYA_FUZZ_TARGET=fuzz_<name>).
#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return kaya::fuzz::KAYA_FUZZ_TARGET(data, size);
}
