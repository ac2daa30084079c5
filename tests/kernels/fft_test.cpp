// SPDX-License-Identifier: MIT
// The FFT kernels against a direct DFT in long double: every radix path (4, 2, 3, odd primes),
// counts that fill a block partly, zero padding, and outputs poisoned before the call.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "kaya/core/parallel.h"
#include "kaya/kernels/fft/fft.h"

namespace kaya::kernels {
namespace {

template <class T>
std::vector<T> random_signal(int64_t size, unsigned seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<double> dist;
    std::vector<T> v(size);
    for (auto& x : v) x = static_cast<T>(dist(gen));
    return v;
}

// Direct one-sided DFT of (count, len) zero-padded to n: (count, n/2 + 1, 2).
template <class T>
std::vector<long double> direct_rfft(const std::vector<T>& in, int64_t count, int64_t len, int64_t n) {
    const int64_t bins = n / 2 + 1;
    std::vector<long double> out(count * bins * 2), c(n), sn(n);
    for (int64_t j = 0; j < n; ++j) {
        long double a = -2.0L * std::numbers::pi_v<long double> * j / n;
        c[j] = std::cos(a);
        sn[j] = std::sin(a);
    }
    for (int64_t s = 0; s < count; ++s) {
        for (int64_t k = 0; k < bins; ++k) {
            long double re = 0, im = 0;
            for (int64_t t = 0; t < len; ++t) {
                re += in[s * len + t] * c[(k * t) % n];
                im += in[s * len + t] * sn[(k * t) % n];
            }
            out[(s * bins + k) * 2] = re;
            out[(s * bins + k) * 2 + 1] = im;
        }
    }
    return out;
}

template <class T>
void check_rfft(int64_t count, int64_t len, int64_t n, double tol) {
    auto in = random_signal<T>(count * len, static_cast<unsigned>(n * 31 + count));
    const int64_t bins = n / 2 + 1;
    std::vector<T> out(count * bins * 2, std::numeric_limits<T>::quiet_NaN());
    rfft_forward(out.data(), in.data(), count, len, n);
    auto ref = direct_rfft(in, count, len, n);
    // Rounding grows like sqrt(len) times the signal's scale.
    const double bound = tol * std::sqrt(static_cast<double>(len) + 1.0) * std::log2(n + 1.0);
    for (size_t i = 0; i < out.size(); ++i) {
        ASSERT_NEAR(out[i], static_cast<double>(ref[i]), bound)
            << "n=" << n << " count=" << count << " len=" << len << " at " << i;
    }
}

TEST(Fft, RfftMatchesDirectDftDouble) {
    for (int64_t n : {1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 49, 64, 100, 128, 200, 256, 400, 512, 97, 2 * 101}) {
        for (int64_t count : {1, 2, 15, 16, 17, 33}) check_rfft<double>(count, n, n, 1e-14);
    }
}

TEST(Fft, RfftMatchesDirectDftFloat) {
    for (int64_t n : {1, 2, 8, 12, 200, 256, 400, 512, 1024, 77}) {
        for (int64_t count : {1, 31, 32, 33, 70}) check_rfft<float>(count, n, n, 2e-6);
    }
}

TEST(Fft, RfftZeroPadsShortSignals) {
    check_rfft<double>(5, 200, 256, 1e-14);
    check_rfft<double>(40, 400, 512, 1e-14);
    check_rfft<float>(40, 3, 16, 2e-6);
}

// irfft(rfft(x)) = x for every length, odd and even.
template <class T>
void check_roundtrip(int64_t count, int64_t n, double tol) {
    auto in = random_signal<T>(count * n, static_cast<unsigned>(n));
    const int64_t bins = n / 2 + 1;
    std::vector<T> spec(count * bins * 2), back(count * n, std::numeric_limits<T>::quiet_NaN());
    rfft_forward(spec.data(), in.data(), count, n, n);
    irfft_forward(back.data(), spec.data(), count, n);
    for (size_t i = 0; i < in.size(); ++i) ASSERT_NEAR(back[i], in[i], tol) << "n=" << n << " at " << i;
}

TEST(Fft, IrfftInvertsRfft) {
    for (int64_t n : {1, 2, 3, 5, 8, 9, 30, 200, 400, 512, 121}) {
        for (int64_t count : {1, 3, 16, 17, 40}) {
            check_roundtrip<double>(count, n, 1e-12);
            check_roundtrip<float>(count, n, 1e-5);
        }
    }
}

// irfft ignores the imaginary parts of the DC and Nyquist bins, as torch.fft.irfft does, and
// takes the Hermitian extension of the rest: a direct inverse sum. Counts of a partial block
// (3) and of whole blocks with a partial one after (37 doubles, 70 floats: the whole ones move
// through register transposes); n = 14 and 30 put the Nyquist bin inside the last whole tile.
template <class T>
void check_irfft_direct(int64_t count, int64_t n, double tol) {
    const int64_t bins = n / 2 + 1;
    auto spec = random_signal<T>(count * bins * 2, static_cast<unsigned>(7 + n));
    std::vector<T> out(count * n, std::numeric_limits<T>::quiet_NaN());
    irfft_forward(out.data(), spec.data(), count, n);
    for (int64_t s = 0; s < count; ++s) {
        for (int64_t t = 0; t < n; ++t) {
            long double acc = 0;
            for (int64_t k = 0; k < n; ++k) {
                int64_t kb = k < bins ? k : n - k;
                long double re = spec[(s * bins + kb) * 2];
                long double im = (kb == 0 || 2 * kb == n) ? 0 : spec[(s * bins + kb) * 2 + 1];
                if (k >= bins) im = -im;
                long double a = 2.0L * std::numbers::pi_v<long double> * ((k * t) % n) / n;
                acc += re * std::cos(a) - im * std::sin(a);
            }
            ASSERT_NEAR(out[s * n + t], static_cast<double>(acc / n), tol)
                << "n=" << n << " count=" << count << " s=" << s << " t=" << t;
        }
    }
}

TEST(Fft, IrfftMatchesDirectInverse) {
    for (int64_t n : {6, 7, 14, 16, 25, 30, 64}) {
        check_irfft_direct<double>(3, n, 1e-13);
        check_irfft_direct<double>(37, n, 1e-13);
        check_irfft_direct<float>(70, n, 2e-6);
    }
}

TEST(Fft, SameResultOnAnyThreadCount) {
    const int64_t count = 301, n = 400;
    auto in = random_signal<float>(count * n, 3);
    std::vector<float> a(count * 201 * 2), b(a.size());
    int saved = num_threads();
    set_num_threads(1);
    rfft_forward(a.data(), in.data(), count, n, n);
    set_num_threads(2);
    rfft_forward(b.data(), in.data(), count, n, n);
    set_num_threads(saved);
    EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace kaya::kernels
