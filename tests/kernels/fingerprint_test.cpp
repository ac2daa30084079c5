// SPDX-License-Identifier: MIT
// The memory fingerprint behind Winograd's filter cache: every single-byte change is seen,
// lengths and segment boundaries count, and the thread count does not change the result.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "kaya/core/parallel.h"
#include "kaya/kernels/hash/fingerprint.h"

namespace kaya::kernels {
namespace {

std::vector<unsigned char> pattern(size_t n, uint32_t seed) {
    std::vector<unsigned char> v(n);
    for (size_t i = 0; i < n; ++i) {
        seed = seed * 1664525u + 1013904223u;
        v[i] = static_cast<unsigned char>(seed >> 24);
    }
    return v;
}

TEST(Fingerprint, EveryOneByteChangeIsSeen) {
    // Across a whole 256-byte block, its zero-padded tail and a second block.
    for (size_t n : {size_t{1}, size_t{7}, size_t{255}, size_t{256}, size_t{600}}) {
        std::vector<unsigned char> v = pattern(n, 3);
        const Fingerprint base = fingerprint(v.data(), n);
        EXPECT_EQ(fingerprint(v.data(), n), base) << "deterministic";
        for (size_t i = 0; i < n; ++i) {
            for (unsigned char flip : {0x01, 0x80, 0xFF}) {
                v[i] ^= flip;
                EXPECT_NE(fingerprint(v.data(), n), base) << "byte " << i << " of " << n;
                v[i] ^= flip;
            }
        }
    }
}

TEST(Fingerprint, LengthAndPositionCount) {
    // Trailing zeros are not padding, and moving words around changes the print.
    std::vector<unsigned char> zeros(1000, 0);
    std::set<std::pair<uint64_t, uint64_t>> seen;
    for (size_t n = 0; n <= 1000; ++n) {
        const Fingerprint f = fingerprint(zeros.data(), n);
        EXPECT_TRUE(seen.insert({f.lo, f.hi}).second) << n << " zero bytes";
    }
    std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8}, b = {2, 1, 3, 4, 5, 6, 7, 8};
    EXPECT_NE(fingerprint(a.data(), 32), fingerprint(b.data(), 32));
    std::vector<float> w(64 * 64 * 9, 0.5f);
    const Fingerprint before = fingerprint(w.data(), w.size() * sizeof(float));
    std::swap(w[0], w[1]);  // equal values: no change
    EXPECT_EQ(fingerprint(w.data(), w.size() * sizeof(float)), before);
    w[12345] = 0.5000001f;
    EXPECT_NE(fingerprint(w.data(), w.size() * sizeof(float)), before);
}

TEST(Fingerprint, ManySegmentsGiveTheSameResultOnAnyThreadCount) {
    // 3.3 segments of 256 KB, so several threads read parts.
    std::vector<unsigned char> v = pattern((size_t{1} << 18) * 3 + 77777, 9);
    const int saved = num_threads();
    set_num_threads(1);
    const Fingerprint one = fingerprint(v.data(), v.size());
    set_num_threads(2);
    const Fingerprint two = fingerprint(v.data(), v.size());
    set_num_threads(saved);
    EXPECT_EQ(one, two);
    // A change in the last segment, and one where two segments meet.
    for (size_t i : {v.size() - 1, (size_t{1} << 18) - 1, size_t{1} << 18}) {
        v[i] ^= 0x10;
        EXPECT_NE(fingerprint(v.data(), v.size()), one) << "byte " << i;
        v[i] ^= 0x10;
    }
    // Segments are not interchangeable: swapping two whole ones changes the print.
    std::vector<unsigned char> swapped(v);
    std::swap_ranges(swapped.begin(), swapped.begin() + (1 << 18), swapped.begin() + (1 << 18));
    EXPECT_NE(fingerprint(swapped.data(), swapped.size()), one);
}

}  // namespace
}  // namespace kaya::kernels
