// SPDX-License-Identifier: MIT
#include "kaya/curvature/eigen.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kaya/autograd/grad_mode.h"
#include "kaya/kernels/blas/lapack.h"
#include "kaya/ops/ops.h"

namespace kaya::curvature {

namespace {

// Checks that a (n x n, contiguous) is finite and symmetric within tol x max|a|, then
// replaces it by (a + a^T) / 2.
template <class T>
void symmetrise(T* a, int64_t n, double tol) {
    double scale = 0;
    for (int64_t i = 0; i < n * n; ++i) {
        KAYA_CHECK(std::isfinite(a[i]), ValueError, "symmetric_eigen: element [", i / n, ", ",
                   i % n, "] is ", a[i], "; the matrix must be finite");
        scale = std::max(scale, std::abs(static_cast<double>(a[i])));
    }
    double worst = 0;
    int64_t wi = 0, wj = 0;
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = i + 1; j < n; ++j) {
            double d = std::abs(static_cast<double>(a[i * n + j]) - a[j * n + i]);
            if (d > worst) worst = d, wi = i, wj = j;
            T mean = static_cast<T>((static_cast<double>(a[i * n + j]) + a[j * n + i]) / 2);
            a[i * n + j] = a[j * n + i] = mean;
        }
    }
    KAYA_CHECK(worst <= tol * scale, ValueError, "symmetric_eigen: the matrix is not symmetric: [",
               wi, ", ", wj, "] and [", wj, ", ", wi, "] differ by ", worst, " (", worst / scale,
               " of its largest element; tolerance ", tol, ")");
}

template <class T>
T dot(const T* a, const T* b, int64_t n) {
    T s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

template <class T>
void axpy(T* y, T alpha, const T* x, int64_t n) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

// q (double, n) as a 1-D tensor of dtype dt.
Tensor as_tensor(const std::vector<double>& q, DType dt) {
    Tensor t = Tensor::empty({static_cast<int64_t>(q.size())}, DType::Float64);
    std::copy(q.begin(), q.end(), t.data<double>());
    return dt == DType::Float64 ? t : to(t, dt);
}

// w = A q for the Lanczos vector q (double, n) through matvec in dtype, checked.
void apply_checked(const std::function<Tensor(const Tensor&)>& matvec, const double* q, int64_t n,
                   DType dtype, int64_t step, std::vector<double>& w) {
    Tensor aq = matvec(as_tensor(std::vector<double>(q, q + n), dtype));
    KAYA_CHECK(aq.defined() && aq.dim() == 1 && aq.numel() == n && is_floating(aq.dtype()),
               ShapeError, "lanczos: matvec must return a 1-D float tensor of ", n,
               " elements, got ", aq.defined() ? describe(aq) : "an undefined tensor");
    Tensor aqd = contiguous(to(aq, DType::Float64));
    std::copy(aqd.data<double>(), aqd.data<double>() + n, w.begin());
    for (double v : w) {
        KAYA_CHECK(std::isfinite(v), ValueError, "lanczos: matvec returned ", v, " at step ",
                   step + 1, "; the operator must be finite");
    }
}

// Ritz vector j = sum_i s_j[i] q_i (s_j: row j of s, k x k; q_i: row i of basis), as the
// columns of an (n, k) tensor.
Tensor ritz_vectors(const std::vector<double>& s, const std::vector<double>& basis, int64_t k, int64_t n) {
    std::vector<double> rows(static_cast<size_t>(k * n), 0.0);
    for (int64_t j = 0; j < k; ++j) {
        for (int64_t i = 0; i < k; ++i) axpy(rows.data() + j * n, s[j * k + i], basis.data() + i * n, n);
    }
    Tensor out = Tensor::empty({n, k}, DType::Float64);
    double* y = out.data<double>();
    for (int64_t r = 0; r < n; ++r) {
        for (int64_t j = 0; j < k; ++j) y[r * k + j] = rows[j * n + r];
    }
    return out;
}

}  // namespace

EigenDecomposition symmetric_eigen(const Tensor& a, bool vectors, double symmetry_tolerance) {
    KAYA_CHECK(a.defined() && a.dim() == 2 && a.size(0) == a.size(1), ShapeError,
               "symmetric_eigen: expected a square matrix, got ",
               a.defined() ? describe(a) : "an undefined tensor");
    KAYA_CHECK(is_floating(a.dtype()), DTypeError, "symmetric_eigen: expected float32 or float64,"
               " got ", describe(a));
    KAYA_CHECK(!(a.requires_grad() && autograd::is_grad_enabled()), NotImplemented,
               "symmetric_eigen is not differentiable; pass a detached tensor (detach(a)) or"
               " call it under NoGradGuard");
    const int64_t n = a.size(0);
    double tol = symmetry_tolerance >= 0 ? symmetry_tolerance
                                         : (a.dtype() == DType::Float32 ? 1e-3 : 1e-6);
    Tensor work = clone(contiguous(detach(a)));
    EigenDecomposition out;
    out.values = Tensor::empty({n}, a.dtype());
    visit_dtype(a.dtype(), [&]<class T>() {
        if constexpr (std::is_floating_point_v<T>) {
            T* w = work.data<T>();
            symmetrise(w, n, tol);
            kernels::symmetric_eigen(w, out.values.data<T>(), n, vectors);
            if (vectors) {
                // LAPACK left eigenvector j in row j; torch's layout has it in column j.
                out.vectors = Tensor::empty({n, n}, a.dtype());
                T* v = out.vectors.data<T>();
                for (int64_t i = 0; i < n; ++i) {
                    for (int64_t j = 0; j < n; ++j) v[i * n + j] = w[j * n + i];
                }
            }
        }
    });
    return out;
}

LanczosResult lanczos(const std::function<Tensor(const Tensor&)>& matvec, int64_t n, DType dtype,
                      const LanczosOptions& options) {
    KAYA_CHECK(n >= 1, ValueError, "lanczos: the operator's size must be positive, got ", n);
    KAYA_CHECK(options.steps >= 1, ValueError, "lanczos: steps must be at least 1, got ",
               options.steps);
    KAYA_CHECK(is_floating(dtype), DTypeError, "lanczos: dtype must be float32 or float64");
    autograd::NoGradGuard no_grad;
    const int64_t m = std::min(options.steps, n);
    std::vector<double> basis(static_cast<size_t>(m * n));  // Row j: Lanczos vector q_j.
    std::vector<double> alpha, beta;
    {
        Generator gen(options.seed);
        Tensor start = randn({n}, DType::Float64, &gen);
        const double* s = start.data<double>();
        double norm0 = std::sqrt(dot(s, s, n));
        for (int64_t i = 0; i < n; ++i) basis[static_cast<size_t>(i)] = s[i] / norm0;
    }
    std::vector<double> w(static_cast<size_t>(n));
    // Below this x |A| the next vector is the operator's rounding noise, not a new direction.
    const double eps = dtype == DType::Float32 ? 1.19e-7 : 2.22e-16;
    const double breakdown = 10 * eps * std::sqrt(static_cast<double>(n));
    double scale = 0;
    int64_t k = 0;
    for (int64_t j = 0; j < m; ++j) {
        const double* q = basis.data() + j * n;
        apply_checked(matvec, q, n, dtype, j, w);
        alpha.push_back(dot(q, w.data(), n));
        // Full reorthogonalisation, twice ("twice is enough": Giraud, Langou, Rozloznik 2005).
        for (int pass = 0; pass < 2; ++pass) {
            for (int64_t i = 0; i <= j; ++i) {
                const double* qi = basis.data() + i * n;
                axpy(w.data(), -dot(qi, w.data(), n), qi, n);
            }
        }
        double b = std::sqrt(dot(w.data(), w.data(), n));
        scale = std::max({scale, std::abs(alpha.back()), b});
        k = j + 1;
        if (j + 1 == m) {
            beta.push_back(b);
            break;
        }
        if (b <= breakdown * scale) {  // An invariant subspace: its Ritz values are exact.
            beta.push_back(0);
            break;
        }
        beta.push_back(b);
        double* next = basis.data() + (j + 1) * n;
        for (int64_t i = 0; i < n; ++i) next[i] = w[static_cast<size_t>(i)] / b;
    }
    // Eigen-decomposition of the k x k tridiagonal T = Q^T A Q.
    std::vector<double> t(static_cast<size_t>(k * k), 0.0), theta(static_cast<size_t>(k));
    for (int64_t i = 0; i < k; ++i) {
        t[i * k + i] = alpha[i];
        if (i + 1 < k) t[i * k + i + 1] = t[(i + 1) * k + i] = beta[i];
    }
    kernels::symmetric_eigen(t.data(), theta.data(), k, true);  // Row j of t: s_j.
    LanczosResult out;
    out.steps = k;
    out.values = Tensor::empty({k}, DType::Float64);
    out.residuals = Tensor::empty({k}, DType::Float64);
    for (int64_t j = 0; j < k; ++j) {
        out.values.data<double>()[j] = theta[j];
        out.residuals.data<double>()[j] = std::abs(beta[k - 1] * t[j * k + k - 1]);
    }
    if (options.vectors) out.vectors = ritz_vectors(t, basis, k, n);
    return out;
}

}  // namespace kaya::curvature
