// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya {

// Counter-based random generator: draw i of a request is a hash of (seed, offset + i), so any
// thread can compute any element and the numbers never depend on the thread count. The state
// is just (seed, offset), which checkpoints save and restore.
class Generator {
public:
    explicit Generator(uint64_t seed = 0x4b617961ULL) : seed_(seed) {}

    void manual_seed(uint64_t seed) {
        seed_ = seed;
        offset_ = 0;
    }
    uint64_t seed() const { return seed_; }
    uint64_t offset() const { return offset_; }
    void set_state(uint64_t seed, uint64_t offset) {
        seed_ = seed;
        offset_ = offset;
    }
    // Reserves n counters and returns the first; callers then use bits(first + i).
    uint64_t reserve(uint64_t n) {
        uint64_t first = offset_;
        offset_ += n;
        return first;
    }
    // 64 random bits for counter c (SplitMix64 finaliser applied twice over seed and counter).
    uint64_t bits(uint64_t c) const { return mix(mix(seed_ ^ 0x9e3779b97f4a7c15ULL) + c); }
    // Uniform in [0, 1) with 53 random bits.
    double uniform(uint64_t c) const { return static_cast<double>(bits(c) >> 11) * 0x1.0p-53; }

    static uint64_t mix(uint64_t z) {
        z += 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    uint64_t seed_;
    uint64_t offset_ = 0;
};

// The process-wide generator used when an op is not given one; kaya::manual_seed resets it.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace kaya
