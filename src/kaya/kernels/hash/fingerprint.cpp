// SPDX-License-Identifier: MIT
#include "kaya/kernels/hash/fingerprint.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kaya/core/parallel.h"

namespace kaya::kernels {

namespace {

// The multipliers and round of xxHash64 (public domain constants): odd, so every step below is a
// bijection of the state for a fixed input word, and a changed word changes every later state.
constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull, kP2 = 0xC2B2AE3D27D4EB4Full, kP3 = 0x165667B19E3779F9ull;

typedef uint64_t Lanes __attribute__((vector_size(64)));
typedef uint64_t LanesUnaligned __attribute__((vector_size(64), aligned(1), may_alias));
constexpr int kVectors = 4;                      // Independent chains, so the multiplies overlap.
constexpr size_t kBlock = kVectors * sizeof(Lanes);  // 256 bytes a step
constexpr size_t kSegment = size_t{1} << 18;     // Bytes per segment (a multiple of kBlock).

inline uint64_t rotl(uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }
inline Lanes rotl(Lanes v, int r) { return (v << r) | (v >> (64 - r)); }

// One segment (at most kSegment bytes): 32 lanes of 64-bit states, each word of the segment
// going into the lane of its position, the last partial block zero-padded (the length is
// folded in at the end, so padding cannot be confused with zeros).
Fingerprint segment(const unsigned char* p, size_t n, uint64_t index) {
    Lanes acc[kVectors];
    for (int k = 0; k < kVectors; ++k)
        for (int l = 0; l < 8; ++l) acc[k][l] = kP3 * (index * 32 + static_cast<uint64_t>(k * 8 + l) + 1);
    auto step = [&](const unsigned char* block) {
        for (int k = 0; k < kVectors; ++k) {
            const Lanes v = *reinterpret_cast<const LanesUnaligned*>(block + k * sizeof(Lanes));
            acc[k] = rotl(acc[k] + v * kP2, 31) * kP1;
        }
    };
    size_t i = 0;
    for (; i + kBlock <= n; i += kBlock) step(p + i);
    if (i < n) {
        alignas(64) unsigned char last[kBlock] = {};
        std::memcpy(last, p + i, n - i);
        step(last);
    }
    Fingerprint f{n ^ kP2, index ^ kP3};
    for (int k = 0; k < kVectors; ++k)
        for (int l = 0; l < 8; ++l) {
            f.lo = rotl((f.lo ^ acc[k][l]) * kP1, 27) + kP3;
            f.hi = rotl((f.hi + acc[k][l]) * kP2, 33) ^ kP1;
        }
    return f;
}

}  // namespace

Fingerprint fingerprint(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    const size_t segments = std::max<size_t>(1, (n + kSegment - 1) / kSegment);
    std::vector<Fingerprint> parts(segments);
    parallel_for(static_cast<int64_t>(segments), 1, [&](int64_t b, int64_t e) {
        for (int64_t s = b; s < e; ++s) {
            const size_t begin = static_cast<size_t>(s) * kSegment;
            parts[s] = segment(p + begin, std::min(kSegment, n - begin), static_cast<uint64_t>(s));
        }
    });
    Fingerprint f{n, ~n};
    for (const Fingerprint& part : parts) {
        f.lo = rotl((f.lo ^ part.lo) * kP1, 29) + kP3;
        f.hi = rotl((f.hi ^ part.hi) * kP2, 31) + kP1;
    }
    return f;
}

}  // namespace kaya::kernels
