// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <vector>

namespace kaya::kernels {

// Per-thread scratch memory that survives between calls. A fresh std::vector of a few MB is
// a new mmap whose page faults (and zeroing) cost as much as the convolution using it; these
// buffers only ever grow. `slot` tells apart buffers one call needs at the same time.
// Contents are unspecified.
template <class T>
T* scratch(int slot, size_t n) {
    thread_local std::vector<T> buffers[4];
    std::vector<T>& b = buffers[slot];
    if (b.size() < n) b.resize(n);
    return b.data();
}

}  // namespace kaya::kernels
