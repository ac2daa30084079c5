// SPDX-License-Identifier: MIT
#include "kaya/audio/kaldi.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "kaya/audio/mel.h"
#include "kaya/audio/spectral.h"
#include "kaya/autograd/node.h"
#include "kaya/core/error.h"
#include "kaya/ops/ops.h"

namespace kaya::audio {
namespace {

// Kaldi floors energies at float32's epsilon in float64 too (torchaudio's EPSILON).
constexpr double kEpsilon = std::numeric_limits<float>::epsilon();

double kaldi_mel(double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); }

// (m, window_size) frames as one gather from the mono signal. Without snip_edges the signal
// is extended by its mirror image on both sides (Kaldi's rule: the first `pad` samples reversed
// in front, the whole signal reversed behind) and m = round(T / shift) frames are taken.
Tensor frames_of(const Tensor& wave, const KaldiFraming& f, bool snip_edges) {
    const int64_t len = wave.shape()[0];
    std::vector<int64_t> ext;  // Extended signal as indices into wave.
    int64_t m = 0;
    if (snip_edges) {
        KAYA_CHECK(len >= f.window_size, ValueError, "kaldi features: the clip has ", len,
                   " samples, fewer than one window of ", f.window_size);
        m = 1 + (len - f.window_size) / f.window_shift;
        for (int64_t t = 0; t < len; ++t) ext.push_back(t);
    } else {
        m = (len + f.window_shift / 2) / f.window_shift;
        const int64_t pad = f.window_size / 2 - f.window_shift / 2;
        for (int64_t i = 0; i < pad; ++i) ext.push_back(pad - 1 - i);
        for (int64_t t = std::max<int64_t>(0, -pad); t < len; ++t) ext.push_back(t);
        for (int64_t t = len - 1; t >= 0; --t) ext.push_back(t);
        KAYA_CHECK(m >= 1 && (m - 1) * f.window_shift + f.window_size <= static_cast<int64_t>(ext.size()), ValueError,
                   "kaldi features: the clip has ", len, " samples, too few for a window of ", f.window_size);
    }
    std::vector<int64_t> idx(m * f.window_size);
    for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < f.window_size; ++j) idx[i * f.window_size + j] = ext[i * f.window_shift + j];
    }
    return reshape(index_select(wave, 0, from_vector(idx, {m * f.window_size})), {m, f.window_size});
}

// Without a graph: frames cut, DC-centred, energy-measured, pre-emphasised and windowed in one
// pass per frame, straight from the signal (the ops version above builds a gather index of
// frames x window_size entries and a tensor per step). Same arithmetic, same order.
Tensor prepared_frames(const Tensor& wave, const KaldiFraming& f, const KaldiOptions& o, Tensor& energy) {
    const int64_t len = wave.shape()[0];
    int64_t m = 0, pad = 0;
    if (o.snip_edges) {
        KAYA_CHECK(len >= f.window_size, ValueError, "kaldi features: the clip has ", len,
                   " samples, fewer than one window of ", f.window_size);
        m = 1 + (len - f.window_size) / f.window_shift;
    } else {
        m = (len + f.window_shift / 2) / f.window_shift;
        pad = f.window_size / 2 - f.window_shift / 2;
        KAYA_CHECK(m >= 1 && (m - 1) * f.window_shift + f.window_size - pad <= 2 * len && pad < len, ValueError,
                   "kaldi features: the clip has ", len, " samples, too few for a window of ", f.window_size);
    }
    Tensor wc = contiguous(wave);
    Tensor window = make_window(o.window, f.window_size, false, wave.dtype(), o.blackman_coeff);
    Tensor frames = Tensor::empty({m, f.window_size}, wave.dtype());
    energy = Tensor::empty({m}, wave.dtype());
    visit_floating(wave.dtype(), "kaldi features", [&]<class T>() {
        const T* x = wc.data<T>();
        const T* w = window.data<T>();
        T* out = frames.data<T>();
        T* e = energy.data<T>();
        const T floor_e = static_cast<T>(o.energy_floor > 0 ? std::log(o.energy_floor) : -INFINITY);
        // Sums in double, as the reductions of the ops version.
        auto log_energy = [&](const T* v) {
            double sum = 0;
            for (int64_t j = 0; j < f.window_size; ++j) sum += static_cast<double>(v[j] * v[j]);
            const T le = static_cast<T>(std::log(std::max(sum, kEpsilon)));
            return o.energy_floor == 0.0 ? le : std::max(le, floor_e);
        };
        parallel_for(m, 64, [&](int64_t b, int64_t end) {
            for (int64_t i = b; i < end; ++i) {
                T* v = out + i * f.window_size;
                for (int64_t j = 0; j < f.window_size; ++j) {
                    // Outside the signal Kaldi reads its mirror image (snip_edges = false).
                    int64_t t = i * f.window_shift + j - pad;
                    t = t < 0 ? -t - 1 : (t >= len ? 2 * len - 1 - t : t);
                    v[j] = x[t];
                }
                if (o.remove_dc_offset) {
                    double sum = 0;
                    for (int64_t j = 0; j < f.window_size; ++j) sum += v[j];
                    const T mean = static_cast<T>(sum / static_cast<double>(f.window_size));
                    for (int64_t j = 0; j < f.window_size; ++j) v[j] -= mean;
                }
                if (o.raw_energy) e[i] = log_energy(v);
                if (o.preemphasis != 0.0) {
                    const T p = static_cast<T>(o.preemphasis);
                    for (int64_t j = f.window_size - 1; j > 0; --j) v[j] -= p * v[j - 1];
                    v[0] -= p * v[0];
                }
                for (int64_t j = 0; j < f.window_size; ++j) v[j] *= w[j];
                if (!o.raw_energy) e[i] = log_energy(v);
            }
        });
    });
    return frames;
}

// Kaldi's triangular filters on its mel scale over the first padded_size / 2 bins, with a
// zero column for the Nyquist bin: (num_mel_bins, padded_size / 2 + 1).
Tensor kaldi_mel_banks(const KaldiOptions& o, int64_t padded_size, DType dtype) {
    KAYA_CHECK(o.num_mel_bins > 3, ValueError, "kaldi features: num_mel_bins must be > 3, got ", o.num_mel_bins);
    const double nyquist = 0.5 * o.sample_frequency;
    const double high = o.high_freq <= 0 ? o.high_freq + nyquist : o.high_freq;
    KAYA_CHECK(o.low_freq >= 0 && o.low_freq < nyquist && high > 0 && high <= nyquist && o.low_freq < high, ValueError,
               "kaldi features: bad low_freq ", o.low_freq, " and high_freq ", o.high_freq, " for Nyquist ", nyquist);
    const int64_t half = padded_size / 2, bins = half + 1;
    const double width = o.sample_frequency / static_cast<double>(padded_size);
    const double mel_low = kaldi_mel(o.low_freq), mel_high = kaldi_mel(high);
    const double delta = (mel_high - mel_low) / static_cast<double>(o.num_mel_bins + 1);
    std::vector<double> banks(o.num_mel_bins * bins, 0.0);
    for (int64_t b = 0; b < o.num_mel_bins; ++b) {
        const double left = mel_low + b * delta, center = left + delta, right = center + delta;
        for (int64_t k = 0; k < half; ++k) {
            const double mel = kaldi_mel(width * static_cast<double>(k));
            const double up = (mel - left) / (center - left), down = (right - mel) / (right - center);
            banks[b * bins + k] = std::max(0.0, std::min(up, down));
        }
    }
    return to(from_vector(banks, {o.num_mel_bins, bins}), dtype);
}

Tensor mono(const char* op, const Tensor& waveform) {
    KAYA_CHECK(waveform.defined() && is_floating(waveform.dtype()), DTypeError, op,
               ": expected a float waveform, got ", waveform.defined() ? describe(waveform) : "undefined");
    KAYA_CHECK(waveform.dim() == 1 || (waveform.dim() == 2 && waveform.shape()[0] == 1), ShapeError, op,
               ": expected a mono waveform (T) or (1, T), got ", describe(waveform),
               " (mix channels down with audio::to_mono first)");
    return waveform.dim() == 1 ? waveform : reshape(waveform, {-1});
}

Tensor log_energy(const Tensor& frames, double energy_floor) {
    Tensor e = log(clamp(sum(mul(frames, frames), {1}), kEpsilon, std::nullopt));
    return energy_floor == 0.0 ? e : clamp(e, std::log(energy_floor), std::nullopt);
}

Tensor subtract_mean(const Tensor& x, bool enabled) { return enabled ? sub(x, mean(x, {0}, true)) : x; }

}  // namespace

KaldiFraming kaldi_framing(const KaldiOptions& o) {
    KAYA_CHECK(o.sample_frequency > 0, ValueError, "kaldi features: sample_frequency must be positive, got ",
               o.sample_frequency);
    KaldiFraming f;
    f.window_shift = static_cast<int64_t>(o.sample_frequency * o.frame_shift_ms * 0.001);
    f.window_size = static_cast<int64_t>(o.sample_frequency * o.frame_length_ms * 0.001);
    f.padded_size = f.window_size;
    if (o.round_to_power_of_two) {
        f.padded_size = 1;
        while (f.padded_size < f.window_size) f.padded_size *= 2;
    }
    KAYA_CHECK(f.window_size >= 2 && f.window_shift >= 1, ValueError, "kaldi features: ", o.frame_length_ms,
               " ms frames every ", o.frame_shift_ms, " ms at ", o.sample_frequency,
               " Hz give windows of ", f.window_size, " samples every ", f.window_shift, " (need >= 2 and >= 1)");
    KAYA_CHECK(f.padded_size % 2 == 0, ValueError, "kaldi features: the FFT length ", f.padded_size,
               " must be even: use round_to_power_of_two or change frame_length_ms");
    KAYA_CHECK(o.preemphasis >= 0 && o.preemphasis <= 1, ValueError,
               "kaldi features: preemphasis must be in [0, 1], got ", o.preemphasis);
    return f;
}

Tensor kaldi_fbank(const Tensor& waveform, const KaldiOptions& o) {
    Tensor wave = mono("kaldi_fbank", waveform);
    const KaldiFraming f = kaldi_framing(o);
    Tensor x, energy;  // x (m, window_size)
    if (!autograd::needs_grad({&wave})) {
        x = prepared_frames(wave, f, o, energy);
    } else {
        x = frames_of(wave, f, o.snip_edges);
        if (o.remove_dc_offset) x = sub(x, mean(x, {1}, true));
        if (o.raw_energy) energy = log_energy(x, o.energy_floor);
        if (o.preemphasis != 0.0) {
            // x[j] - p x[j - 1], with x[-1] = x[0] (Kaldi's replicate at the frame start).
            Tensor previous = cat({narrow(x, 1, 0, 1), narrow(x, 1, 0, f.window_size - 1)}, 1);
            x = sub(x, mul(previous, o.preemphasis));
        }
        x = mul(x, make_window(o.window, f.window_size, false, x.dtype(), o.blackman_coeff));
        if (!o.raw_energy) energy = log_energy(x, o.energy_floor);  // Zero padding adds no energy.
    }
    Tensor spec = rfft(x, f.padded_size);  // (m, bins, 2)
    Tensor power = complex_power(spec);
    if (!o.use_power) power = sqrt(clamp(power, 1e-30, std::nullopt));
    Tensor mel = matmul(power, transpose(kaldi_mel_banks(o, f.padded_size, x.dtype()), 0, 1));
    if (o.use_log_fbank) mel = log(clamp(mel, kEpsilon, std::nullopt));
    if (o.use_energy) {
        Tensor e = unsqueeze(energy, 1);
        mel = o.htk_compat ? cat({mel, e}, 1) : cat({e, mel}, 1);
    }
    return subtract_mean(mel, o.subtract_mean);
}

Tensor kaldi_mfcc(const Tensor& waveform, const KaldiOptions& options) {
    KaldiOptions o = options;
    KAYA_CHECK(o.num_ceps >= 1 && o.num_ceps <= o.num_mel_bins, ValueError, "kaldi_mfcc: num_ceps must be in [1, ",
               o.num_mel_bins, "], got ", o.num_ceps);
    o.use_log_fbank = true;
    o.use_power = true;
    o.subtract_mean = false;
    Tensor feature = kaldi_fbank(waveform, o);
    Tensor energy;
    if (o.use_energy) {
        energy = narrow(feature, 1, o.htk_compat ? o.num_mel_bins : 0, 1);
        feature = narrow(feature, 1, o.htk_compat ? 0 : 1, o.num_mel_bins);
    }
    // create_dct's orthonormal matrix already has sqrt(1 / bins) in column 0, Kaldi's c0 scale.
    feature = matmul(feature, dct_matrix(o.num_ceps, o.num_mel_bins, true, feature.dtype()));
    if (o.cepstral_lifter != 0.0) {
        std::vector<double> lifter(o.num_ceps);
        for (int64_t i = 0; i < o.num_ceps; ++i) {
            lifter[i] = 1.0 + 0.5 * o.cepstral_lifter * std::sin(std::numbers::pi * static_cast<double>(i) / o.cepstral_lifter);
        }
        feature = mul(feature, to(from_vector(lifter, {o.num_ceps}), feature.dtype()));
    }
    if (o.use_energy) feature = cat({energy, narrow(feature, 1, 1, o.num_ceps - 1)}, 1);
    if (o.htk_compat) {
        Tensor c0 = narrow(feature, 1, 0, 1);
        if (!o.use_energy) c0 = mul(c0, std::sqrt(2.0));
        feature = cat({narrow(feature, 1, 1, o.num_ceps - 1), c0}, 1);
    }
    return subtract_mean(feature, options.subtract_mean);
}

}  // namespace kaya::audio
