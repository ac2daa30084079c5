// SPDX-License-Identifier: MIT
#include "apps/speech/toy_speech.h"

#include <cmath>
#include <numbers>
#include <random>

#include "kaya/ops/factory.h"

namespace kaya::speech {
namespace {

// Vowel formants (Hz), roughly those of an adult male voice.
struct Vowel {
    double f1, f2;
};
constexpr Vowel kA{730, 1090}, kE{530, 1840}, kI{270, 2290}, kO{570, 840}, kU{300, 870};

struct Word {
    std::string name;
    std::vector<Vowel> segments;
};

const std::vector<Word>& words() {
    static const std::vector<Word> w = {
        {"ah-ee", {kA, kI}},      {"ee-ah", {kI, kA}},      {"oh-eh", {kO, kE}},      {"oo-ah-ee", {kU, kA, kI}},
        {"eh-oo", {kE, kU}},      {"ah-oh-ee", {kA, kO, kI}}, {"ee-oo", {kI, kU}},      {"oh-ah", {kO, kA}},
        {"eh-ee-oh", {kE, kI, kO}}, {"oo-eh", {kU, kE}},
    };
    return w;
}

}  // namespace

const std::vector<std::string>& toy_words() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& w : words()) n.push_back(w.name);
        return n;
    }();
    return names;
}

std::vector<Recording> toy_recordings(int64_t per_class, int64_t sample_rate, uint64_t seed) {
    // Speakers: base pitch (Hz), formant scale, speaking rate.
    const double pitch[4] = {105, 140, 185, 225}, formant[4] = {0.95, 1.0, 1.08, 1.15}, rate[4] = {0.85, 1.0, 1.1, 1.25};
    const double sr = static_cast<double>(sample_rate), nyquist = sr / 2;
    std::vector<Recording> out;
    for (size_t w = 0; w < words().size(); ++w) {
        for (int64_t k = 0; k < per_class; ++k) {
            std::mt19937_64 gen(seed * 1000003 + w * 1009 + static_cast<uint64_t>(k));
            std::uniform_real_distribution<double> u(0.0, 1.0);
            const int s = static_cast<int>(k % 4);
            const double f0 = pitch[s] * (0.92 + 0.16 * u(gen)), scale = formant[s] * (0.97 + 0.06 * u(gen));
            const double seg_seconds = 0.16 / (rate[s] * (0.9 + 0.2 * u(gen)));
            const auto& segs = words()[w].segments;
            const auto lead = static_cast<int64_t>(sr * (0.02 + 0.06 * u(gen)));
            const auto seg_len = static_cast<int64_t>(sr * seg_seconds);
            const int64_t total = lead + seg_len * static_cast<int64_t>(segs.size()) + static_cast<int64_t>(sr * 0.05);
            std::vector<float> wave(total, 0.f);
            std::normal_distribution<double> noise(0.0, 0.01);
            double phase = 0;
            for (int64_t t = 0; t < total; ++t) {
                double v = noise(gen);
                const int64_t rel = t - lead;
                if (rel >= 0 && rel < seg_len * static_cast<int64_t>(segs.size())) {
                    // Formants glide linearly into the next segment over its last quarter.
                    const size_t i = static_cast<size_t>(rel / seg_len);
                    const double pos = static_cast<double>(rel % seg_len) / static_cast<double>(seg_len);
                    const Vowel a = segs[i], b = segs[std::min(i + 1, segs.size() - 1)];
                    const double mix = pos > 0.75 ? (pos - 0.75) * 4 : 0.0;
                    const double f1 = scale * (a.f1 + mix * (b.f1 - a.f1)), f2 = scale * (a.f2 + mix * (b.f2 - a.f2));
                    const double f = f0 * (1.0 + 0.02 * std::sin(2 * std::numbers::pi * 5 * t / sr));
                    phase += 2 * std::numbers::pi * f / sr;
                    const double env = std::sin(std::numbers::pi * static_cast<double>(rel) /
                                                static_cast<double>(seg_len * static_cast<int64_t>(segs.size())));
                    double sample = 0;
                    for (int h = 1; h * f < nyquist; ++h) {
                        const double fh = h * f;
                        // Two resonances of ~90 Hz bandwidth shape the harmonic amplitudes.
                        const double gain = std::exp(-std::pow((fh - f1) / 90.0, 2)) +
                                            0.7 * std::exp(-std::pow((fh - f2) / 110.0, 2)) + 0.02;
                        sample += gain * std::sin(h * phase) / std::sqrt(static_cast<double>(h));
                    }
                    v += 0.25 * env * sample;
                }
                wave[t] = static_cast<float>(std::clamp(v, -1.0, 1.0));
            }
            Recording r;
            r.wave = from_vector(wave, {total});
            r.label = static_cast<int64_t>(w);
            r.speaker = "toy" + std::to_string(s);
            r.index = k;
            r.name = std::to_string(w) + "_" + r.speaker + "_" + std::to_string(k) + ".wav";
            out.push_back(std::move(r));
        }
    }
    return out;
}

}  // namespace kaya::speech
