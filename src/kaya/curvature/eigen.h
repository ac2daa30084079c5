// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>

#include "kaya/core/tensor.h"

namespace kaya::curvature {

// Eigenvalues in ascending order and, as columns, their orthonormal eigenvectors
// (torch.linalg.eigh's layout: vectors[:, j] belongs to values[j]).
struct EigenDecomposition {
    Tensor values;   // (n)
    Tensor vectors;  // (n, n); undefined when not asked for
};

// Eigen-decomposition of a symmetric float32 or float64 matrix through LAPACK (dsyevd), in its
// dtype. The matrix is symmetrised as (A + A^T) / 2 first; an asymmetry above
// `symmetry_tolerance` x max|A| (default: 1e-3 for float32, 1e-6 for float64: a computed
// Hessian's entries are sums with cancellation, so rounding can exceed eps x max|A|) is refused with
// the worst pair named, as is a NaN or infinity. Not differentiable: the results have no history.
EigenDecomposition symmetric_eigen(const Tensor& a, bool vectors = true,
                                   double symmetry_tolerance = -1);

// A few extreme eigenpairs of a symmetric linear operator known only by its products,
// A v = matvec(v), by Lanczos iteration with full reorthogonalisation (each new vector is
// orthogonalised twice against all earlier ones, so no ghost copies of converged values
// appear). It stops early when the Krylov space is invariant to the precision of `dtype`.
// `matvec` takes and returns 1-D tensors of n elements in `dtype`; the iteration itself runs
// in float64.
struct LanczosOptions {
    int64_t steps = 60;  // Krylov dimension: products with A (at most n).
    uint64_t seed = 0;   // Seeds the random start vector.
    bool vectors = true; // Also return the Ritz vectors.
};

struct LanczosResult {
    Tensor values;     // (k) Ritz values, ascending, float64
    Tensor vectors;    // (n, k) Ritz vectors as columns, float64 (if asked for)
    Tensor residuals;  // (k) ||A y - theta y|| of each pair, estimated as beta_k |s_kj|
    int64_t steps = 0; // Products made; fewer than asked when the Krylov space became invariant
};

LanczosResult lanczos(const std::function<Tensor(const Tensor&)>& matvec, int64_t n,
                      DType dtype, const LanczosOptions& options = {});

}  // namespace kaya::curvature
