// SPDX-License-Identifier: MIT
#include "kaya/kernels/blas/lapack.h"

#include <algorithm>
#include <climits>
#include <cstddef>
#include <vector>

#include "kaya/core/error.h"

// LAPACK's Fortran entry points (OpenBLAS exports them; no LAPACKE needed). The trailing
// size_t arguments are the hidden lengths gfortran passes for CHARACTER arguments.
extern "C" {
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
             double* work, const int* lwork, int* iwork, const int* liwork, int* info,
             size_t jobz_len, size_t uplo_len);
void ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w,
             float* work, const int* lwork, int* iwork, const int* liwork, int* info,
             size_t jobz_len, size_t uplo_len);
}

namespace kaya::kernels {

namespace {

template <class T>
void syevd(const char* jobz, const char* uplo, const int* n, T* a, const int* lda, T* w, T* work,
           const int* lwork, int* iwork, const int* liwork, int* info) {
    if constexpr (sizeof(T) == sizeof(double)) {
        dsyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, 1, 1);
    } else {
        ssyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, 1, 1);
    }
}

}  // namespace

template <class T>
void symmetric_eigen(T* a, T* w, int64_t n, bool vectors) {
    KAYA_CHECK(n >= 0 && n <= 46340, ValueError, "symmetric_eigen: size ", n,
               " is outside LAPACK's 32-bit range (at most 46340 x 46340)");
    if (n == 0) return;
    // Row-major upper triangle = column-major lower triangle; a symmetric matrix's eigenvectors
    // come back as columns in column-major order, which are rows here.
    const char jobz = vectors ? 'V' : 'N', uplo = 'L';
    const int ni = static_cast<int>(n);
    int info = 0, lwork = -1, liwork = -1, iwork_query = 0;
    T work_query = 0;
    syevd<T>(&jobz, &uplo, &ni, a, &ni, w, &work_query, &lwork, &iwork_query, &liwork, &info);
    KAYA_CHECK(info == 0, ValueError, "symmetric_eigen: LAPACK workspace query failed (info ",
               info, ")");
    lwork = std::max(1, static_cast<int>(work_query));
    liwork = std::max(1, iwork_query);
    std::vector<T> work(static_cast<size_t>(lwork));
    std::vector<int> iwork(static_cast<size_t>(liwork));
    syevd<T>(&jobz, &uplo, &ni, a, &ni, w, work.data(), &lwork, iwork.data(), &liwork, &info);
    KAYA_CHECK(info >= 0, ValueError, "symmetric_eigen: LAPACK rejected argument ", -info);
    KAYA_CHECK(info == 0, ValueError, "symmetric_eigen: LAPACK's divide and conquer did not converge"
               " for the ", n, " x ", n, " matrix (info ", info, "); is it finite?");
}

template void symmetric_eigen<float>(float*, float*, int64_t, bool);
template void symmetric_eigen<double>(double*, double*, int64_t, bool);

}  // namespace kaya::kernels
