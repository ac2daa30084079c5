// SPDX-License-Identifier: MIT
// The in-register transpose of simd/vec.h (Winograd's channel blocks use it to turn planes into
// channel-innermost points and back): every element lands at its transposed place, for floats
// (16 x 16) and doubles (8 x 8).
#include "kaya/kernels/simd/vec.h"

#include <gtest/gtest.h>

namespace kaya::kernels::simd {
namespace {

template <class T>
void check_transpose() {
    constexpr int64_t L = kLanes<T>;
    T in[L][L], out[L][L];
    for (int64_t i = 0; i < L; ++i)
        for (int64_t j = 0; j < L; ++j) in[i][j] = static_cast<T>(i * 100 + j);
    Vec<T> rows[L];
    for (int64_t i = 0; i < L; ++i) rows[i] = load(in[i]);
    transpose<T>(rows);
    for (int64_t i = 0; i < L; ++i) store(out[i], rows[i]);
    for (int64_t i = 0; i < L; ++i)
        for (int64_t j = 0; j < L; ++j) EXPECT_EQ(out[i][j], in[j][i]) << i << ", " << j;
    // Its own inverse.
    transpose<T>(rows);
    for (int64_t i = 0; i < L; ++i) store(out[i], rows[i]);
    for (int64_t i = 0; i < L; ++i)
        for (int64_t j = 0; j < L; ++j) EXPECT_EQ(out[i][j], in[i][j]) << i << ", " << j;
}

TEST(Vec, TransposeMovesEveryElement) {
    check_transpose<float>();
    check_transpose<double>();
}

}  // namespace
}  // namespace kaya::kernels::simd
