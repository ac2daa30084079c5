// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <vector>

namespace kaya::kernels {

// Per-thread scratch memory that survives between calls. A fresh std::vector of a few MB is
// a new mmap whose page faults (and zeroing) cost as much as the convolution using it; these
// buffers only ever grow. `slot` tells apart buffers live at the same time: 0-3 for the
// convolutions (conv/), 4-5 for sgemm's packed panels (simd/sgemm.cpp, sgemm_bf16.cpp), which runs inside them,
// 6 for the FFT's lanes (fft/fft.cpp) and the bfloat16 sgemm's padded tile of A.
// Contents are unspecified.
inline constexpr int kScratchSlots = 7;
template <class T>
T* scratch(int slot, size_t n) {
    thread_local std::vector<T> buffers[kScratchSlots];
    std::vector<T>& b = buffers[slot];
    if (b.size() < n) b.resize(n);
    return b.data();
}

}  // namespace kaya::kernels
