// SPDX-License-Identifier: MIT
#include "kaya/ops/fft.h"

#include <vector>

#include "kaya/kernels/fft/fft.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/view.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// Per-bin factors (n/2 + 1, 2) that turn one transform into the other's adjoint.
// rfft's adjoint: R^T g = irfft(g * n c'_k, n) with c'_k = 1 at bin 0 and (n even) bin n/2 and
// 1/2 elsewhere, because irfft counts the interior bins twice (once mirrored) and divides by n.
// irfft's adjoint: I^T g = rfft(g, n) * c_k / n with c_k = 2 for interior bins, 1 at bin 0 and
// the Nyquist bin, whose imaginary parts irfft ignores, so their gradient is exactly 0.
Tensor bin_scale(int64_t n, bool for_rfft, DType dtype) {
    const int64_t bins = n / 2 + 1;
    std::vector<double> s(bins * 2);
    for (int64_t k = 0; k < bins; ++k) {
        const bool edge = k == 0 || 2 * k == n;
        const double v = for_rfft ? (edge ? n : n / 2.0) : (edge ? 1.0 : 2.0) / n;
        s[2 * k] = v;
        s[2 * k + 1] = for_rfft || !edge ? v : 0.0;
    }
    return to(from_vector(s, {bins, 2}), dtype);
}

// x with its last dimension trimmed or zero-padded to `size` (differentiable).
Tensor fit_last(const Tensor& x, int64_t dim, int64_t size) {
    const int64_t have = x.shape()[dim];
    if (have == size) return x;
    if (have > size) return narrow(x, dim, 0, size);
    Shape pad = x.shape();
    pad[dim] = size - have;
    return cat({x, zeros(pad, x.dtype())}, dim);
}

void check_real(const char* op, const Tensor& x, int64_t n) {
    detail::check_inputs(op, {&x});
    KAYA_CHECK(is_floating(x.dtype()), DTypeError, op, ": expected a float32 or float64 input, got ",
               describe(x));
    KAYA_CHECK(x.dim() >= 1 && x.shape().back() > 0, ShapeError, op,
               ": expected a non-empty last dimension, got ", describe(x));
    KAYA_CHECK(n == -1 || n >= 1, ValueError, op, ": n must be positive (or -1), got ", n);
}

}  // namespace

Tensor rfft(const Tensor& x, int64_t n) {
    check_real("rfft", x, n);
    const int64_t len_in = x.shape().back();
    if (n == -1) n = len_in;
    // Trimming is a view; zero-padding happens inside the kernel.
    Tensor xs = len_in > n ? narrow(x, -1, 0, n) : x;
    const int64_t len = xs.shape().back();
    Tensor xc = contiguous(detach(xs));
    Shape shape = x.shape();
    shape.back() = n / 2 + 1;
    shape.push_back(2);
    Tensor out = Tensor::empty(shape, x.dtype());
    const int64_t count = xc.numel() / len;
    visit_floating(x.dtype(), "rfft", [&]<class T>() {
        kernels::rfft_forward<T>(out.data<T>(), xc.data<T>(), count, len, n);
    });
    if (needs_grad({&xs})) {
        record("RfftBackward", out, {xs}, [n, len](const Tensor& g) {
            Tensor full = irfft(mul(g, bin_scale(n, true, g.dtype())), n);
            return std::vector<Tensor>{len == n ? full : narrow(full, -1, 0, len)};
        });
    }
    return out;
}

Tensor irfft(const Tensor& spectrum, int64_t n) {
    check_real("irfft", spectrum, n);
    KAYA_CHECK(spectrum.dim() >= 2 && spectrum.shape().back() == 2, ShapeError,
               "irfft: expected a spectrum (..., bins, 2) of (real, imaginary) pairs, got ",
               describe(spectrum));
    const int64_t bins_in = spectrum.shape()[spectrum.dim() - 2];
    if (n == -1) n = 2 * (bins_in - 1);
    KAYA_CHECK(n >= 1, ValueError, "irfft: a spectrum of one bin needs an explicit n, got ",
               describe(spectrum));
    const int64_t bins = n / 2 + 1;
    Tensor fitted = fit_last(spectrum, spectrum.dim() - 2, bins);
    Tensor sc = contiguous(detach(fitted));
    Shape shape = spectrum.shape();
    shape.pop_back();
    shape.back() = n;
    Tensor out = Tensor::empty(shape, spectrum.dtype());
    const int64_t count = sc.numel() / (bins * 2);
    visit_floating(spectrum.dtype(), "irfft", [&]<class T>() {
        kernels::irfft_forward<T>(out.data<T>(), sc.data<T>(), count, n);
    });
    if (needs_grad({&fitted})) {
        record("IrfftBackward", out, {fitted}, [n](const Tensor& g) {
            return std::vector<Tensor>{mul(rfft(g, n), bin_scale(n, false, g.dtype()))};
        });
    }
    return out;
}

}  // namespace kaya
