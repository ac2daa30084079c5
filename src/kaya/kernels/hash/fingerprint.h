// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>

namespace kaya::kernels {

// A 128-bit fingerprint of a block of memory, for finding work done on data that may have
// changed since (Winograd's transformed filters: conv/winograd.cpp). Any change to a single
// 8-byte word is always seen; other changes go unseen with a chance of about 2^-64 or less.
// Not cryptographic: it guards against accidents, not against someone crafting a collision.
struct Fingerprint {
    uint64_t lo = 0, hi = 0;
    bool operator==(const Fingerprint&) const = default;
};

// The fingerprint of bytes [data, data + n). Read in segments shared between Kaya's threads
// and combined in order, so the same bytes give the same fingerprint on any thread count.
Fingerprint fingerprint(const void* data, size_t n);

}  // namespace kaya::kernels
