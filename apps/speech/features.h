// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>

#include "apps/train/config.h"
#include "kaya/core/tensor.h"

namespace kaya::speech {

// The [features] keys: what a frame is and what describes it. Kaldi's pipeline
// (audio/kaldi.h: 25 ms windows every 10 ms, pre-emphasis, Povey window, mel filter bank),
// then optional deltas and per-recording mean and variance normalisation.
//   kind = "mfcc" | "fbank"    cepstra (num_ceps of num_mel_bins) or log mel energies
//   num_mel_bins, num_ceps      23 and 13 (Kaldi's defaults) for mfcc
//   deltas = 2                  append first (1) or first and second (2) differences
//   cmvn = true                 per recording, per coefficient
//   frame_length_ms, frame_shift_ms, low_freq, high_freq
struct FeatureOptions {
    std::string kind = "mfcc";
    int64_t num_mel_bins = 23, num_ceps = 13, deltas = 2;
    bool cmvn = true;
    double frame_length_ms = 25.0, frame_shift_ms = 10.0, low_freq = 20.0, high_freq = 0.0;

    // Reads [features] over `defaults` (each task has its own).
    static FeatureOptions read(const app::Config& cfg, const FeatureOptions& defaults);
    int64_t base_dim() const { return kind == "mfcc" ? num_ceps : num_mel_bins; }
    int64_t dim() const { return base_dim() * (1 + deltas); }
    std::string describe() const;  // "39 MFCC features (13 + deltas) of 25 ms frames every 10 ms"
    std::map<std::string, std::string> metadata() const;
    // ParseError naming `source` when a key is missing or malformed.
    static FeatureOptions from_metadata(const std::map<std::string, std::string>& m, const std::string& source);
};

// Features of one recording: wave (T) float32 at `sample_rate` -> (frames, dim) float32.
// ValueError naming `name` when the clip is shorter than one window or not finite.
Tensor compute_features(const Tensor& wave, int64_t sample_rate, const FeatureOptions& options,
                        const std::string& name = "recording");

}  // namespace kaya::speech
