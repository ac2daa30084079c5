// SPDX-License-Identifier: MIT
#include "kaya/audio/spectral.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kaya/autograd/grad_mode.h"
#include "kaya/autograd/node.h"
#include "kaya/core/error.h"
#include "kaya/core/parallel.h"
#include "kaya/core/random.h"
#include "kaya/kernels/fft/fft.h"
#include "kaya/ops/ops.h"

namespace kaya::audio {
namespace {

void check_signal(const char* op, const Tensor& x) {
    KAYA_CHECK(x.defined() && is_floating(x.dtype()), DTypeError, op,
               ": expected a float32 or float64 signal, got ", x.defined() ? describe(x) : "an undefined tensor");
    KAYA_CHECK(x.dim() >= 1, ShapeError, op, ": expected a signal (..., T), got ", describe(x));
}

StftOptions resolved(StftOptions o, const char* op) {
    KAYA_CHECK(o.n_fft >= 1, ValueError, op, ": n_fft must be positive, got ", o.n_fft);
    if (o.win_length < 0) o.win_length = o.n_fft;
    if (o.hop_length < 0) o.hop_length = std::max<int64_t>(1, o.win_length / 4);
    KAYA_CHECK(o.win_length >= 1 && o.win_length <= o.n_fft, ValueError, op, ": win_length must be in [1, n_fft = ",
               o.n_fft, "], got ", o.win_length);
    KAYA_CHECK(o.hop_length >= 1, ValueError, op, ": hop_length must be positive, got ", o.hop_length);
    return o;
}

// The window zero-padded to n_fft on both sides, as torch.stft centres a shorter window.
std::vector<double> padded_window(const StftOptions& o) {
    Tensor w = make_window(o.window, o.win_length, true, DType::Float64);
    std::vector<double> out(o.n_fft, 0.0);
    const int64_t left = (o.n_fft - o.win_length) / 2;
    const double* p = w.data<double>();
    for (int64_t i = 0; i < o.win_length; ++i) out[left + i] = p[i];
    return out;
}

// Index of frame f's sample j in the overlap-added signal, for every (f, j).
Tensor overlap_index(int64_t frames, int64_t n, int64_t hop) {
    std::vector<int64_t> idx(frames * n);
    for (int64_t f = 0; f < frames; ++f) {
        for (int64_t j = 0; j < n; ++j) idx[f * n + j] = f * hop + j;
    }
    return from_vector(idx, {frames * n});
}

// Where istft's overlap-added frames become its output: samples [start, end) of the `total`
// the frames cover, each divided by the squared window's overlap-add there (inv holds the
// reciprocals), checked to be invertible (NOLA).
struct OverlapAdd {
    int64_t total = 0, start = 0, end = 0;
    std::vector<double> inv;
};

OverlapAdd overlap_add_plan(const char* op, const StftOptions& o, const std::vector<double>& w,
                            int64_t frames, int64_t length) {
    OverlapAdd oa;
    oa.total = o.n_fft + o.hop_length * (frames - 1);
    std::vector<double> envelope(oa.total, 0.0);
    for (int64_t f = 0; f < frames; ++f) {
        for (int64_t j = 0; j < o.n_fft; ++j) envelope[f * o.hop_length + j] += w[j] * w[j];
    }
    oa.start = o.center ? o.n_fft / 2 : 0;
    oa.end = std::min(
        length >= 0 ? oa.start + length : (o.center ? oa.total - o.n_fft / 2 : oa.total), oa.total);
    KAYA_CHECK(oa.end > oa.start, ValueError, op, ": ", frames, " frames of n_fft = ", o.n_fft,
               " hold no samples after the centre padding");
    for (int64_t t = oa.start; t < oa.end; ++t) {
        KAYA_CHECK(envelope[t] > 1e-11, ValueError, op, ": the squared window overlap-adds to ",
                   envelope[t], " at sample ", t - oa.start, ": window ", window_name(o.window),
                   " of ", o.win_length, " samples every ", o.hop_length,
                   " cannot be inverted (NOLA)");
        oa.inv.push_back(1.0 / envelope[t]);
    }
    return oa;
}

}  // namespace

Tensor pad_signal(const Tensor& x, int64_t left, int64_t right, PadMode mode) {
    check_signal("pad_signal", x);
    KAYA_CHECK(left >= 0 && right >= 0, ValueError, "pad_signal: amounts must be >= 0, got ", left, " and ", right);
    if (left == 0 && right == 0) return x;
    const int64_t len = x.shape().back();
    if (mode == PadMode::Constant) {
        Shape l = x.shape(), r = x.shape();
        l.back() = left;
        r.back() = right;
        return cat({zeros(l, x.dtype()), x, zeros(r, x.dtype())}, -1);
    }
    KAYA_CHECK(len >= 1, ShapeError, "pad_signal: cannot extend an empty signal ", describe(x));
    KAYA_CHECK(mode != PadMode::Reflect || (left < len && right < len), ValueError,
               "pad_signal: reflect padding of ", left, " and ", right, " samples needs a signal longer than both, got ",
               len, " samples");
    auto source = [&](int64_t i) {
        const int64_t s = i - left;
        if (mode == PadMode::Reflect) return s < 0 ? -s : (s >= len ? 2 * (len - 1) - s : s);
        return std::clamp<int64_t>(s, 0, len - 1);
    };
    if (!autograd::needs_grad({&x})) {
        // Without a graph: a direct copy (the gather below builds an index tensor per call).
        Tensor xc = contiguous(x);
        Shape shape = x.shape();
        shape.back() = left + len + right;
        Tensor out = Tensor::empty(shape, x.dtype());
        const int64_t rows = xc.numel() / len, total = shape.back();
        visit_floating(x.dtype(), "pad_signal", [&]<class T>() {
            const T* in = xc.data<T>();
            T* o = out.data<T>();
            for (int64_t r = 0; r < rows; ++r) {
                for (int64_t i = 0; i < left; ++i) o[r * total + i] = in[r * len + source(i)];
                std::copy(in + r * len, in + (r + 1) * len, o + r * total + left);
                for (int64_t i = left + len; i < total; ++i) o[r * total + i] = in[r * len + source(i)];
            }
        });
        return out;
    }
    // One gather with mirrored (or clamped) source indices; its gradient adds them back.
    std::vector<int64_t> idx(left + len + right);
    for (int64_t i = 0; i < left + len + right; ++i) idx[i] = source(i);
    return index_select(x, -1, from_vector(idx, {static_cast<int64_t>(idx.size())}));
}

Tensor preemphasis(const Tensor& x, double coeff) {
    check_signal("preemphasis", x);
    KAYA_CHECK(coeff >= 0 && coeff <= 1, ValueError, "preemphasis: coeff must be in [0, 1], got ", coeff);
    const int64_t len = x.shape().back();
    if (len < 2 || coeff == 0) return x;
    return cat({narrow(x, -1, 0, 1), sub(narrow(x, -1, 1, len - 1), mul(narrow(x, -1, 0, len - 1), coeff))}, -1);
}

namespace {

// The signal with its centre padding, checked to hold at least one frame.
Tensor centred_signal(const char* op, const Tensor& x, const StftOptions& o) {
    Tensor xp = o.center ? pad_signal(x, o.n_fft / 2, o.n_fft / 2, o.pad_mode) : x;
    const int64_t len = xp.shape().back();
    KAYA_CHECK(len >= o.n_fft, ValueError, op, ": the signal (", x.shape().back(), " samples",
               o.center ? ", padded to " + std::to_string(len) : std::string(), ") is shorter than one frame of n_fft = ",
               o.n_fft, " samples");
    return xp;
}

// spectrogram without a graph: frames go from the signal straight into the FFT's lanes and
// leave as (bins, frames) powers (kernels/fft); the framed copy, the windowed copy and the
// complex spectrum that the differentiable path materialises never exist. Same values.
Tensor fused_spectrogram(const Tensor& x, const StftOptions& o, double scale, double power) {
    Tensor xp = contiguous(centred_signal("spectrogram", x, o));
    const int64_t len = xp.shape().back(), rows = xp.numel() / len;
    const int64_t frames = 1 + (len - o.n_fft) / o.hop_length, bins = o.n_fft / 2 + 1;
    Shape shape = x.shape();
    shape.back() = bins;
    shape.push_back(frames);
    Tensor out = Tensor::empty(shape, x.dtype());
    Tensor window = to(from_vector(padded_window(o), {o.n_fft}), x.dtype());
    visit_floating(x.dtype(), "spectrogram", [&]<class T>() {
        kernels::stft_power_forward<T>(out.data<T>(), xp.data<T>(), window.data<T>(), rows, len, frames, o.n_fft,
                                       o.hop_length, static_cast<T>(scale), static_cast<T>(power));
    });
    return out;
}

}  // namespace

Tensor stft(const Tensor& x, const StftOptions& options) {
    check_signal("stft", x);
    const StftOptions o = resolved(options, "stft");
    Tensor xp = centred_signal("stft", x, o);
    Tensor frames = unfold(xp, -1, o.n_fft, o.hop_length);  // (..., F, n_fft)
    frames = mul(frames, to(from_vector(padded_window(o), {o.n_fft}), x.dtype()));
    Tensor spec = transpose(rfft(frames), -3, -2);  // (..., bins, F, 2)
    if (o.normalized) spec = mul(spec, 1.0 / std::sqrt(static_cast<double>(o.n_fft)));
    return spec;
}

Tensor istft(const Tensor& spectrum, const StftOptions& options, int64_t length) {
    const StftOptions o = resolved(options, "istft");
    const int64_t bins = o.n_fft / 2 + 1;
    KAYA_CHECK(spectrum.defined() && is_floating(spectrum.dtype()), DTypeError,
               "istft: expected a float spectrum, got ", spectrum.defined() ? describe(spectrum) : "undefined");
    KAYA_CHECK(spectrum.dim() >= 3 && spectrum.shape().back() == 2 && spectrum.shape()[spectrum.dim() - 3] == bins,
               ShapeError, "istft: expected a spectrum (..., ", bins, ", frames, 2) for n_fft = ", o.n_fft, ", got ",
               describe(spectrum));
    const int64_t frames = spectrum.shape()[spectrum.dim() - 2];
    KAYA_CHECK(frames >= 1, ShapeError, "istft: the spectrum has no frames: ", describe(spectrum));
    Tensor y = irfft(transpose(spectrum, -3, -2), o.n_fft);  // (..., F, n_fft)
    if (o.normalized) y = mul(y, std::sqrt(static_cast<double>(o.n_fft)));
    const std::vector<double> w = padded_window(o);
    y = mul(y, to(from_vector(w, {o.n_fft}), y.dtype()));
    // Overlap-add of the frames, then the squared window's overlap-add divided out.
    const OverlapAdd oa = overlap_add_plan("istft", o, w, frames, length);
    Shape flat_shape(y.shape().begin(), y.shape().end() - 2);
    flat_shape.push_back(frames * o.n_fft);
    Tensor flat = reshape(y, flat_shape);
    Shape out_shape = flat_shape;
    out_shape.back() = oa.total;
    Tensor index = expand(overlap_index(frames, o.n_fft, o.hop_length), flat_shape);
    Tensor signal = scatter_add(zeros(out_shape, y.dtype()), static_cast<int64_t>(flat_shape.size()) - 1, index, flat);
    Tensor out = mul(narrow(signal, -1, oa.start, oa.end - oa.start),
                     to(from_vector(oa.inv, {oa.end - oa.start}), y.dtype()));
    if (length > oa.end - oa.start)
        out = pad_signal(out, 0, length - (oa.end - oa.start), PadMode::Constant);
    return out;
}

Tensor complex_power(const Tensor& spectrum) {
    KAYA_CHECK(spectrum.defined() && spectrum.dim() >= 1 && spectrum.shape().back() == 2, ShapeError,
               "complex_power: expected (..., 2) (real, imaginary) pairs, got ",
               spectrum.defined() ? describe(spectrum) : "undefined");
    if (autograd::needs_grad({&spectrum})) {
        Tensor re = select(spectrum, -1, 0), im = select(spectrum, -1, 1);
        return add(mul(re, re), mul(im, im));
    }
    // A reduction over a dimension of 2 is mostly loop overhead; this is one pass.
    Tensor c = contiguous(spectrum);
    Shape shape = spectrum.shape();
    shape.pop_back();
    Tensor out = Tensor::empty(shape, spectrum.dtype());
    visit_floating(spectrum.dtype(), "complex_power", [&]<class T>() {
        const T* p = c.data<T>();
        T* o = out.data<T>();
        const int64_t n = out.numel();
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) o[i] = p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1];
    });
    return out;
}

StftOptions stft_options(const SpectrogramOptions& o) {
    StftOptions s;
    s.n_fft = o.n_fft;
    s.win_length = o.win_length < 0 ? o.n_fft : o.win_length;
    s.hop_length = o.hop_length < 0 ? std::max<int64_t>(1, s.win_length / 2) : o.hop_length;
    s.window = o.window;
    s.center = o.center;
    s.pad_mode = o.pad_mode;
    return s;
}

Tensor spectrogram(const Tensor& x, const SpectrogramOptions& options) {
    check_signal("spectrogram", x);
    KAYA_CHECK(options.power > 0 && std::isfinite(options.power), ValueError,
               "spectrogram: power must be positive, got ", options.power);
    KAYA_CHECK(options.pad >= 0, ValueError, "spectrogram: pad must be >= 0, got ", options.pad);
    const StftOptions so = resolved(stft_options(options), "spectrogram");
    double scale = 1.0;
    if (options.normalized) {
        double energy = 0;
        for (double v : padded_window(so)) energy += v * v;
        scale = 1.0 / std::sqrt(energy);
    }
    Tensor padded = options.pad > 0 ? pad_signal(x, options.pad, options.pad, PadMode::Constant) : x;
    if (!autograd::needs_grad({&x})) return fused_spectrogram(padded, so, scale, options.power);
    Tensor spec = stft(padded, so);
    if (scale != 1.0) spec = mul(spec, scale);
    Tensor power = complex_power(spec);  // (..., bins, F)
    if (options.power == 2.0) return power;
    // |X| = sqrt(|X|^2); clamping at a tiny floor gives exact zeros a zero gradient, not NaN.
    Tensor magnitude = sqrt(clamp(power, 1e-30, std::nullopt));
    return options.power == 1.0 ? magnitude : pow(magnitude, options.power);
}

namespace {

// Griffin-Lim's round trip without a graph, on spectra in frame order (..., frames, bins, 2),
// the layout the FFT kernels read and write: no round transposes a spectrum (stft's and
// istft's transposed copies were 30% of the loop), and the window, the squared window's
// overlap-add and where each frame lands are worked out once, not every round (istft's index
// tensor and its range check were another 8%). Each step does what istft and stft do, in the
// same order, so the values are theirs. The options come from stft_options, never normalized
// (a spectrogram's `normalized` divides by the window's norm, not by sqrt(n_fft)).
template <class T>
class FrameOrderStft {
public:
    FrameOrderStft(const StftOptions& o, int64_t frames, int64_t length) : o_(o), frames_(frames) {
        KAYA_CHECK(!o.normalized, NotImplemented, "griffin_lim: normalized transforms");
        const std::vector<double> w = padded_window(o);
        oa_ = overlap_add_plan("griffin_lim", o, w, frames, length);
        for (double v : w) w_.push_back(static_cast<T>(v));
        for (double v : oa_.inv) inv_.push_back(static_cast<T>(v));
        samples_ = std::max(length, oa_.end - oa_.start);
        // The signal's own STFT must have the spectrogram's frames (a `length` can say otherwise).
        const int64_t padded = samples_ + (o.center ? 2 * (o.n_fft / 2) : 0);
        const int64_t again = padded >= o.n_fft ? 1 + (padded - o.n_fft) / o.hop_length : 0;
        KAYA_CHECK(again == frames, ValueError, "griffin_lim: length ", length,
                   " gives a signal of ", samples_, " samples, whose STFT has ", again,
                   " frames, but the spectrogram has ", frames, " (hop ", o.hop_length,
                   "); use length -1 or one that keeps the frame count");
    }

    // istft: spectrum (..., frames, bins, 2) contiguous -> signal (..., samples).
    Tensor inverse(const Tensor& spectrum) const {
        const int64_t n = o_.n_fft, bins = n / 2 + 1,
                      rows = spectrum.numel() / (frames_ * bins * 2);
        Tensor y = Tensor::empty({rows * frames_, n}, spectrum.dtype());
        kernels::irfft_forward<T>(y.data<T>(), spectrum.data<T>(), rows * frames_, n);
        Shape shape(spectrum.shape().begin(), spectrum.shape().end() - 3);
        shape.push_back(samples_);
        Tensor out = zeros(shape, spectrum.dtype());
        parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
            std::vector<T> sum(static_cast<size_t>(oa_.total));
            for (int64_t r = r0; r < r1; ++r) {
                std::fill(sum.begin(), sum.end(), T(0));
                const T* frame = y.data<T>() + r * frames_ * n;
                for (int64_t f = 0; f < frames_; ++f, frame += n) {
                    T* at = sum.data() + f * o_.hop_length;
                    for (int64_t j = 0; j < n; ++j) at[j] += frame[j] * w_[j];
                }
                T* o = out.data<T>() + r * samples_;
                for (int64_t t = 0; t < oa_.end - oa_.start; ++t)
                    o[t] = sum[oa_.start + t] * inv_[t];
            }
        });
        return out;
    }

    // stft: signal (..., samples) -> spectrum (..., frames, bins, 2).
    Tensor forward(const Tensor& signal) const {
        const Tensor xp = contiguous(centred_signal("griffin_lim", signal, o_));
        const int64_t n = o_.n_fft, bins = n / 2 + 1, len = xp.shape().back(),
                      count = xp.numel() / len * frames_;
        Tensor framed = Tensor::empty({count, n}, signal.dtype());
        const T* x = xp.data<T>();
        T* d = framed.data<T>();
        parallel_for(count, std::max<int64_t>(1, kParallelGrain / n), [&](int64_t c0, int64_t c1) {
            for (int64_t c = c0; c < c1; ++c) {
                const T* src = x + c / frames_ * len + c % frames_ * o_.hop_length;
                for (int64_t j = 0; j < n; ++j) d[c * n + j] = src[j] * w_[j];
            }
        });
        Shape shape(signal.shape().begin(), signal.shape().end() - 1);
        for (int64_t v : {frames_, bins, int64_t{2}}) shape.push_back(v);
        Tensor out = Tensor::empty(shape, signal.dtype());
        kernels::rfft_forward<T>(out.data<T>(), d, count, n, n);
        return out;
    }

private:
    StftOptions o_;
    int64_t frames_, samples_ = 0;
    OverlapAdd oa_;
    std::vector<T> w_, inv_;
};

}  // namespace

Tensor griffin_lim(const Tensor& spectrogram, const SpectrogramOptions& spec, const GriffinLimOptions& options) {
    check_signal("griffin_lim", spectrogram);
    KAYA_CHECK(spectrogram.dim() >= 2, ShapeError, "griffin_lim: expected (..., bins, frames), got ", describe(spectrogram));
    KAYA_CHECK(options.n_iter >= 0 && options.momentum >= 0 && options.momentum < 1, ValueError,
               "griffin_lim: need n_iter >= 0 and momentum in [0, 1), got ", options.n_iter, " and ", options.momentum);
    const StftOptions so = resolved(stft_options(spec), "griffin_lim");
    const int64_t bins = so.n_fft / 2 + 1, frames = spectrogram.shape().back();
    KAYA_CHECK(spectrogram.shape()[spectrogram.dim() - 2] == bins && frames >= 1, ShapeError,
               "griffin_lim: expected a spectrogram (..., ", bins,
               ", frames) for n_fft = ", so.n_fft, ", got ", describe(spectrogram));
    autograd::NoGradGuard no_grad;
    // In frame order (..., frames, bins, 1) from here on (FrameOrderStft).
    Tensor magnitude =
        contiguous(transpose(unsqueeze(pow(spectrogram, 1.0 / options.power), -1), -3, -2));
    Shape shape = magnitude.shape();
    shape.back() = 2;
    Tensor angles;
    if (options.random_seed) {
        // Drawn in the spectrogram's order, so a seed gives the phases it always gave.
        Generator gen(*options.random_seed);
        Shape drawn = spectrogram.shape();
        drawn.push_back(2);
        angles = transpose(rand(drawn, spectrogram.dtype(), &gen), -3, -2);
    } else {
        Shape half = shape;
        half.back() = 1;
        angles = cat({ones(half, spectrogram.dtype()), zeros(half, spectrogram.dtype())}, -1);
    }
    Tensor previous = zeros(shape, spectrogram.dtype());
    Tensor spectrum = contiguous(mul(magnitude, angles));
    const Tensor mag = contiguous(expand(magnitude, shape));
    const double c = options.momentum / (1.0 + options.momentum);
    Tensor wave;
    visit_floating(spectrogram.dtype(), "griffin_lim", [&]<class T>() {
        const FrameOrderStft<T> round(so, frames, options.length);
        for (int i = 0; i < options.n_iter; ++i) {
            Tensor rebuilt = round.forward(round.inverse(spectrum));
            // Fast Griffin-Lim (Perraudin et al. 2013): extrapolate along the last change, keep
            // the phase of a = rebuilt - c previous (a / (|a| + 1e-16)) and the given magnitude,
            // all in one pass over the (real, imaginary) pairs.
            const T* r = rebuilt.data<T>();
            const T* p = previous.data<T>();
            const T* m = mag.data<T>();
            T* out = spectrum.data<T>();
            parallel_for(rebuilt.numel() / 2, kParallelGrain / 4, [&](int64_t begin, int64_t end) {
                for (int64_t k = begin; k < end; ++k) {
                    const T re = r[2 * k] - static_cast<T>(c) * p[2 * k];
                    const T im = r[2 * k + 1] - static_cast<T>(c) * p[2 * k + 1];
                    const T scale = m[2 * k] / (std::sqrt(re * re + im * im) + static_cast<T>(1e-16));
                    out[2 * k] = re * scale;
                    out[2 * k + 1] = im * scale;
                }
            });
            previous = rebuilt;
        }
        wave = round.inverse(spectrum);
    });
    return wave;
}

}  // namespace kaya::audio
