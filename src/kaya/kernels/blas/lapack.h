// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels {

// Eigen-decomposition of a real symmetric n x n matrix through LAPACK's divide-and-conquer
// driver (dsyevd/ssyevd, from the LAPACK that OpenBLAS ships).
//   a: (n, n), contiguous; only its upper triangle (row-major) is read. Overwritten: with
//      vectors, row j holds the unit eigenvector of eigenvalue w[j]; without, garbage.
//   w: (n), the eigenvalues in ascending order.
// Throws ValueError if LAPACK reports that the algorithm did not converge.
template <class T>
void symmetric_eigen(T* a, T* w, int64_t n, bool vectors);

}  // namespace kaya::kernels
