// SPDX-License-Identifier: MIT
#pragma once

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace kaya::kernels::simd {

// While one is alive, this thread's float and double arithmetic treats denormal inputs as zero and
// flushes denormal results to zero (MXCSR's DAZ and FTZ bits), restored on exit. For kernels whose
// values decay towards zero in normal use, where each denormal costs a microcode assist of about
// a hundred cycles: an optimiser's moment buffers once gradients vanish (an MLP trained on one
// batch of 32: 44 us a step at first, 90 us after 75,000 steps, 45 us throughout with the flush).
// A no-op where the instruction set has no such control.
class FlushDenormals {
public:
#if defined(__SSE__)
    FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushBits); }
    ~FlushDenormals() { _mm_setcsr(saved_); }

private:
    static constexpr unsigned kFlushBits = 0x8040;  // FTZ (bit 15) | DAZ (bit 6)
    unsigned saved_;
#else
    FlushDenormals() = default;
#endif

public:
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;
};

}  // namespace kaya::kernels::simd
