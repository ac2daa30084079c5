// SPDX-License-Identifier: MIT
#include "apps/tts/scores.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kaya/audio/mel.h"
#include "kaya/core/error.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

std::vector<std::pair<int64_t, int64_t>> dtw_path(const Tensor& a, const Tensor& b) {
    KAYA_CHECK(a.dim() == 2 && b.dim() == 2 && a.shape()[1] == b.shape()[1] && a.shape()[0] > 0 && b.shape()[0] > 0,
               ShapeError, "dtw_path: expected two (T, C) sequences with the same C, got ", describe(a), " and ",
               describe(b));
    const int64_t n = a.shape()[0], m = b.shape()[0], c = a.shape()[1];
    const std::vector<double> x = to_vector<double>(to(a, DType::Float64)), y = to_vector<double>(to(b, DType::Float64));
    auto dist = [&](int64_t i, int64_t j) {
        double s = 0;
        for (int64_t k = 0; k < c; ++k) {
            const double d = x[static_cast<size_t>(i * c + k)] - y[static_cast<size_t>(j * c + k)];
            s += d * d;
        }
        return std::sqrt(s);
    };
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> cost(static_cast<size_t>(n * m), inf);
    auto at = [&](int64_t i, int64_t j) -> double& { return cost[static_cast<size_t>(i * m + j)]; };
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < m; ++j) {
            double best = i == 0 && j == 0 ? 0.0 : inf;
            if (i > 0) best = std::min(best, at(i - 1, j));
            if (j > 0) best = std::min(best, at(i, j - 1));
            if (i > 0 && j > 0) best = std::min(best, at(i - 1, j - 1));
            at(i, j) = best + dist(i, j);
        }
    }
    std::vector<std::pair<int64_t, int64_t>> path;
    int64_t i = n - 1, j = m - 1;
    path.emplace_back(i, j);
    while (i > 0 || j > 0) {
        if (i == 0) {
            --j;
        } else if (j == 0) {
            --i;
        } else {
            const double d = at(i - 1, j - 1), u = at(i - 1, j), l = at(i, j - 1);
            if (d <= u && d <= l) {
                --i, --j;
            } else if (u <= l) {
                --i;
            } else {
                --j;
            }
        }
        path.emplace_back(i, j);
    }
    std::reverse(path.begin(), path.end());
    return path;
}

SpeechDistance speech_distance(const Tensor& generated, const Tensor& recorded, int64_t cepstra) {
    KAYA_CHECK(generated.dim() == 2 && recorded.dim() == 2 && generated.shape()[1] == recorded.shape()[1], ShapeError,
               "speech_distance: expected two log-mel (T, n_mels) with the same bands, got ", describe(generated),
               " and ", describe(recorded));
    const int64_t bands = generated.shape()[1];
    KAYA_CHECK(cepstra >= 1 && cepstra < bands, ValueError, "speech_distance: cepstra must be in [1, ", bands - 1,
               "], got ", cepstra);
    // The orthonormal DCT-II scaled to cepstral coefficients of the log amplitude spectrum as
    // SPTK's mel-cepstra are (log|H| = c_0 + 2 sum_d c_d cos(d w): c_d = (1/N) sum_n ...), so the
    // distortion is on the scale TTS papers report it in (a few dB).
    const double to_cepstrum = 1.0 / std::sqrt(2.0 * static_cast<double>(bands));
    const Tensor dct = mul(audio::dct_matrix(cepstra + 1, bands, true, DType::Float64), to_cepstrum);
    auto cepstrum = [&](const Tensor& m) { return narrow(mm(to(m, DType::Float64), dct), 1, 1, cepstra); };
    const Tensor cg = cepstrum(generated), cr = cepstrum(recorded);
    const auto path = dtw_path(cg, cr);
    const std::vector<double> g = to_vector<double>(cg), r = to_vector<double>(cr);
    const std::vector<double> lg = to_vector<double>(to(generated, DType::Float64)),
                              lr = to_vector<double>(to(recorded, DType::Float64));
    double mcd = 0, l1 = 0;
    for (const auto& [i, j] : path) {
        double s = 0;
        for (int64_t k = 0; k < cepstra; ++k) {
            const double d = g[static_cast<size_t>(i * cepstra + k)] - r[static_cast<size_t>(j * cepstra + k)];
            s += d * d;
        }
        mcd += 10.0 / std::log(10.0) * std::sqrt(2.0 * s);
        for (int64_t k = 0; k < bands; ++k)
            l1 += std::abs(lg[static_cast<size_t>(i * bands + k)] - lr[static_cast<size_t>(j * bands + k)]);
    }
    const auto steps = static_cast<double>(path.size());
    return {mcd / steps, l1 / (steps * static_cast<double>(bands)),
            static_cast<double>(generated.shape()[0]) / static_cast<double>(recorded.shape()[0])};
}

std::string AttentionFailures::describe() const {
    std::string s;
    auto add = [&](bool on, const char* what) {
        if (on) s += (s.empty() ? "" : ", ") + std::string(what);
    };
    add(skipped, "skipped");
    add(repeated, "repeated");
    add(stopped_early, "stopped early");
    add(never_stopped, "never stopped");
    return s.empty() ? "ok" : s;
}

AttentionFailures attention_failures(const Tensor& alignment, bool stopped, int64_t skip) {
    KAYA_CHECK(alignment.dim() == 2 && alignment.shape()[0] > 0, ShapeError,
               "attention_failures: expected an alignment (steps, L), got ", describe(alignment));
    const int64_t L = alignment.shape()[1];
    const std::vector<int64_t> focus = to_vector<int64_t>(argmax(alignment, 1));
    AttentionFailures f;
    f.never_stopped = !stopped;
    int64_t furthest = 0, previous = 0;  // Attention starts at the first character.
    for (size_t k = 0; k < focus.size(); ++k) {
        if (focus[k] - previous > skip) f.skipped = true;
        previous = focus[k];
        if (furthest - focus[k] > 2) f.repeated = true;
        furthest = std::max(furthest, focus[k]);
    }
    f.stopped_early = stopped && furthest < L - 3;
    return f;
}

}  // namespace kaya::tts
