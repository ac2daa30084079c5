// SPDX-License-Identifier: MIT
#include "kaya/audio/mel.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "kaya/autograd/node.h"
#include "kaya/core/error.h"
#include "kaya/kernels/ref/banded.h"
#include "kaya/kernels/simd/exp.h"
#include "kaya/ops/ops.h"

namespace kaya::audio {
namespace {

// Slaney's scale: 3 mels per 200 Hz up to 1 kHz, then log-spaced with 27 mels per factor 6.4.
constexpr double kSlaneyStep = 200.0 / 3.0;
constexpr double kSlaneyBreakHz = 1000.0;
const double kSlaneyLogStep = std::log(6.4) / 27.0;

// fb^T x spec: (n_mels, bins) x (..., bins, F) -> (..., n_mels, F). Without a graph, the
// triangular filters' zeros are skipped (kernels/ref/banded.h): 40 filters over 257 bins touch
// ~2 bins each per frame on average instead of 257.
Tensor apply_filterbank(const Tensor& fb, const Tensor& spec) {
    Tensor w = contiguous(transpose(fb, 0, 1));
    if (autograd::needs_grad({&spec, &fb})) return matmul(w, spec);
    const int64_t M = w.shape()[0], K = w.shape()[1], F = spec.shape().back();
    Tensor x = contiguous(spec);
    const int64_t B = x.numel() / (K * F);
    std::vector<int64_t> lo(M, 0), hi(M, 0);
    visit_floating(w.dtype(), "mel_spectrogram", [&]<class T>() {
        const T* p = w.data<T>();
        for (int64_t m = 0; m < M; ++m) {
            int64_t a = 0, b = K;
            while (a < K && p[m * K + a] == T(0)) ++a;
            while (b > a && p[m * K + b - 1] == T(0)) --b;
            lo[m] = a;
            hi[m] = b;
        }
    });
    Shape shape = spec.shape();
    shape[shape.size() - 2] = M;
    Tensor out = Tensor::empty(shape, spec.dtype());
    visit_floating(spec.dtype(), "mel_spectrogram", [&]<class T>() {
        kernels::banded_matmul_forward<T>(out.data<T>(), w.data<T>(), lo.data(), hi.data(), x.data<T>(), B, M, K, F);
    });
    return out;
}

}  // namespace

double hz_to_mel(double hz, MelScale scale) {
    if (scale == MelScale::Htk) return 2595.0 * std::log10(1.0 + hz / 700.0);
    const double break_mel = kSlaneyBreakHz / kSlaneyStep;
    return hz >= kSlaneyBreakHz ? break_mel + std::log(hz / kSlaneyBreakHz) / kSlaneyLogStep : hz / kSlaneyStep;
}

double mel_to_hz(double mel, MelScale scale) {
    if (scale == MelScale::Htk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
    const double break_mel = kSlaneyBreakHz / kSlaneyStep;
    return mel >= break_mel ? kSlaneyBreakHz * std::exp(kSlaneyLogStep * (mel - break_mel)) : mel * kSlaneyStep;
}

Tensor mel_filterbank(int64_t n_freqs, double f_min, double f_max, int64_t n_mels, int64_t sample_rate,
                      bool slaney_norm, MelScale scale, DType dtype) {
    KAYA_CHECK(n_freqs >= 2 && n_mels >= 1 && sample_rate >= 1, ValueError,
               "mel_filterbank: need n_freqs >= 2, n_mels >= 1 and a positive sample rate, got ", n_freqs, ", ",
               n_mels, " and ", sample_rate);
    if (f_max < 0) f_max = static_cast<double>(sample_rate / 2);
    KAYA_CHECK(f_min >= 0 && f_min < f_max && f_max <= sample_rate / 2.0, ValueError,
               "mel_filterbank: need 0 <= f_min < f_max <= sample_rate / 2 = ", sample_rate / 2.0, ", got f_min ",
               f_min, " and f_max ", f_max);
    // Filter edges: n_mels + 2 points evenly spaced in mel.
    const double m_min = hz_to_mel(f_min, scale), m_max = hz_to_mel(f_max, scale);
    std::vector<double> f_pts(n_mels + 2);
    for (int64_t i = 0; i < n_mels + 2; ++i) {
        f_pts[i] = mel_to_hz(m_min + (m_max - m_min) * static_cast<double>(i) / static_cast<double>(n_mels + 1), scale);
    }
    // Bin frequencies as torchaudio spaces them: linspace(0, sample_rate // 2, n_freqs).
    const double top = static_cast<double>(sample_rate / 2);
    std::vector<double> fb(n_freqs * n_mels);
    for (int64_t k = 0; k < n_freqs; ++k) {
        const double f = top * static_cast<double>(k) / static_cast<double>(n_freqs - 1);
        for (int64_t m = 0; m < n_mels; ++m) {
            const double down = (f - f_pts[m]) / (f_pts[m + 1] - f_pts[m]);
            const double up = (f_pts[m + 2] - f) / (f_pts[m + 2] - f_pts[m + 1]);
            double v = std::max(0.0, std::min(down, up));
            if (slaney_norm) v *= 2.0 / (f_pts[m + 2] - f_pts[m]);
            fb[k * n_mels + m] = v;
        }
    }
    return to(from_vector(fb, {n_freqs, n_mels}), dtype);
}

Tensor mel_spectrogram(const Tensor& x, const MelOptions& o) {
    Tensor spec = spectrogram(x, o.spectrogram);  // (..., bins, F)
    const int64_t bins = o.spectrogram.n_fft / 2 + 1;
    Tensor fb = mel_filterbank(bins, o.f_min, o.f_max, o.n_mels, o.sample_rate, o.slaney_norm, o.scale, spec.dtype());
    return apply_filterbank(fb, spec);
}

namespace {

// amplitude_to_db without a graph, float32: clamp, vectorised log, scale and the per-item
// floor in passes over one buffer instead of five ops' temporaries.
Tensor fused_db(const Tensor& x, double multiplier, double amin, double db_multiplier, std::optional<double> top_db) {
    Tensor out = clone(contiguous(x));
    float* p = out.data<float>();
    const int64_t n = out.numel();
    const float lo = static_cast<float>(amin);
    for (int64_t i = 0; i < n; ++i) p[i] = std::isnan(p[i]) ? p[i] : std::max(p[i], lo);
    kernels::simd::log_forward(p, p, n);
    const float scale = static_cast<float>(multiplier / std::log(10.0)),
                shift = static_cast<float>(multiplier * db_multiplier);
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] * scale - shift;
    if (!top_db) return out;
    // Items are the leading dims before the last 3 (2 for a 2-D input), as torchaudio packs them.
    const int64_t item_dims = std::min<int64_t>(x.dim(), x.dim() > 2 ? 3 : 2);
    int64_t per_item = 1;
    for (int64_t d = x.dim() - item_dims; d < x.dim(); ++d) per_item *= x.shape()[d];
    for (int64_t b = 0; per_item > 0 && b < n / per_item; ++b) {
        float* q = p + b * per_item;
        float peak = -INFINITY;
        for (int64_t i = 0; i < per_item; ++i) peak = std::isnan(q[i]) || q[i] > peak ? q[i] : peak;
        const float floor = peak - static_cast<float>(*top_db);
        for (int64_t i = 0; i < per_item; ++i) q[i] = std::isnan(q[i]) || q[i] > floor ? q[i] : floor;
    }
    return out;
}

}  // namespace

Tensor amplitude_to_db(const Tensor& x, double multiplier, double amin, double db_multiplier,
                       std::optional<double> top_db) {
    KAYA_CHECK(amin > 0, ValueError, "amplitude_to_db: amin must be positive, got ", amin);
    KAYA_CHECK(!top_db || *top_db >= 0, ValueError, "amplitude_to_db: top_db must be >= 0, got ", *top_db);
    if (x.dtype() == DType::Float32 && !autograd::needs_grad({&x})) {
        return fused_db(x, multiplier, amin, db_multiplier, top_db);
    }
    Tensor db = mul(log(clamp(x, amin, std::nullopt)), multiplier / std::log(10.0));
    if (db_multiplier != 0.0) db = sub(db, multiplier * db_multiplier);
    if (!top_db) return db;
    std::vector<int64_t> dims;
    for (int64_t d = std::max<int64_t>(0, db.dim() - (db.dim() > 2 ? 3 : 2)); d < db.dim(); ++d) dims.push_back(d);
    return maximum(db, sub(amax(db, dims, true), *top_db));
}

Tensor dct_matrix(int64_t n_mfcc, int64_t n_mels, bool ortho, DType dtype) {
    KAYA_CHECK(n_mfcc >= 1 && n_mels >= 1, ValueError, "dct_matrix: sizes must be positive, got ", n_mfcc, " and ",
               n_mels);
    std::vector<double> m(n_mels * n_mfcc);
    for (int64_t n = 0; n < n_mels; ++n) {
        for (int64_t k = 0; k < n_mfcc; ++k) {
            double v = std::cos(std::numbers::pi / static_cast<double>(n_mels) * (static_cast<double>(n) + 0.5) *
                                static_cast<double>(k));
            if (ortho) {
                v *= std::sqrt(2.0 / static_cast<double>(n_mels)) * (k == 0 ? 1.0 / std::sqrt(2.0) : 1.0);
            } else {
                v *= 2.0;
            }
            m[n * n_mfcc + k] = v;
        }
    }
    return to(from_vector(m, {n_mels, n_mfcc}), dtype);
}

Tensor mfcc(const Tensor& x, const MfccOptions& o) {
    KAYA_CHECK(o.n_mfcc >= 1 && o.n_mfcc <= o.mel.n_mels, ValueError, "mfcc: n_mfcc must be in [1, n_mels = ",
               o.mel.n_mels, "], got ", o.n_mfcc);
    Tensor mel = mel_spectrogram(x, o.mel);
    mel = o.log_mels ? log(add(mel, 1e-6)) : amplitude_to_db(mel, 10.0, 1e-10, 0.0, 80.0);
    Tensor dct = dct_matrix(o.n_mfcc, o.mel.n_mels, o.ortho, mel.dtype());
    return matmul(transpose(dct, 0, 1), mel);
}

Tensor compute_deltas(const Tensor& x, int64_t win_length) {
    KAYA_CHECK(win_length >= 3, ValueError, "compute_deltas: win_length must be >= 3, got ", win_length);
    KAYA_CHECK(x.defined() && x.dim() >= 1 && x.shape().back() >= 1, ShapeError,
               "compute_deltas: expected (..., time) with time >= 1, got ", x.defined() ? describe(x) : "undefined");
    const int64_t n = (win_length - 1) / 2, len = x.shape().back();
    const double denom = static_cast<double>(n * (n + 1) * (2 * n + 1)) / 3.0;
    Tensor padded = pad_signal(x, n, n, PadMode::Replicate);
    Tensor acc;
    for (int64_t i = 1; i <= n; ++i) {
        Tensor term = mul(sub(narrow(padded, -1, n + i, len), narrow(padded, -1, n - i, len)), static_cast<double>(i));
        acc = acc.defined() ? add(acc, term) : term;
    }
    return div(acc, denom);
}

Tensor cmvn(const Tensor& x, int64_t dim, bool variance) {
    KAYA_CHECK(x.defined() && is_floating(x.dtype()) && x.dim() >= 1, ShapeError,
               "cmvn: expected a float tensor, got ", x.defined() ? describe(x) : "undefined");
    Tensor centred = sub(x, mean(x, {dim}, true));
    if (!variance) return centred;
    return div(centred, sqrt(clamp(mean(mul(centred, centred), {dim}, true), 1e-20, std::nullopt)));
}

}  // namespace kaya::audio
